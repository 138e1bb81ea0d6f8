package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/input"
	"github.com/assocbot/assocbot/models/planner"
)

// The guided /newevent dialog: kind → title → date → time → place →
// audience → capacity → preview → confirm, every step with buttons (dates and
// times can also be typed), cancellable at any step with the button or
// /cancel. Callback data: ne:<step>:<value>.
const dialogNE = "newevent"

type eventDraft struct {
	Kind     string `json:"kind,omitempty"`
	Title    string `json:"title,omitempty"`
	Date     string `json:"date,omitempty"` // YYYY-MM-DD
	Time     string `json:"time,omitempty"` // HH:MM
	Place    string `json:"place,omitempty"`
	Audience string `json:"audience,omitempty"`
	Capacity int    `json:"capacity"`
}

func (b *Bot) neDraft(ctx context.Context, r *request) (*models.Dialog, *eventDraft) {
	if !isOrganizer(r.member) {
		return nil, nil
	}
	d, err := b.st.Dialog(ctx, r.from.ID)
	if err != nil || d.Kind != dialogNE {
		return nil, nil
	}
	var dr eventDraft
	if d.Data != "" && json.Unmarshal([]byte(d.Data), &dr) != nil {
		return nil, nil
	}
	return d, &dr
}

func (b *Bot) neSave(ctx context.Context, d *models.Dialog, dr *eventDraft, step string) error {
	raw, _ := json.Marshal(dr)
	d.Step, d.Data = step, string(raw)
	return b.st.SaveDialog(ctx, d)
}

// neData is the callback data of a /newevent dialog button.
func neData(op, arg string) models.Callback {
	return models.Callback{Action: models.ActNewEvent, Op: op, Arg: arg}
}

func (b *Bot) neCancelRow(r *request) []inlineButton {
	return row(cb(b.t(r, "button.cancel"), neData("x", "")))
}

// startNewEventDialog begins the dialog (/newevent without arguments).
func (b *Bot) startNewEventDialog(ctx context.Context, r *request) {
	d := &models.Dialog{TelegramID: r.from.ID, Kind: dialogNE}
	if err := b.neSave(ctx, d, &eventDraft{}, "kind"); err != nil {
		b.fail(ctx, r.chatID, r.lang, "newevent", err)
		return
	}
	var rows [][]inlineButton
	for _, k := range models.EventKinds() {
		rows = append(rows, row(cb(b.t(r, "event.icon."+string(k))+" "+b.t(r, "event.kind."+string(k)), neData("k", string(k)))))
	}
	rows = append(rows, b.neCancelRow(r))
	b.send(ctx, r.chatID, b.t(r, "ne.ask_kind"), inline(rows...))
}

