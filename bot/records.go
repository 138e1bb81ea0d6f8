package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/store"
)

// Activity records (SPEC C8): after a branch activity its organizer writes
// the record in a few taps — the topic (or the event's title, one tap), a
// short summary (or skip), photos — while attendance comes from check-in.
// /records lists a quarter's records and the activities still without one.

const dialogRecord = "record"

// The record dialog's steps.
const (
	recordTopic   = "topic"
	recordSummary = "summary"
	recordPhotos  = "photos"
)

type recordDialog struct {
	Event  uint   `json:"event"`
	Occ    int64  `json:"occ"` // Unix seconds
	Topic  string `json:"topic,omitempty"`
	Record uint   `json:"record,omitempty"`
}

func (d recordDialog) occ() time.Time { return time.Unix(d.Occ, 0).UTC() }

// recordButton is a step's button of the record dialog.
func (b *Bot) recordButton(r *request, key string, e uint, occ time.Time, op string, kv ...any) inlineButton {
	return cb(b.t(r, key, kv...), models.Callback{Action: models.ActRecord, Event: e, Occ: occ, Op: op})
}

// heldActivity finds an occurrence the organizer may write the record of.
func (b *Bot) heldActivity(ctx context.Context, r *request, eventID uint, occ time.Time) (*models.Event, string) {
	if !r.member.IsOrganizer() {
		return nil, "auth.organizers_only_action"
	}
	e, err := b.st.EventByID(ctx, eventID)
	if err != nil {
		return nil, "event.not_found"
	}
	manages, err := b.st.CanManage(ctx, r.member, e)
	switch {
	case err != nil || !manages:
		return nil, "record.not_yours"
	case !e.Recordable():
		return nil, "record.not_activity"
	case !e.Occurs(b.cfg.Location, occ):
		return nil, "callback.stale"
	}
	if held, err := b.st.Held(ctx, e.ID, occ, b.cfg.Now(), b.cfg.Location); err != nil {
		b.log.Error("record: held", "event_id", e.ID, "err", err)
		return nil, "error.internal"
	} else if !held {
		return nil, "record.not_held"
	}
	return e, ""
}

// onRecordCallback handles the record dialog's buttons: s(tart), t(itle as
// the topic), n(o summary), d(one), x (cancel).
func (b *Bot) onRecordCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	e, refusal := b.heldActivity(ctx, r, c.Event, c.Occ)
	if refusal != "" {
		b.answer(ctx, q, b.t(r, refusal), true)
		return
	}
	if c.Op == "s" {
		b.answer(ctx, q, "", false)
		b.startRecord(ctx, r, e, c.Occ)
		return
	}
	d, step, ok := b.recordDialogOf(ctx, r)
	want := map[string]string{"t": recordTopic, "n": recordSummary}[c.Op]
	if !ok || d.Event != c.Event || !d.occ().Equal(c.Occ) || (want != "" && step != want) {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	b.clearMarkup(ctx, q)
	b.answer(ctx, q, "", false)
	switch c.Op {
	case "t":
		b.recordStep(ctx, r, e, d, step, e.Title)
	case "n":
		b.recordStep(ctx, r, e, d, step, "")
	case "d":
		if b.endDialog(ctx, r) {
			b.recordSaved(ctx, r, e, d.occ())
		}
	case "x":
		if b.endDialog(ctx, r) {
			b.send(ctx, r.chatID, b.t(r, "record.cancelled"), nil)
		}
	}
}

// startRecord asks for the topic.
func (b *Bot) startRecord(ctx context.Context, r *request, e *models.Event, occ time.Time) {
	d := recordDialog{Event: e.ID, Occ: occ.Unix()}
	if !b.saveRecordDialog(ctx, r, recordTopic, d) {
		return
	}
	b.send(ctx, r.chatID, b.t(r, "record.ask_topic", b.eventKV(r, e, occ)...), inline(
		row(b.recordButton(r, "record.button.use_title", e.ID, occ, "t", "Title", truncate(e.Title, 30))),
		row(b.recordButton(r, "button.cancel", e.ID, occ, "x")),
	))
}

