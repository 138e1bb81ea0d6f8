package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// Home visits (SPEC C14): /visits lists the visits a cadre should make now
// (their own, and an organizer's those of their branches without a centre
// household), each with ✅; a tap records it made today, and the bot
// offers to add what was given, a note or a photo.

// visitRefusals are the words for a refused tap (nothing is changed).
var visitRefusals = map[error]string{
	models.ErrVisitNotYours: "visit.refused.not_yours",
	models.ErrVisitClosed:   "visit.refused.closed",
	models.ErrVisitNotYet:   "visit.refused.not_yet",
	store.ErrNotFound:       "callback.stale",
}

// dueVisits are the visits r's member should make today.
func (b *Bot) dueVisits(ctx context.Context, r *request) ([]planner.VisitItem, error) {
	q := store.VisitQuery{Assignee: r.member.ID, States: []models.VisitState{models.VisitOpen}}
	if r.member.IsOrganizer() {
		q.Unassigned = &r.scope
	}
	rows, err := b.st.Visits(ctx, q)
	if err != nil {
		return nil, err
	}
	today := models.DayOf(b.cfg.Now(), b.cfg.Location)
	var items []planner.VisitItem
	for _, v := range rows {
		if v.Due(today) {
			items = append(items, v.Item())
		}
	}
	return items, nil
}

// onVisits is /visits: the list, as the day's message shows it.
func (b *Bot) onVisits(ctx context.Context, r *request) {
	if !b.requireMember(ctx, r) {
		return
	}
	items, err := b.dueVisits(ctx, r)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "visits", err)
		return
	}
	if len(items) == 0 {
		b.send(ctx, r.chatID, b.t(r, "visit.none"), b.keyboardFor(r))
		return
	}
	now := b.cfg.Now()
	zone := r.member.Zone(b.cfg.Location)
	var a planner.Args
	var scope models.Scope
	if r.member.IsOrganizer() {
		scope = r.scope
	}
	a.Int("Count", len(items)).List("List", planner.VisitLines(items, scope, "visit.more_here"))
	b.send(ctx, r.chatID, b.t(r, "visit.list", a.KV(b.cat, r.lang, zone, now)...), telegram.RenderInline(b.cat, r.lang, planner.VisitButtons(items)))
}

// onVisitDone is ✅ on a visit: made today.
func (b *Bot) onVisitDone(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if r.member == nil || !r.member.OnRoster() {
		b.answer(ctx, q, b.t(r, "visit.refused.not_yours"), true)
		return
	}
	v, err := b.st.DoneVisit(ctx, c.ID, r.member, r.scope, "", "", b.cfg.Location, b.cfg.Now())
	if err != nil {
		b.visitRefused(ctx, r, q, err)
		return
	}
	b.answer(ctx, q, b.t(r, "visit.saved"), false)
	b.send(ctx, r.chatID, b.t(r, "visit.done", "Name", v.FamilyName, "Day", b.cat.Date(r.lang, *v.DoneOn, b.cfg.Now())), inline(row(
		cb(b.t(r, "visit.button.gave"), models.Callback{Action: models.ActVisitNote, ID: v.ID, Op: "g"}),
		cb(b.t(r, "visit.button.note"), models.Callback{Action: models.ActVisitNote, ID: v.ID, Op: "n"}),
		cb(b.t(r, "visit.button.photo"), models.Callback{Action: models.ActVisitNote, ID: v.ID, Op: "p"}))))
}

func (b *Bot) visitRefused(ctx context.Context, r *request, q *tgm.CallbackQuery, err error) {
	for reason, key := range visitRefusals {
		if errors.Is(err, reason) {
			b.answer(ctx, q, b.t(r, key), true)
			return
		}
	}
	b.tapFault(ctx, r, q, "visit", err)
}

// dialogVisitNote waits for what was given, a note or a photo of a visit.
const dialogVisitNote = "visit_note"

type visitNoteDialog struct {
	Visit uint   `json:"v"`
	What  string `json:"w"` // g, n or p
}