// neStepKeyboard is what a step shows after the question.
func (b *Bot) neAsk(ctx context.Context, r *request, step string, dr *eventDraft) {
	switch step {
	case "title":
		b.send(ctx, r.chatID, b.t(r, "ne.ask_title"), inline(b.neCancelRow(r)))
	case "date":
		now := b.cfg.Now().In(b.cfg.Location)
		var rows [][]inlineButton
		var cur []inlineButton
		for i := 1; i <= 14; i++ {
			day := now.AddDate(0, 0, i)
			label := b.cat.T(r.lang, "time.weekday."+strconv.Itoa(int(day.Weekday()))) + " " + day.Format("01-02")
			cur = append(cur, cb(label, neData("d", day.Format("2006-01-02"))))
			if len(cur) == 3 {
				rows = append(rows, cur)
				cur = nil
			}
		}
		if len(cur) > 0 {
			rows = append(rows, cur)
		}
		rows = append(rows, b.neCancelRow(r))
		b.send(ctx, r.chatID, b.t(r, "ne.ask_date", "Example", now.AddDate(0, 0, 7).Format("2006-01-02")+" 09:30"), inline(rows...))
	case "time":
		var buttons []inlineButton
		for _, t := range []string{"08:30", "09:00", "09:30", "10:00", "14:00", "14:30", "15:00", "19:00"} {
			buttons = append(buttons, cb(t, neData("t", strings.Replace(t, ":", "", 1))))
		}
		b.send(ctx, r.chatID, b.t(r, "ne.ask_time"), inline(buttons[:4], buttons[4:], b.neCancelRow(r)))
	case "place":
		b.send(ctx, r.chatID, b.t(r, "ne.ask_place"), inline(row(cb(b.t(r, "ne.no_place"), neData("p", "-"))), b.neCancelRow(r)))
	case "audience":
		var rows [][]inlineButton
		branch := func(br models.Branch) []inlineButton {
			return row(cb(br.Path, neData("a", models.AudienceChoice{Branch: br.ID}.Encode())))
		}
		if r.scope.Admin {
			rows = append(rows, row(cb(b.t(r, "broadcast.everyone"), neData("a", models.AudienceChoice{All: true}.Encode()))))
			top, _ := b.st.ChildBranches(ctx, nil)
			for _, br := range top {
				rows = append(rows, branch(br))
			}
		}
		orgs, _ := b.st.OrganizedBranches(ctx, r.member.ID)
		for _, br := range orgs {
			kids, _ := b.st.ChildBranches(ctx, &br.ID)
			rows = append(rows, branch(br))
			for _, k := range kids {
				rows = append(rows, branch(k))
			}
		}
		if len(rows) > 40 {
			rows = rows[:40]
		}
		rows = append(rows, b.neCancelRow(r))
		b.send(ctx, r.chatID, b.t(r, "ne.ask_audience"), inline(rows...))
	case "capacity":
		b.send(ctx, r.chatID, b.t(r, "ne.ask_capacity"), inline(
			row(cb(b.t(r, "ne.no_limit"), neData("c", "0")), cb("10", neData("c", "10")), cb("20", neData("c", "20"))),
			row(cb("30", neData("c", "30")), cb("50", neData("c", "50")), cb("100", neData("c", "100"))),
			b.neCancelRow(r)))
	case "confirm":
		e, _ := b.neEvent(dr)
		aud, _ := models.ParseAudience(dr.Audience)
		n, _ := b.st.CountAudience(ctx, aud)
		capacity := b.t(r, "ne.no_limit")
		if dr.Capacity > 0 {
			capacity = strconv.Itoa(dr.Capacity)
		}
		args := planner.EventArgs(e, e.StartAt)
		card := b.t(r, "event.card", args.KV(b.cat, r.lang, b.cfg.Location, b.cfg.Now())...)
		b.send(ctx, r.chatID, b.t(r, "ne.preview", "Card", card, "Audience", b.audienceLabel(r, aud), "Count", n, "Capacity", capacity),
			inline(row(cb(b.t(r, "ne.create"), neData("ok", ""))), b.neCancelRow(r)))
	}
}

// neEvent builds the event from a finished draft.
func (b *Bot) neEvent(dr *eventDraft) (*models.Event, error) {
	start, err := time.ParseInLocation("2006-01-02 15:04", dr.Date+" "+dr.Time, b.cfg.Location)
	if err != nil {
		return nil, err
	}
	return &models.Event{Kind: models.EventKind(dr.Kind), Title: dr.Title, Location: dr.Place, StartAt: start,
		Audience: dr.Audience, RSVP: true, Capacity: dr.Capacity}, nil
}

