package bot

import (
	"errors"
	"fmt"
	"time"

	"github.com/assocbot/assocbot/models/input"
)

// Typed times across clock changes. input.Local is the rule; here are its
// words: a time the clocks jump over is refused with the nearest times
// that happen, and a time they show twice, taken as the first, is said so.

// timeRefusal is the message key (and arguments) that refuses value, a
// typed time that could not be taken: clock.gap when the clocks jump over
// it, else newevent.bad_time.
func (b *Bot) timeRefusal(r *request, value string, err error) (string, []any) {
	var gap *input.GapError
	if errors.As(err, &gap) {
		return "clock.gap", []any{"Value", truncate(value, 30),
			"Before", b.cat.DateTime(r.lang, gap.Before, b.cfg.Location, b.cfg.Now()),
			"After", b.cat.DateTime(r.lang, gap.After, b.cfg.Location, b.cfg.Now())}
	}
	return "newevent.bad_time", []any{"Value", truncate(value, 30)}
}

// twiceNotes are the lines that say, for each time the clocks show twice,
// that the first was taken; "" when there is none. Each line starts a new
// paragraph, to follow a reply.
func (b *Bot) twiceNotes(r *request, times ...time.Time) string {
	var out string
	for _, t := range times {
		t = t.In(b.cfg.Location)
		second, twice := input.Ambiguous(t)
		if !twice || !second.After(t) {
			continue
		}
		out += "\n\n" + b.t(r, "clock.twice", "When", b.cat.DateTime(r.lang, t, b.cfg.Location, b.cfg.Now()),
			"First", utcOffset(t), "Second", utcOffset(second))
	}
	return out
}

// utcOffset names t's offset from UTC: UTC−4, UTC+10:30, UTC+8.
func utcOffset(t time.Time) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "−", -off
	}
	if off%3600 == 0 {
		return fmt.Sprintf("UTC%s%d", sign, off/3600)
	}
	return fmt.Sprintf("UTC%s%d:%02d", sign, off/3600, off%3600/60)
}