// recordStep takes the topic (then asks for the summary) or the summary
// (then saves the record and asks for photos), from a typed text or a
// button.
func (b *Bot) recordStep(ctx context.Context, r *request, e *models.Event, d recordDialog, step, text string) {
	occ := d.occ()
	switch step {
	case recordTopic:
		if strings.TrimSpace(text) == "" {
			text = e.Title
		}
		if !models.ValidText(text, false) {
			b.send(ctx, r.chatID, b.t(r, "text.bad"), nil) // the dialog waits for the topic again
			return
		}
		d.Topic = truncate(strings.TrimSpace(text), 200)
		if !b.saveRecordDialog(ctx, r, recordSummary, d) {
			return
		}
		b.send(ctx, r.chatID, b.t(r, "record.ask_summary", "Topic", d.Topic), inline(
			row(b.recordButton(r, "record.button.skip", e.ID, occ, "n")),
			row(b.recordButton(r, "button.cancel", e.ID, occ, "x")),
		))
	case recordSummary:
		if !models.ValidText(text, true) {
			b.send(ctx, r.chatID, b.t(r, "text.bad"), nil) // the dialog waits for the summary again
			return
		}
		rec, err := b.st.SaveRecord(ctx, e.ID, occ, r.member, d.Topic, truncate(strings.TrimSpace(text), 2000), b.cfg.Location, b.cfg.Now())
		if err != nil {
			b.recordRefused(ctx, r, err)
			return
		}
		d.Record = rec.ID
		if !b.saveRecordDialog(ctx, r, recordPhotos, d) {
			return
		}
		b.send(ctx, r.chatID, b.t(r, "record.ask_photos", "Max", models.MaxRecordPhotos), inline(
			row(b.recordButton(r, "record.button.done", e.ID, occ, "d")),
		))
	default:
		b.send(ctx, r.chatID, b.t(r, "record.send_photo"), inline(row(b.recordButton(r, "record.button.done", e.ID, occ, "d"))))
	}
}

func (b *Bot) recordRefused(ctx context.Context, r *request, err error) {
	switch {
	case errors.Is(err, models.ErrNotYours):
		b.send(ctx, r.chatID, b.t(r, "record.not_yours"), nil)
	case errors.Is(err, models.ErrNotRecordable):
		b.send(ctx, r.chatID, b.t(r, "record.not_activity"), nil)
	case errors.Is(err, store.ErrNotHeld):
		b.send(ctx, r.chatID, b.t(r, "record.not_held"), nil)
	case errors.Is(err, models.ErrBadOccurrence), errors.Is(err, store.ErrNotFound):
		b.send(ctx, r.chatID, b.t(r, "callback.stale"), nil)
	case errors.Is(err, models.ErrBadText):
		b.send(ctx, r.chatID, b.t(r, "text.bad"), nil)
	default:
		b.fail(ctx, r.chatID, r.lang, "record", err)
	}
	b.dropDialog(ctx, r)
}

// onRecordInput takes a typed topic or summary, or a photo, while the
// record dialog waits for one; it reports false when none waits.
func (b *Bot) onRecordInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	d, step, ok := b.recordDialogOf(ctx, r)
	if !ok {
		return false
	}
	e, refusal := b.heldActivity(ctx, r, d.Event, d.occ())
	if refusal != "" {
		if b.endDialog(ctx, r) {
			b.send(ctx, r.chatID, b.t(r, refusal), nil)
		}
		return true
	}
	if len(msg.Photo) > 0 && step == recordPhotos {
		n, err := b.st.AddRecordPhoto(ctx, d.Record, r.member, msg.Photo[len(msg.Photo)-1].FileID)
		if err != nil {
			b.recordRefused(ctx, r, err)
			return true
		}
		key := "record.photo_saved"
		if n >= models.MaxRecordPhotos {
			key = "record.photos_full"
		}
		b.send(ctx, r.chatID, b.t(r, key, "Count", n, "Max", models.MaxRecordPhotos), inline(
			row(b.recordButton(r, "record.button.done", e.ID, d.occ(), "d")),
		))
		return true
	}
	text := strings.TrimSpace(msg.Text)
	if text == "" {
		text = strings.TrimSpace(msg.Caption)
	}
	if step == recordPhotos || text == "" {
		b.send(ctx, r.chatID, b.t(r, "record.send_photo"), inline(row(b.recordButton(r, "record.button.done", e.ID, d.occ(), "d"))))
		return true
	}
	b.recordStep(ctx, r, e, d, step, text)
	return true
}

func (b *Bot) recordDialogOf(ctx context.Context, r *request) (d recordDialog, step string, ok bool) {
	dlg, err := b.st.Dialog(ctx, r.from.ID)
	if err != nil || dlg.Kind != dialogRecord || json.Unmarshal([]byte(dlg.Data), &d) != nil {
		return d, "", false
	}
	return d, dlg.Step, true
}