// onNewEventCallback moves the dialog on by a button.
func (b *Bot) onNewEventCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !isOrganizer(r.member) {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	d, dr := b.neDraft(ctx, r)
	if d != nil && c.Op == "x" {
		b.answer(ctx, q, "", false)
		b.cancelDialog(ctx, r)
		return
	}
	if d == nil {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	step, value := c.Op, c.Arg
	next := ""
	switch {
	case step == "k" && d.Step == "kind" && models.EventKind(value).Valid():
		dr.Kind, next = value, "title"
	case step == "d" && d.Step == "date":
		if _, err := time.ParseInLocation("2006-01-02", value, b.cfg.Location); err == nil {
			dr.Date, next = value, "time"
		}
	case step == "t" && d.Step == "time" && len(value) == 4:
		dr.Time, next = value[:2]+":"+value[2:], "place"
	case step == "p" && d.Step == "place" && value == "-":
		dr.Place, next = "", "audience"
	case step == "a" && d.Step == "audience":
		if aud, ok := b.allowedAudience(ctx, r, value); ok {
			dr.Audience, next = aud.String(), "capacity"
		} else {
			b.answer(ctx, q, b.t(r, "auth.not_your_branch"), true)
			return
		}
	case step == "c" && d.Step == "capacity":
		if n, err := strconv.Atoi(value); err == nil && n >= 0 && n <= models.MaxCapacity {
			dr.Capacity, next = n, "confirm"
		}
	case step == "ok" && d.Step == "confirm":
		b.answer(ctx, q, "", false)
		b.neCreate(ctx, r, dr)
		return
	}
	if next == "" {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	if next == "place" {
		if start, err := b.neEvent(dr); err != nil || !start.StartAt.After(b.cfg.Now()) {
			b.answer(ctx, q, b.t(r, "newevent.past"), true)
			return
		}
	}
	if err := b.neSave(ctx, d, dr, next); err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		return
	}
	b.answer(ctx, q, "", false)
	if msg := q.Message.Message; msg != nil {
		// The answered question keeps its text, without its buttons.
		b.edit(ctx, r.chatID, msg.ID, msg.Text, nil)
	}
	b.neAsk(ctx, r, next, dr)
}

// onNewEventInput takes typed answers: the title, a date (and time), the place.
func (b *Bot) onNewEventInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	d, dr := b.neDraft(ctx, r)
	if d == nil {
		return false
	}
	text := strings.TrimSpace(msg.Text)
	next := ""
	switch d.Step {
	case "title":
		if text == "" || len([]rune(text)) > models.MaxTitleRunes {
			b.send(ctx, r.chatID, b.t(r, "newevent.bad_title"), nil)
			return true
		}
		dr.Title, next = text, "date"
	case "date", "time":
		var t time.Time
		var err error
		if d.Step == "time" {
			// A time of day for the date chosen: 9:30, 9点半, 下午3点.
			var day time.Time
			var h, m int
			if day, err = time.ParseInLocation("2006-01-02", dr.Date, b.cfg.Location); err == nil {
				if h, m, err = input.Clock(text); err == nil {
					t = time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, b.cfg.Location)
				}
			}
		} else {
			t, err = input.When(text, b.cfg.Now(), b.cfg.Location)
		}
		if err != nil {
			b.send(ctx, r.chatID, b.t(r, "newevent.bad_time", "Value", truncate(text, 30)), nil)
			return true
		}
		if !t.After(b.cfg.Now()) {
			b.send(ctx, r.chatID, b.t(r, "newevent.past"), nil)
			return true
		}
		dr.Date, dr.Time, next = t.Format("2006-01-02"), t.Format("15:04"), "place"
	case "place":
		if text == "" {
			b.send(ctx, r.chatID, b.t(r, "ne.ask_place"), nil)
			return true
		}
		if len([]rune(text)) > models.MaxPlaceRunes {
			b.send(ctx, r.chatID, b.t(r, "newevent.bad_place"), nil)
			return true
		}
		dr.Place, next = text, "audience"
	default:
		b.send(ctx, r.chatID, b.t(r, "broadcast.use_buttons"), nil)
		return true
	}
	if err := b.neSave(ctx, d, dr, next); err != nil {
		b.fail(ctx, r.chatID, r.lang, "newevent", err)
		return true
	}
	b.neAsk(ctx, r, next, dr)
	return true
}

func (b *Bot) neCreate(ctx context.Context, r *request, dr *eventDraft) {
	e, err := b.neEvent(dr)
	if err != nil {
		b.send(ctx, r.chatID, b.t(r, "callback.stale"), nil)
		return
	}
	if !e.StartAt.After(b.cfg.Now()) {
		b.send(ctx, r.chatID, b.t(r, "newevent.past"), nil)
		return
	}
	if !b.createEvent(ctx, r, e) {
		return
	}
	if err := b.st.ClearDialog(ctx, r.from.ID); err != nil {
		b.log.Warn("clear dialog", "err", err)
	}
}
