package reports

import (
	"strings"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// CardText is a member's card as their organizers read it, in the chat
// (under its buttons) and in the console alike: who they are, how
// messages reach them (SPEC C12), their household (C14), their open
// checks and their last questions (C15). Dates are in the reader's zone.
func CardText(cat *locales.Catalog, lang locales.Lang, loc, zone *time.Location, now time.Time, c *store.Card) string {
	t := func(key string, kv ...any) string { return cat.T(lang, key, kv...) }
	yesNo := func(b bool) string { return t(map[bool]string{true: "export.yes", false: "export.no"}[b]) }
	m := c.Member
	phone := "–"
	if m.Phone != nil {
		phone = models.DisplayPhone(*m.Phone)
	}
	lines := []string{t("member.card", "Name", m.Name, "Phone", phone, "Branch", m.BranchPath(),
		"Role", t("export.role."+string(m.Role)), "Linked", yesNo(m.Linked()), "Status", t("member.status."+string(m.Status)))}
	lines = append(lines, t("member.channel", "Channel", t("member.channel."+string(m.ChannelSet())), "Health", yesNo(m.SMSHealth)))
	if m.SMSStopped() {
		reason := "provider" // the provider refused the number
		if m.SMSStopReason == "td" {
			reason = "td" // the member sent TD
		}
		lines = append(lines, t("member.sms_stopped", "At", cat.Date(lang, m.SMSStoppedAt.In(loc), now), "Reason", t("member.sms_stop_reason."+reason)))
	}
	if line := familyLine(cat, lang, now, c); line != "" {
		lines = append(lines, line)
	}
	for i := range c.Plans {
		p := &c.Plans[i]
		lines = append(lines, t("checks.line", append(planner.PlanArgs(p, p.Kind).KV(cat, lang, zone, now), "State", "")...))
	}
	if len(c.Questions) > 0 {
		lines = append(lines, t("member.questions"))
		for _, q := range c.Questions {
			state := t("member.question_open")
			if q.Status == models.InquiryAnswered {
				state = t("member.question_answered")
			}
			at := q.CreatedAt
			if q.AskedAt != nil {
				at = *q.AskedAt
			}
			lines = append(lines, t("member.question_line", "Date", cat.Date(lang, models.DayOf(at, loc), now),
				"Text", planner.Clip(q.Text, 60), "State", state))
		}
	}
	return strings.Join(lines, "\n")
}

// familyLine is what is known of the member's household: "" when nothing.
func familyLine(cat *locales.Catalog, lang locales.Lang, now time.Time, c *store.Card) string {
	f := c.Family
	var parts []string
	if f.Household != "" {
		parts = append(parts, cat.T(lang, "member.family.household", "Household", f.Household))
	}
	if c.Centre != "" {
		parts = append(parts, cat.T(lang, "member.family.centre", "Name", c.Centre))
	}
	if f.BirthOn != nil {
		parts = append(parts, cat.T(lang, "member.family.birth", "Day", cat.Date(lang, *f.BirthOn, now)))
	}
	if f.Expected != "" {
		parts = append(parts, cat.T(lang, "member.family.expected", "Month", f.Expected))
	}
	if f.Difficulty {
		parts = append(parts, cat.T(lang, "member.family.difficulty"))
	}
	if len(parts) == 0 {
		return ""
	}
	return "🏠 " + strings.Join(parts, cat.T(lang, "list.separator"))
}