func (b *Bot) saveRecordDialog(ctx context.Context, r *request, step string, d recordDialog) bool {
	raw, _ := json.Marshal(d)
	if err := b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: dialogRecord, Step: step, Data: string(raw)}); err != nil {
		b.fail(ctx, r.chatID, r.lang, "record dialog", err)
		return false
	}
	return true
}

// recordSaved shows the finished record.
func (b *Bot) recordSaved(ctx context.Context, r *request, e *models.Event, occ time.Time) {
	rec, err := b.st.RecordOf(ctx, e.ID, occ)
	if err != nil {
		b.send(ctx, r.chatID, b.t(r, "record.cancelled"), nil)
		return
	}
	came, err := b.st.CheckedIn(ctx, e.ID, occ)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "record", err)
		return
	}
	kv := append(b.eventKV(r, e, occ), "Topic", rec.Topic, "Summary", rec.Summary, "Came", len(came), "Photos", len(rec.PhotoIDs()))
	b.send(ctx, r.chatID, b.t(r, "record.saved", kv...), nil)
}

// eventKV renders an occurrence's title, place and time for the reader.
func (b *Bot) eventKV(r *request, e *models.Event, occ time.Time) []any {
	return planner.EventArgs(e, occ).KV(b.cat, r.lang, r.member.Zone(b.cfg.Location), b.cfg.Now())
}

// maxRecordButtons bounds the activities without a record offered at once.
const maxRecordButtons = 10

// onRecords is /records [2026Q4]: the quarter's records of the organizer's
// branches, and a button for each activity still without one.
func (b *Bot) onRecords(ctx context.Context, r *request, args string) {
	now := b.cfg.Now().In(b.cfg.Location)
	q, err := models.ParseQuarter(strings.ToUpper(strings.TrimSpace(args)), now)
	if err != nil {
		b.send(ctx, r.chatID, b.t(r, "export.bad_quarter", "Value", truncate(args, 20)), nil)
		return
	}
	from, to := q.Span(b.cfg.Location)
	recs, err := b.st.RecordsIn(ctx, r.scope, from, to)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "records", err)
		return
	}
	held, err := b.st.ActivitiesWithoutRecord(ctx, from, to, now, b.cfg.Location)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "records", err)
		return
	}
	zone := r.member.Zone(b.cfg.Location)
	lines := []string{b.t(r, "records.title", "Quarter", b.cat.Quarter(r.lang, q.Year, q.Q), "Count", len(recs))}
	for _, rec := range recs {
		lines = append(lines, b.t(r, "records.line", "Date", rec.Occurrence.In(zone).Format("2006-01-02"), "Branch", rec.BranchPath,
			"Topic", rec.Topic, "Came", rec.Attendance, "Satisfaction", reports.SatisfactionText(b.cat, r.lang, rec.Satisfaction), "Photos", len(rec.PhotoIDs())))
	}
	visits := ""
	if v, err := b.st.VisitFiguresIn(ctx, r.scope, from, to); err == nil && v.Done+v.Missed > 0 {
		visits = b.t(r, "stats.visits", "Done", v.Done, "Missed", v.Missed, "Rate", reports.Percent(v.Done, v.Done+v.Missed))
	}
	var buttons [][]inlineButton
	var missing []string
	for _, h := range held {
		if !b.mayRecord(ctx, r, &h.Event) {
			continue
		}
		day := h.Occurrence.In(zone).Format("01-02")
		missing = append(missing, b.t(r, "records.missing_line", "Date", day, "Title", h.Event.Title, "Came", h.Attendance))
		if len(buttons) < maxRecordButtons {
			buttons = append(buttons, row(b.recordButton(r, "records.button.write", h.Event.ID, h.Occurrence, "s",
				"Date", day, "Title", truncate(h.Event.Title, 24))))
		}
	}
	if len(missing) > 0 {
		lines = append(lines, "", b.t(r, "records.missing", "Count", len(missing)))
		lines = append(lines, missing...)
	}
	if len(recs) == 0 && len(missing) == 0 {
		lines = []string{b.t(r, "records.none", "Quarter", b.cat.Quarter(r.lang, q.Year, q.Q))}
	}
	if visits != "" {
		// The quarter's visit log in a line (the whole: /export visits).
		lines = append(lines, "", visits)
	}
	text := firstLines(strings.Join(lines, "\n"), maxMessage)
	var markup any
	if len(buttons) > 0 {
		markup = inline(buttons...)
	}
	b.send(ctx, r.chatID, text, markup)
}

// mayRecord reports whether the organizer manages the activity.
func (b *Bot) mayRecord(ctx context.Context, r *request, e *models.Event) bool {
	ok, err := b.st.CanManage(ctx, r.member, e)
	return err == nil && ok
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
