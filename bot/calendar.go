package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"
	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"
)

// calendarHorizon and maxCalendarEvents bound a calendar file.
const (
	calendarHorizon   = 366 * 24 * time.Hour
	maxCalendarEvents = 200
)

// icsFile is an RFC 5545 calendar of occurrences. Each occurrence is its own
// VEVENT with UTC times (no RRULE, no TZID): every calendar program shows it
// at the right moment, whatever zone the reader is in.
func icsFile(occs []occurrence, now time.Time) []byte {
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//assocbot//assocbot//EN")
	for _, o := range occs {
		ev := cal.AddEvent(fmt.Sprintf("event-%d-%d@assocbot", o.event.ID, o.at.Unix()))
		ev.SetDtStampTime(now.UTC())
		ev.SetStartAt(o.at.UTC())
		ev.SetEndAt(o.at.Add(o.event.Duration()).UTC())
		ev.SetSummary(o.event.Title)
		if o.event.Location != "" {
			ev.SetLocation(o.event.Location)
		}
		if o.event.Description != "" {
			ev.SetDescription(o.event.Description)
		}
	}
	return []byte(cal.Serialize())
}

// onCalendar sends a calendar file: one event's coming dates (/calendar <id>
// or the card's button), or all the member's events (/calendar).
func (b *Bot) onCalendar(ctx context.Context, r *request, args string) {
	if !b.requireMember(ctx, r) {
		return
	}
	now := b.cfg.Now()
	var occs []occurrence
	name := fileName(b.t(r, "calendar.file_all")) + ".ics"
	if args == "" {
		all, err := b.upcomingFor(ctx, r.member, calendarHorizon)
		if err != nil {
			b.fail(ctx, r.chatID, r.lang, "calendar", err)
			return
		}
		occs = all
	} else {
		e, _, ok := b.eventFromArgs(ctx, r, args, "calendar.usage")
		if !ok {
			return
		}
		at, err := e.Occurrences(b.cfg.Location, now, now.Add(calendarHorizon))
		if err != nil {
			b.fail(ctx, r.chatID, r.lang, "calendar", err)
			return
		}
		for _, t := range at {
			occs = append(occs, occurrence{event: e, at: t})
		}
		name = fileName(e.Title) + ".ics"
	}
	if len(occs) == 0 {
		b.send(ctx, r.chatID, b.t(r, "events.none"), nil)
		return
	}
	if len(occs) > maxCalendarEvents {
		occs = occs[:maxCalendarEvents]
	}
	_, err := b.api.SendDocument(ctx, &tg.SendDocumentParams{
		ChatID:   r.chatID,
		Document: &tgm.InputFileUpload{Filename: name, Data: bytes.NewReader(icsFile(occs, now))},
		Caption:  b.t(r, "calendar.caption", "Count", len(occs)),
	})
	if err != nil {
		b.apiFailed("sendDocument", r.chatID, err)
	}
}

// onCalendarCallback is the card's "Add to calendar" button.
func (b *Bot) onCalendarCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, id uint) {
	if r.member == nil {
		b.answer(ctx, q, b.t(r, "auth.members_only"), true)
		return
	}
	b.answer(ctx, q, "", false)
	b.onCalendar(ctx, r, fmt.Sprint(id))
}

// fileName makes a file name of a title (the event's name, in its own
// script): the characters file systems refuse become "-", at most 40.
func fileName(title string) string {
	name := strings.Map(func(c rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, c) || unicode.IsSpace(c) || unicode.IsControl(c) {
			return '-'
		}
		return c
	}, strings.TrimSpace(title))
	if name = strings.Trim(name, "-."); name == "" {
		name = "event"
	}
	return string([]rune(name)[:min(len([]rune(name)), 40)])
}
