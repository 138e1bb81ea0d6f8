package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/sms"
	"github.com/assocbot/assocbot/models/store"
)

// smsKeyAbout says what each template key is for, for `sms template list`.
var smsKeyAbout = map[string]string{
	"broadcast":       "a notice (its words are a parameter: keep the notice short)",
	"inquiry.answer":  "an organizer's answer to a member's question sent by SMS (the answer is a parameter)",
	"event.announce":  "a new event; ask for 回复1参加 2不参加 3待定",
	"event.reminder":  "an event's reminder; ask for 回复1参加 2不参加 3待定",
	"event.deadline":  "the answer deadline is near",
	"event.nudge":     "no answer yet",
	"event.changed":   "an event moved or changed (passes the monthly cap)",
	"event.cancelled": "an event cancelled (passes the monthly cap)",
	"rsvp.promoted":   "a place freed for a member on the waiting list",
	"check.reminder":  "a health check due, to members who consented (--sms-health yes); 回复1 when done",
	sms.Private:       "a health check due, to members who did not consent: a neutral text, e.g. 您有一项协会提醒，请联系本村计生专干",
	"sms.ack":         "what a member's SMS reply stored (参加, 不参加 …)",
	"survey.ask":      "a survey's question, its answers numbered; the member replies the number, and the next question follows",
	"survey.remind":   "a survey closes soon and the member has not finished: the question they are at",
}

func cmdSMSTemplateList(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		set, err := st.SMSTemplates(ctx)
		if err != nil {
			return err
		}
		byKey := map[string][]store.SMSTemplate{}
		for _, t := range set {
			byKey[t.Kind] = append(byKey[t.Kind], t)
		}
		w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "KIND\tPARAMETERS\tTEMPLATE\tWHAT")
		missing := 0
		for _, key := range sms.Keys() {
			tpls := byKey[key]
			if len(tpls) == 0 {
				missing++
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", key, sms.JoinParams(sms.Params(key)), "(none: not sent by SMS)", smsKeyAbout[key])
				continue
			}
			for i, t := range tpls {
				lang := "any language"
				if t.Lang != "" {
					lang = t.Lang
				}
				params := t.Params
				if params == "" {
					params = sms.JoinParams(sms.Params(key))
				}
				about := smsKeyAbout[key]
				if i > 0 {
					about = ""
				}
				fmt.Fprintf(w, "%s\t%s\t%s (%s)\t%s\n", key, params, t.TemplateID, lang, about)
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if missing > 0 {
			fmt.Fprintf(c.stdout, "\n%d kinds have no template and are not sent by SMS (counted as \"no SMS template\"). Apply for templates in the provider's console, then:\n  assocbot sms template set --kind KIND --template ID [--lang L] [--params a,b]\n", missing)
		}
		return nil
	}
}

func cmdSMSTemplateSet(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	kind := fs.String("kind", "", "the kind of message (see sms template list)")
	id := fs.String("template", "", "the provider's template id (Tencent TemplateId, Alibaba TemplateCode)")
	lang := fs.String("lang", "", "the members' language it is for: zh-Hans, zh-Hant or en (empty: any)")
	params := fs.String("params", "", "the order of the template's variables, e.g. title,time,place (empty: the kind's order)")
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		key := strings.TrimSpace(*kind)
		if sms.Params(key) == nil {
			msg := fmt.Sprintf("--kind %q is not a kind that can go by SMS; they are: %s", key, strings.Join(sms.Keys(), ", "))
			if near := models.Nearest(key, sms.Keys()); len(near) > 0 {
				msg = fmt.Sprintf("--kind %q is not a kind that can go by SMS; did you mean %s?", key, near[0])
			}
			return usageError{msg}
		}
		if strings.TrimSpace(*id) == "" {
			return usageError{"--template is needed: the template id the provider approved"}
		}
		l := ""
		if *lang != "" {
			parsed, ok := locales.Parse(*lang)
			if !ok {
				return usageError{fmt.Sprintf("--lang %q: zh-Hans, zh-Hant or en (or leave it out for any language)", *lang)}
			}
			l = string(parsed)
		}
		if _, err := sms.ParseParams(key, *params); err != nil {
			return usageError{"--params: " + err.Error()}
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.SetSMSTemplate(ctx, key, l, *id, *params); err != nil {
			if errors.Is(err, store.ErrUnknownTemplateKey) {
				return usageError{err.Error()}
			}
			return usageError{strings.TrimPrefix(err.Error(), "store: sms template: ")}
		}
		ps, _ := sms.ParseParams(key, *params)
		if l == "" {
			l = "any language"
		}
		fmt.Fprintf(c.stdout, "%s (%s): template %s, parameters %s\n", key, l, strings.TrimSpace(*id), sms.JoinParams(ps))
		return nil
	}
}
