package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
)

func cmdInvite(fs *flag.FlagSet, c cli) runner {
	stdout, stderr, getenv, now := c.stdout, c.stderr, c.getenv, c.now
	db := dbFlag(fs, getenv)
	token := fs.String("token", getenv("ASSOCBOT_TOKEN"), "bot token (ASSOCBOT_TOKEN)")
	apiURL := fs.String("api-url", getenv("ASSOCBOT_API_URL"), "Bot API base URL (ASSOCBOT_API_URL)")
	return func(ctx context.Context, args []string) error {
		if len(args) != 1 {
			return usageError{"invite needs exactly one phone number"}
		}
		if _, err := models.NormalizePhone(args[0]); err != nil {
			return usageError{fmt.Sprintf("%q is not a valid phone number", args[0])}
		}
		if *token == "" {
			return usageError{"ASSOCBOT_TOKEN (or --token) is needed: the link names the bot, which getMe tells"}
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		m, err := st.MemberByPhone(ctx, args[0])
		if errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("no member with phone %s; add them with `assocbot member add`", args[0])}
		}
		if err != nil {
			return err
		}
		if m.Linked() {
			return usageError{fmt.Sprintf("%s has already linked Telegram: no invitation is needed", m.Name)}
		}
		cat, err := locales.New()
		if err != nil {
			return err
		}
		b, err := bot.New(ctx, bot.Config{Token: *token, APIURL: *apiURL, Logger: slog.New(slog.NewTextHandler(stderr, nil))}, st, cat, nil)
		if err != nil {
			return err
		}
		code, expires, err := st.CreateInvite(ctx, m.ID, store.DefaultInviteTTL, now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", b.InviteLink(code))
		fmt.Fprintf(stderr, "invitation for %s, valid until %s, single use\n", m.Name, expires.Format("2006-01-02 15:04 MST"))
		return nil
	}
}

func cmdBroadcast(fs *flag.FlagSet, c cli) runner {
	stdout, stderr, getenv, clock := c.stdout, c.stderr, c.getenv, c.now
	db := dbFlag(fs, getenv)
	audience := fs.String("audience", "", "all, branch:Town/Village or tag:T (required)")
	text := fs.String("text", "", "the notice, as members will read it (required)")
	at := fs.String("at", "", `send at "YYYY-MM-DD HH:MM" in the association's time zone (default now)`)
	tz := tzFlag(fs, getenv)
	return func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return usageError{fmt.Sprintf("unexpected argument %q", args[0])}
		}
		aud, err := models.ParseAudience(*audience)
		if err != nil {
			return usageError{fmt.Sprintf("--audience: want all, branch:Town/Village or tag:T, got %q", *audience)}
		}
		body := strings.TrimSpace(*text)
		if body == "" {
			return usageError{"--text is required"}
		}
		if err := checkText("text", body, true); err != nil {
			return err
		}
		if len([]rune(body)) > models.MaxNoticeText {
			return usageError{fmt.Sprintf("--text is longer than a notice allows (%d characters)", models.MaxNoticeText)}
		}
		loc, err := zoneOf(*tz)
		if err != nil {
			return err
		}
		now := clock()
		sendAt := now
		var note string // said once the broadcast is made
		if *at != "" {
			if sendAt, note, err = localFlag("at", *at, loc); err != nil {
				return err
			}
			if sendAt.Before(now.Add(-time.Minute)) {
				return usageError{fmt.Sprintf("--at %s is in the past", *at)}
			}
		}
		st, err := openStoreSMS(ctx, *db, c.getenv)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := checkAudience(ctx, st, aud, true); err != nil {
			return err
		}
		channels, err := channelCounts(ctx, st, aud, c.getenv)
		if err != nil {
			return err
		}
		b, err := st.CreateBroadcast(ctx, store.NewBroadcast{Audience: aud, Text: body, SendAt: sendAt})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "broadcast %d to %s: %d recipients%s, sending from %s\n", b.ID, aud, b.Total, channels, sendAt.In(loc).Format("2006-01-02 15:04 MST"))
		if note != "" {
			fmt.Fprintln(stderr, note)
		}
		return nil
	}
}

// channelCounts says how a notice to aud goes when the deployment sends SMS
// (" (12 by Telegram, 3 by SMS, 1 of them without a template; 2 reach
// nobody)"), "" without SMS.
func channelCounts(ctx context.Context, st *store.Store, aud models.Audience, getenv env) (string, error) {
	if !st.SMSEnabled() {
		return "", nil
	}
	list, err := st.SMSTemplates(ctx)
	if err != nil {
		return "", err
	}
	tpls := store.NewTemplateSet(list)
	def := locales.Resolve(getenv("ASSOCBOT_LANG"), "", locales.ZhHans)
	c, err := st.CountChannels(ctx, outbox.KindBroadcast, aud, func(m *models.Member) bool {
		_, ok := tpls.Template(string(outbox.KindBroadcast), locales.Resolve(m.Lang, m.TelegramLang, def))
		return ok
	})
	if err != nil {
		return "", err
	}
	out := fmt.Sprintf(" (%d by Telegram, %d by SMS", c.Telegram, c.SMS)
	if c.NoTemplate > 0 {
		out += fmt.Sprintf(", %d of them without a template: not sent", c.NoTemplate)
	}
	return out + fmt.Sprintf("; %d reach nobody)", c.Nobody), nil
}
