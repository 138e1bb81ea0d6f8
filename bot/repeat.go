package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/calendar"
)

// A notice repeated (SPEC C15): from the broadcast's preview, 🔁 Repeat,
// then how often (yearly on a date, yearly on a lunar date, monthly,
// weekly) and which day; it goes out at 09:00 on each date, through the
// same outbox as any notice, until stopped in /notices.

// stepRepeat waits for a repeated notice's day: typed for a date, tapped
// for a weekday.
const stepRepeat = "repeat"

// repeatWeekdays are the RRULE days, Monday first (time.weekday.N is
// Sunday at 0).
var repeatWeekdays = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// onRepeatCallback is a tap in the repeat steps: r (how often?), R (one of
// y, l, m, w), W (a weekday).
func (b *Bot) onRepeatCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback, d *models.Dialog, dr *broadcastDraft) {
	switch {
	case c.Op == "r" && d.Step == stepConfirm:
		if dr.Document != "" {
			b.answer(ctx, q, b.t(r, "repeat.no_document"), true)
			return
		}
		b.answer(ctx, q, "", false)
		b.send(ctx, r.chatID, b.t(r, "repeat.ask_how"), inline(
			row(cb(b.t(r, "repeat.yearly"), bcData("R", "y")), cb(b.t(r, "repeat.lunar"), bcData("R", "l"))),
			row(cb(b.t(r, "repeat.monthly"), bcData("R", "m")), cb(b.t(r, "repeat.weekly"), bcData("R", "w"))),
			b.bcCancelRow(r)))
	case c.Op == "R" && (d.Step == stepConfirm || d.Step == stepRepeat) && strings.Contains("ylmw", c.Arg) && len(c.Arg) == 1:
		dr.Repeat = c.Arg
		if err := b.saveDraft(ctx, d, dr, stepRepeat); err != nil {
			b.answer(ctx, q, b.t(r, "error.internal"), true)
			return
		}
		b.answer(ctx, q, "", false)
		if c.Arg == "w" {
			var days []inlineButton
			for i, wd := range repeatWeekdays {
				days = append(days, cb(b.t(r, "time.weekday."+strconv.Itoa((i+1)%7)), bcData("W", wd)))
			}
			b.send(ctx, r.chatID, b.t(r, "repeat.ask_weekday"), inline(days[:4], days[4:], b.bcCancelRow(r)))
			return
		}
		b.send(ctx, r.chatID, b.t(r, "repeat.ask_"+c.Arg), inline(b.bcCancelRow(r)))
	case c.Op == "W" && d.Step == stepRepeat && dr.Repeat == "w":
		for _, wd := range repeatWeekdays {
			if c.Arg == wd {
				b.answer(ctx, q, "", false)
				b.commitRepeat(ctx, r, d, dr, &models.Notice{RRule: "FREQ=WEEKLY;BYDAY=" + wd})
				return
			}
		}
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
	default:
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
	}
}

// monthDay reads "3-8", "3/8", "03-08", "3.8", "3月8日" or "3月8号".
var monthDay = regexp.MustCompile(`^\s*(\d{1,2})\s*(?:[-/.·]|月)\s*(\d{1,2})\s*(?:日|号|號)?\s*$`)

// onRepeatInput takes the typed day of a repeated notice: a date, a lunar
// date or a day of the month.
func (b *Bot) onRepeatInput(ctx context.Context, r *request, d *models.Dialog, dr *broadcastDraft, text string) {
	n := &models.Notice{}
	switch dr.Repeat {
	case "y":
		m := monthDay.FindStringSubmatch(text)
		month, day := 0, 0
		if m != nil {
			month, _ = strconv.Atoi(m[1])
			day, _ = strconv.Atoi(m[2])
		}
		// A day every year has (29 February too: a leap year's rule).
		if t := time.Date(2024, time.Month(month), day, 0, 0, 0, 0, time.UTC); m == nil || month < 1 || month > 12 || day < 1 || t.Day() != day {
			b.send(ctx, r.chatID, b.t(r, "repeat.bad_y"), nil)
			return
		}
		n.RRule = fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYMONTHDAY=%d", month, day)
	case "l":
		l, err := calendar.ParseLunar(strings.NewReplacer("月", "-", "/", "-", "日", "", "号", "").Replace(strings.TrimSpace(text)))
		if err != nil {
			b.send(ctx, r.chatID, b.t(r, "repeat.bad_l"), nil)
			return
		}
		n.Lunar = l.String()
	case "m":
		day, err := strconv.Atoi(strings.TrimRight(strings.TrimSpace(text), "日号號"))
		if err != nil || day < 1 || day > 28 {
			b.send(ctx, r.chatID, b.t(r, "repeat.bad_m"), nil)
			return
		}
		n.RRule = fmt.Sprintf("FREQ=MONTHLY;BYMONTHDAY=%d", day)
	default:
		b.send(ctx, r.chatID, b.t(r, "broadcast.use_buttons"), nil)
		return
	}
	b.commitRepeat(ctx, r, d, dr, n)
}