// onVisitNote is 🎁, 📝 or 📷 after a visit: the bot asks for it.
func (b *Bot) onVisitNote(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if r.member == nil || !r.member.OnRoster() {
		b.answer(ctx, q, b.t(r, "visit.refused.not_yours"), true)
		return
	}
	v, err := b.st.VisitByID(ctx, c.ID)
	if err != nil {
		b.visitRefused(ctx, r, q, err)
		return
	}
	if v.State != models.VisitDone {
		b.answer(ctx, q, b.t(r, "visit.refused.closed"), true)
		return
	}
	if v.DoneBy == nil || *v.DoneBy != r.member.ID {
		if err := store.MayCloseVisit(v, r.member, r.scope); err != nil {
			b.visitRefused(ctx, r, q, err)
			return
		}
	}
	raw, _ := json.Marshal(visitNoteDialog{Visit: v.ID, What: c.Op})
	if err := b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: dialogVisitNote, Step: c.Op, Data: string(raw)}); err != nil {
		b.tapFault(ctx, r, q, "visit note", err)
		return
	}
	b.answer(ctx, q, "", false)
	key, max := map[string]string{"g": "visit.ask.gave", "n": "visit.ask.note", "p": "visit.ask.photo"}[c.Op], models.MaxVisitNote
	if c.Op == "g" {
		max = models.MaxVisitGave
	}
	b.send(ctx, r.chatID, b.t(r, key, "Max", max), nil)
}

// onVisitNoteInput takes what the visit note dialog waits for; false when
// it waits for nothing.
func (b *Bot) onVisitNoteInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	vd, ok := typedDialog[visitNoteDialog](ctx, b, r, dialogVisitNote)
	if !ok {
		return false
	}
	var note, gave, photo string
	text := strings.TrimSpace(msg.Text)
	max := models.MaxVisitNote
	switch vd.What {
	case "p":
		if len(msg.Photo) == 0 {
			b.send(ctx, r.chatID, b.t(r, "visit.ask.photo"), nil)
			return true
		}
		photo = msg.Photo[len(msg.Photo)-1].FileID
	case "g":
		gave, max = text, models.MaxVisitGave
	default:
		note = text
	}
	if vd.What != "p" && text == "" {
		b.send(ctx, r.chatID, b.t(r, "visit.bad_words", "Max", max), nil)
		return true
	}
	v, err := b.st.AnnotateVisit(ctx, vd.Visit, r.member, r.scope, note, gave, photo, b.cfg.Now())
	if errors.Is(err, models.ErrBadText) {
		b.send(ctx, r.chatID, b.t(r, "visit.bad_words", "Max", max), nil)
		return true
	}
	b.dropDialog(ctx, r)
	if err != nil {
		for reason, key := range visitRefusals {
			if errors.Is(err, reason) {
				b.send(ctx, r.chatID, b.t(r, key), b.keyboardFor(r))
				return true
			}
		}
		b.fail(ctx, r.chatID, r.lang, "visit note", err)
		return true
	}
	b.send(ctx, r.chatID, b.t(r, "visit.annotated", "Name", v.FamilyName), b.keyboardFor(r))
	return true
}

// missedVisits is /overdue's part on home visits: those of the
// organizer's branches missed this quarter ("" for none).
func (b *Bot) missedVisits(ctx context.Context, r *request) string {
	q := models.QuarterOf(b.cfg.Now().In(b.cfg.Location))
	from, to := q.Span(b.cfg.Location)
	rows, err := b.st.Visits(ctx, store.VisitQuery{Scope: &r.scope, States: []models.VisitState{models.VisitMissed}, From: from, To: to})
	if err != nil {
		b.log.Error("missed visits", "err", err)
		return ""
	}
	if len(rows) == 0 {
		return ""
	}
	items := make([]planner.VisitItem, len(rows))
	for i, v := range rows {
		items[i] = v.Item()
	}
	var a planner.Args
	a.Int("Count", len(items)).List("List", planner.VisitLines(items, r.scope, "visit.more_here"))
	return b.t(r, "visit.missed_title", a.KV(b.cat, r.lang, r.member.Zone(b.cfg.Location), b.cfg.Now())...)
}