// commitRepeat saves the repeated notice, with the draft's audience, text
// and photo, at 09:00 on each date, and says its next dates.
func (b *Bot) commitRepeat(ctx context.Context, r *request, d *models.Dialog, dr *broadcastDraft, n *models.Notice) {
	n.Audience, n.PhotoFileID, n.AtMinute, n.CreatedBy = dr.Audience, dr.Photo, 9*60, &r.member.ID
	n.SetTexts(map[string]string{string(r.lang): dr.Text})
	now := b.cfg.Now()
	err := b.st.AddNotice(ctx, n, b.cfg.Location, now)
	if errors.Is(err, models.ErrNoticeText) {
		b.send(ctx, r.chatID, b.t(r, "repeat.needs_text"), nil)
		return
	}
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "repeat", err)
		return
	}
	b.dropDialog(ctx, r)
	b.log.Info("recurring notice created", "notice_id", n.ID, "by_member_id", r.member.ID)
	b.send(ctx, r.chatID, b.t(r, "repeat.saved", "Rule", b.repeatRule(r, n), "Next", b.nextNoticeDates(r, n)), b.keyboardFor(r))
}

// repeatRule says a notice's rule in the reader's language.
func (b *Bot) repeatRule(r *request, n *models.Notice) string {
	if n.Lunar != "" {
		l, _ := calendar.ParseLunar(n.Lunar)
		return b.t(r, "repeat.rule.lunar", "Month", l.Month, "Day", l.Day, "At", n.At())
	}
	rule := n.RRule
	get := func(key string) string {
		for _, part := range strings.Split(rule, ";") {
			if k, v, ok := strings.Cut(part, "="); ok && k == key {
				return v
			}
		}
		return ""
	}
	switch get("FREQ") {
	case "YEARLY":
		return b.t(r, "repeat.rule.yearly", "Month", get("BYMONTH"), "Day", get("BYMONTHDAY"), "At", n.At())
	case "MONTHLY":
		return b.t(r, "repeat.rule.monthly", "Day", get("BYMONTHDAY"), "At", n.At())
	case "WEEKLY":
		for i, wd := range repeatWeekdays {
			if get("BYDAY") == wd {
				return b.t(r, "repeat.rule.weekly", "Weekday", b.t(r, "time.weekday."+strconv.Itoa((i+1)%7)), "At", n.At())
			}
		}
	}
	return rule + " " + n.At()
}

// nextNoticeDates are a notice's next three dates in the reader's words.
func (b *Bot) nextNoticeDates(r *request, n *models.Notice) string {
	now := b.cfg.Now()
	dates, err := n.Dates(models.DayOf(now, b.cfg.Location).AddDate(0, 0, -1), 4)
	if err != nil {
		return ""
	}
	var out []string
	for _, d := range dates {
		if !n.SendAt(d, b.cfg.Location).After(now) {
			continue
		}
		if out = append(out, b.cat.Date(r.lang, d, now.AddDate(-5, 0, 0))); len(out) == 3 {
			break
		}
	}
	return strings.Join(out, b.t(r, "list.separator"))
}

// repeatLines are the recurring notices an organizer may stop (theirs;
// an admin's: all), for /notices, with a ✖ each.
func (b *Bot) repeatLines(ctx context.Context, r *request) ([]string, [][]inlineButton) {
	ns, err := b.st.Notices(ctx)
	if err != nil {
		b.log.Warn("notices: recurring", "err", err)
		return nil, nil
	}
	var lines []string
	var rows [][]inlineButton
	for i := range ns {
		n := &ns[i]
		if !n.Enabled || !(r.scope.Admin || (n.CreatedBy != nil && *n.CreatedBy == r.member.ID)) {
			continue
		}
		aud, _ := models.ParseAudience(n.Audience)
		text := truncate(strings.ReplaceAll(n.TextFor(string(r.lang)), "\n", " "), 40)
		lines = append(lines, b.t(r, "repeat.line", "Rule", b.repeatRule(r, n), "Audience", b.audienceLabel(r, aud), "Text", text))
		if len(rows) < 10 {
			rows = append(rows, row(cb(b.t(r, "repeat.button.stop", "Text", truncate(text, 20)), models.Callback{Action: models.ActNoticeStop, ID: n.ID})))
		}
	}
	return lines, rows
}

// onNoticeStop stops a recurring notice, for its maker or an admin.
func (b *Bot) onNoticeStop(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	n, err := b.st.NoticeByID(ctx, c.ID)
	if err != nil || !n.Enabled {
		b.answer(ctx, q, b.t(r, "repeat.gone"), true)
		return
	}
	if !r.scope.Admin && (n.CreatedBy == nil || *n.CreatedBy != r.member.ID) {
		b.answer(ctx, q, b.t(r, "repeat.not_yours"), true)
		return
	}
	if err := b.st.RemoveNotice(ctx, n.ID, b.cfg.Now()); err != nil {
		b.log.Error("stop notice", "err", err)
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		return
	}
	b.answer(ctx, q, b.t(r, "repeat.stopped"), false)
}
