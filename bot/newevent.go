package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/calendar"
	"github.com/assocbot/assocbot/models/input"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// The guided /newevent dialog, a usual event in six inputs: /newevent → a
// suggested title (it brings its kind; or a typed title, then its kind) →
// a day on a month calendar → a time → a place (the organizer's recent
// places as buttons, or typed) → ✅ Create. The audience is the organizer's
// own branch unless changed, capacity is open unless set: both behind
// buttons on the preview. Dates and times can also be typed (12月20日 9点).
// Cancellable at any step with ❌ or /cancel. Callback data: ne:<step>:<value>.
const dialogNE = "newevent"

type eventDraft struct {
	Kind     string   `json:"kind,omitempty"`
	Title    string   `json:"title,omitempty"`
	Date     string   `json:"date,omitempty"` // YYYY-MM-DD
	Time     string   `json:"time,omitempty"` // HH:MM
	Place    string   `json:"place,omitempty"`
	Places   []string `json:"places,omitempty"` // offered as buttons, by index
	Audience string   `json:"audience,omitempty"`
	Capacity int      `json:"capacity"`
	// OnHoliday: the organizer confirmed a date that is a statutory
	// holiday.
	OnHoliday bool `json:"holiday,omitempty"`
}

// neHoliday is the statutory holiday (a day off) on the draft's date, to
// confirm before going on; false when there is none or it was confirmed.
func (b *Bot) neHoliday(dr *eventDraft) (calendar.Holiday, bool) {
	day, err := time.Parse("2006-01-02", dr.Date)
	if err != nil || dr.OnHoliday {
		return calendar.Holiday{}, false
	}
	return calendar.DayOff(day)
}

// neSuggestions are the usual events, a tap each: a title (in the
// organizer's words) and its kind.
var neSuggestions = []struct {
	key  string
	kind models.EventKind
}{
	{"ne.suggest.meeting", models.EventMeeting},
	{"ne.suggest.activity", models.EventActivityDay},
	{"ne.suggest.member_day", models.EventActivityDay},
	{"ne.suggest.talk", models.EventTraining},
	{"ne.suggest.check", models.EventCheckSession},
}

// neMonthsAhead bounds the calendar.
const neMonthsAhead = 24

// neDraft is the organizer's /newevent dialog, nil when they are in none;
// err is a fault of the store. A draft that no longer reads is ended (and
// said to be a fault), so that nobody is held in a dialog that cannot go on.
func (b *Bot) neDraft(ctx context.Context, r *request) (*models.Dialog, *eventDraft, error) {
	if !r.member.IsOrganizer() {
		return nil, nil, nil
	}
	d, err := b.st.Dialog(ctx, r.from.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if d.Kind != dialogNE {
		return nil, nil, nil
	}
	var dr eventDraft
	if d.Data != "" {
		if err := json.Unmarshal([]byte(d.Data), &dr); err != nil {
			if cerr := b.st.ClearDialog(ctx, r.from.ID); cerr != nil {
				err = errors.Join(err, cerr)
			}
			return nil, nil, fmt.Errorf("newevent draft: %w", err)
		}
	}
	return d, &dr, nil
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
	dr := &eventDraft{Audience: models.Everyone().String()}
	if !r.scope.Admin {
		// The organizer's own branch, unless they choose another.
		branches, err := b.st.OrganizedBranches(ctx, r.member.ID)
		if err != nil {
			b.fail(ctx, r.chatID, r.lang, "newevent", err)
			return
		}
		if len(branches) == 0 {
			b.send(ctx, r.chatID, b.t(r, "broadcast.no_audience"), nil)
			return
		}
		dr.Audience = models.BranchAudience(branches[0].Path).String()
	}
	d := &models.Dialog{TelegramID: r.from.ID, Kind: dialogNE}
	b.neMoveOn(ctx, r, nil, d, dr, "title")
}

// neMoveOn saves the draft at step and asks that step's question. The
// question is made first: when the store fails to give what it shows (the
// branches, the count of members), that is said as a fault — on the tap q,
// or in the chat — and the dialog stays where it was, never showing an
// empty list or a count of 0 for a failed read.
func (b *Bot) neMoveOn(ctx context.Context, r *request, q *tgm.CallbackQuery, d *models.Dialog, dr *eventDraft, step string) {
	text, markup, err := b.neQuestion(ctx, r, step, dr)
	if err == nil {
		err = b.neSave(ctx, d, dr, step)
	}
	if err != nil {
		b.neFault(ctx, r, q, err)
		return
	}
	if q != nil {
		if msg := q.Message.Message; msg != nil {
			// The answered question keeps its text, without its buttons.
			b.edit(ctx, r.chatID, msg.ID, msg.Text, nil)
		}
		b.answer(ctx, q, "", false)
	}
	b.send(ctx, r.chatID, text, markup)
}

// neFault logs a fault of the store met in the dialog and says so: in the
// tap's answer when there is a tap, else in the chat (b.fail).
func (b *Bot) neFault(ctx context.Context, r *request, q *tgm.CallbackQuery, err error) {
	if q == nil {
		b.fail(ctx, r.chatID, r.lang, "newevent", err)
		return
	}
	b.tapFault(ctx, r, q, "newevent", err)
}

// neQuestion is a step's question with its buttons; err is a fault of the
// store.
func (b *Bot) neQuestion(ctx context.Context, r *request, step string, dr *eventDraft) (string, any, error) {
	switch step {
	case "title":
		var rows [][]inlineButton
		for i, s := range neSuggestions {
			rows = append(rows, row(cb(b.t(r, "event.icon."+string(s.kind))+" "+b.t(r, s.key), neData("s", strconv.Itoa(i)))))
		}
		rows = append(rows, b.neCancelRow(r))
		return b.t(r, "ne.ask_what"), inline(rows...), nil
	case "kind":
		var rows [][]inlineButton
		for _, k := range models.EventKinds() {
			rows = append(rows, row(cb(b.t(r, "event.icon."+string(k))+" "+b.t(r, "event.kind."+string(k)), neData("k", string(k)))))
		}
		rows = append(rows, b.neCancelRow(r))
		return b.t(r, "ne.ask_kind_of", "Title", dr.Title), inline(rows...), nil
	case "date":
		now := b.cfg.Now().In(b.cfg.Location)
		return b.t(r, "ne.ask_date", "Example", "12月20日 9点"), b.neCalendar(r, time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, b.cfg.Location)), nil
	case "time":
		var buttons []inlineButton
		for _, t := range []string{"08:30", "09:00", "09:30", "10:00", "14:00", "14:30", "15:00", "19:00"} {
			buttons = append(buttons, cb(t, neData("t", strings.Replace(t, ":", "", 1))))
		}
		return b.t(r, "ne.ask_time"), inline(buttons[:4], buttons[4:], b.neCancelRow(r)), nil
	case "place":
		var rows [][]inlineButton
		for i, p := range dr.Places {
			rows = append(rows, row(cb("📍 "+truncate(p, 30), neData("p", strconv.Itoa(i)))))
		}
		rows = append(rows, row(cb(b.t(r, "ne.no_place"), neData("p", "-"))), b.neCancelRow(r))
		return b.t(r, "ne.ask_place"), inline(rows...), nil
	case "audience":
		var rows [][]inlineButton
		branch := func(br models.Branch) []inlineButton {
			return row(cb(truncate(br.Path, 40), neData("a", models.AudienceChoice{Branch: br.ID}.Encode())))
		}
		var branches []models.Branch
		var err error
		if r.scope.Admin {
			rows = append(rows, row(cb(b.t(r, "broadcast.everyone"), neData("a", models.AudienceChoice{All: true}.Encode()))))
			branches, err = b.st.ChildBranches(ctx, nil)
		} else {
			branches, err = b.st.BranchesIn(ctx, r.scope)
		}
		if err != nil {
			return "", nil, err
		}
		for _, br := range branches {
			rows = append(rows, branch(br))
		}
		if len(rows) > maxAudienceButtons {
			rows = rows[:maxAudienceButtons]
		}
		rows = append(rows, b.neCancelRow(r))
		return b.t(r, "ne.ask_audience"), inline(rows...), nil
	case "holiday":
		h, _ := b.neHoliday(dr)
		day, _ := time.Parse("2006-01-02", dr.Date)
		return b.t(r, "ne.holiday", "Date", b.cat.Date(r.lang, day, b.cfg.Now()), "Holiday", b.t(r, "holiday."+h.Key)),
			inline(row(cb(b.t(r, "ne.holiday_keep"), neData("h", "y")), cb(b.t(r, "ne.holiday_other"), neData("h", "n"))), b.neCancelRow(r)), nil
	case "capacity":
		return b.t(r, "ne.ask_capacity"), inline(
			row(cb(b.t(r, "ne.no_limit"), neData("c", "0")), cb("10", neData("c", "10")), cb("20", neData("c", "20"))),
			row(cb("30", neData("c", "30")), cb("50", neData("c", "50")), cb("100", neData("c", "100"))),
			b.neCancelRow(r)), nil
	case "confirm":
		e, err := b.neEvent(dr)
		if err != nil {
			return "", nil, err
		}
		aud, err := models.ParseAudience(dr.Audience)
		if err != nil {
			return "", nil, err
		}
		n, err := b.st.CountAudience(ctx, aud)
		if err != nil {
			return "", nil, err
		}
		capacity := b.t(r, "ne.no_limit")
		if dr.Capacity > 0 {
			capacity = strconv.Itoa(dr.Capacity)
		}
		args := planner.EventArgs(e, e.StartAt)
		card := b.t(r, "event.card", args.KV(b.cat, r.lang, b.cfg.Location, b.cfg.Now())...)
		return b.t(r, "ne.preview", "Card", card, "Audience", b.audienceLabel(r, aud), "Count", n, "Capacity", capacity),
			inline(row(cb(b.t(r, "ne.create"), neData("ok", ""))),
				row(cb(b.t(r, "ne.change_audience"), neData("A", "")), cb(b.t(r, "ne.change_capacity"), neData("C", ""))),
				b.neCancelRow(r)), nil
	}
	return "", nil, fmt.Errorf("newevent: no step %q", step)
}

// neCalendar is a month of days to tap, Monday first, with ‹ › to other
// months: any date within two years, not only the next days. Days past
// show as ·.
func (b *Bot) neCalendar(r *request, month time.Time) *inlineKeyboard {
	now := b.cfg.Now().In(b.cfg.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, b.cfg.Location)
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, b.cfg.Location)
	noop := neData("_", "")
	nav := func(label string, m time.Time) inlineButton {
		if m.Before(first) || m.After(first.AddDate(0, neMonthsAhead, 0)) {
			return cb("·", noop)
		}
		return cb(label, neData("m", m.Format("2006-01")))
	}
	title := b.t(r, "ne.calendar_month", "Year", month.Year(), "Month", b.t(r, "time.month."+strconv.Itoa(int(month.Month()))))
	rows := [][]inlineButton{row(nav("‹", month.AddDate(0, -1, 0)), cb(title, noop), nav("›", month.AddDate(0, 1, 0)))}
	var head []inlineButton
	for i := 1; i <= 7; i++ {
		head = append(head, cb(b.t(r, "time.weekday."+strconv.Itoa(i%7)), noop))
	}
	rows = append(rows, head)
	var week []inlineButton
	for i := 0; i < (int(month.Weekday())+6)%7; i++ {
		week = append(week, cb("·", noop))
	}
	for d := month; d.Month() == month.Month(); d = d.AddDate(0, 0, 1) {
		if d.Before(today) {
			week = append(week, cb("·", noop))
		} else {
			week = append(week, cb(strconv.Itoa(d.Day()), neData("d", d.Format("2006-01-02"))))
		}
		if len(week) == 7 {
			rows = append(rows, week)
			week = nil
		}
	}
	if len(week) > 0 {
		for len(week) < 7 {
			week = append(week, cb("·", noop))
		}
		rows = append(rows, week)
	}
	rows = append(rows, b.neCancelRow(r))
	return inline(rows...)
}

// neEvent builds the event from a finished draft. Its start is the
// draft's reading in the association's zone by input.Local's rule: a
// *input.GapError when the clocks jump over it, the first when they show
// it twice.
func (b *Bot) neEvent(dr *eventDraft) (*models.Event, error) {
	w, err := time.Parse("2006-01-02 15:04", dr.Date+" "+dr.Time)
	if err != nil {
		return nil, err
	}
	start, err := input.Local(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), b.cfg.Location)
	if err != nil {
		return nil, err
	}
	return &models.Event{Kind: models.EventKind(dr.Kind), Title: dr.Title, Location: dr.Place, StartAt: start,
		Audience: dr.Audience, RSVP: true, Capacity: dr.Capacity}, nil
}

// onNewEventCallback moves the dialog on by a button.
func (b *Bot) onNewEventCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	d, dr, err := b.neDraft(ctx, r)
	if err != nil {
		b.neFault(ctx, r, q, err)
		return
	}
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
	msg := q.Message.Message
	next := ""
	switch {
	case step == "_": // a calendar's label or an empty day
		b.answer(ctx, q, "", false)
		return
	case step == "m" && d.Step == "date":
		month, err := time.ParseInLocation("2006-01", value, b.cfg.Location)
		if err != nil || msg == nil {
			b.answer(ctx, q, b.t(r, "callback.stale"), true)
			return
		}
		b.edit(ctx, r.chatID, msg.ID, msg.Text, b.neCalendar(r, month))
		b.answer(ctx, q, "", false)
		return
	case step == "s" && d.Step == "title":
		if i, err := strconv.Atoi(value); err == nil && i >= 0 && i < len(neSuggestions) {
			dr.Kind, dr.Title, next = string(neSuggestions[i].kind), b.t(r, neSuggestions[i].key), "date"
		}
	case step == "k" && d.Step == "kind" && models.EventKind(value).Valid():
		dr.Kind, next = value, "date"
	case step == "d" && d.Step == "date":
		if _, err := time.ParseInLocation("2006-01-02", value, b.cfg.Location); err == nil {
			dr.Date, dr.OnHoliday, next = value, false, "time"
			if _, ok := b.neHoliday(dr); ok {
				next = "holiday" // asked before going on
			}
		}
	case step == "h" && d.Step == "holiday" && value == "n":
		dr.Date, dr.Time, next = "", "", "date"
	case step == "h" && d.Step == "holiday" && value == "y":
		dr.OnHoliday, next = true, "time"
		if dr.Time != "" { // typed with its time
			next = "place"
		}
	case step == "t" && d.Step == "time" && len(value) == 4:
		dr.Time, next = value[:2]+":"+value[2:], "place"
	case step == "p" && d.Step == "place":
		if value == "-" {
			dr.Place, next = "", "confirm"
		} else if i, err := strconv.Atoi(value); err == nil && i >= 0 && i < len(dr.Places) {
			dr.Place, next = dr.Places[i], "confirm"
		}
	case step == "A" && d.Step == "confirm":
		next = "audience"
	case step == "C" && d.Step == "confirm":
		next = "capacity"
	case step == "a" && d.Step == "audience":
		aud, ok, err := b.allowedAudience(ctx, r, value)
		switch {
		case err != nil:
			b.neFault(ctx, r, q, err)
			return
		case !ok:
			b.answer(ctx, q, b.t(r, "auth.branch_not_yours"), true)
			return
		}
		dr.Audience, next = aud.String(), "confirm"
	case step == "c" && d.Step == "capacity":
		if n, err := strconv.Atoi(value); err == nil && n >= 0 && n <= models.MaxCapacity {
			dr.Capacity, next = n, "confirm"
		}
	case step == "ok" && d.Step == "confirm":
		b.answer(ctx, q, "", false)
		b.neCreate(ctx, r, d, dr)
		return
	}
	if next == "" {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	if next == "place" {
		start, err := b.neEvent(dr)
		if errors.As(err, new(*input.GapError)) {
			// Longer than an alert may be: said in the chat, and the
			// time buttons stay for another tap.
			key, kv := b.timeRefusal(r, dr.Date+" "+dr.Time, err)
			b.answer(ctx, q, "", false)
			b.send(ctx, r.chatID, b.t(r, key, kv...), nil)
			return
		}
		if err != nil {
			b.neFault(ctx, r, q, err)
			return
		}
		if !start.StartAt.After(b.cfg.Now()) {
			b.answer(ctx, q, b.t(r, "newevent.past"), true)
			return
		}
		if err := b.nePlaces(ctx, r, dr); err != nil {
			b.neFault(ctx, r, q, err)
			return
		}
	}
	b.neMoveOn(ctx, r, q, d, dr, next)
}

// nePlaces offers the organizer's recent places.
func (b *Bot) nePlaces(ctx context.Context, r *request, dr *eventDraft) error {
	places, err := b.st.RecentPlaces(ctx, r.member.ID, 4)
	if err != nil {
		return err
	}
	dr.Places = places
	return nil
}

// onNewEventInput takes typed answers: the title, a date (and time), the place.
func (b *Bot) onNewEventInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	d, dr, err := b.neDraft(ctx, r)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "newevent", err)
		return true
	}
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
		if !models.ValidText(text, false) {
			b.send(ctx, r.chatID, b.t(r, "text.bad"), nil)
			return true
		}
		dr.Title, next = text, "kind"
		if k, ok := input.Kind(text); ok {
			dr.Kind, next = string(k), "date" // 例会 says what it is
		}
	case "date", "time":
		var t time.Time
		var err error
		if d.Step == "time" {
			// A time of day for the date chosen: 9:30, 9点半, 下午3点.
			var day time.Time
			var h, m int
			if day, err = time.Parse("2006-01-02", dr.Date); err == nil {
				if h, m, err = input.Clock(text); err == nil {
					t, err = input.Local(day.Year(), day.Month(), day.Day(), h, m, b.cfg.Location)
				}
			}
		} else {
			t, err = input.When(text, b.cfg.Now(), b.cfg.Location)
		}
		if err != nil {
			key, kv := b.timeRefusal(r, text, err)
			b.send(ctx, r.chatID, b.t(r, key, kv...), nil)
			return true
		}
		if !t.After(b.cfg.Now()) {
			b.send(ctx, r.chatID, b.t(r, "newevent.past"), nil)
			return true
		}
		dr.Date, dr.Time, next = t.Format("2006-01-02"), t.Format("15:04"), "place"
		if d.Step == "date" {
			dr.OnHoliday = false
		}
		if _, ok := b.neHoliday(dr); ok {
			next = "holiday" // asked before going on
		}
		if err := b.nePlaces(ctx, r, dr); err != nil {
			b.fail(ctx, r.chatID, r.lang, "newevent", err)
			return true
		}
	case "place":
		if text == "" {
			b.send(ctx, r.chatID, b.t(r, "ne.ask_place"), nil)
			return true
		}
		if len([]rune(text)) > models.MaxPlaceRunes {
			b.send(ctx, r.chatID, b.t(r, "newevent.bad_place"), nil)
			return true
		}
		if !models.ValidText(text, false) {
			b.send(ctx, r.chatID, b.t(r, "text.bad"), nil)
			return true
		}
		dr.Place, next = text, "confirm"
	default:
		b.send(ctx, r.chatID, b.t(r, "broadcast.use_buttons"), nil)
		return true
	}
	b.neMoveOn(ctx, r, nil, d, dr, next)
	return true
}

// neCreate makes the event of a finished draft. The dialog ends first: a
// dialog that could not be ended would let a second tap on ✅ make the
// event twice. When the event is refused or cannot be saved, the draft
// comes back, to be changed or tapped again.
func (b *Bot) neCreate(ctx context.Context, r *request, d *models.Dialog, dr *eventDraft) {
	e, err := b.neEvent(dr)
	if errors.As(err, new(*input.GapError)) {
		key, kv := b.timeRefusal(r, dr.Date+" "+dr.Time, err)
		b.send(ctx, r.chatID, b.t(r, key, kv...), nil)
		return
	}
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "newevent", err)
		return
	}
	if !e.StartAt.After(b.cfg.Now()) {
		b.send(ctx, r.chatID, b.t(r, "newevent.past"), nil)
		return
	}
	if err := b.st.ClearDialog(ctx, r.from.ID); err != nil {
		b.fail(ctx, r.chatID, r.lang, "newevent", err)
		return
	}
	if !b.createEvent(ctx, r, e) {
		if err := b.neSave(ctx, d, dr, "confirm"); err != nil {
			b.log.Error("newevent: restore the draft", "chat_id", r.chatID, "err", err)
		}
	}
}

// lineAudience is the audience of a one-line /newevent: the one typed, or
// else, as in the dialog, the organizer's own branch (an admin's:
// everyone). A branch that does not exist is refused naming the nearest
// of the organizer's branches (a typo is the usual cause: models.Nearest,
// as the CLI's event add), one they may not reach as not theirs. Bad input
// gets its key and arguments; err is only a fault of the store.
func (b *Bot) lineAudience(ctx context.Context, r *request, typed string) (models.Audience, string, []any, error) {
	if typed == "" {
		if r.scope.Admin {
			return models.Everyone(), "", nil, nil
		}
		branches, err := b.st.OrganizedBranches(ctx, r.member.ID)
		if err != nil {
			return models.Audience{}, "", nil, err
		}
		if len(branches) == 0 {
			return models.Audience{}, "broadcast.no_audience", nil, nil
		}
		return models.BranchAudience(branches[0].Path), "", nil, nil
	}
	aud, err := models.ParseAudience(typed)
	if err != nil {
		return models.Audience{}, "newevent.bad_audience", []any{"Value", truncate(typed, 40)}, nil
	}
	paths, _ := aud.IsBranches()
	if path, ok := aud.IsBranch(); ok {
		paths = []string{path}
	}
	for _, path := range paths {
		_, err := b.st.BranchByPath(ctx, path)
		if errors.Is(err, store.ErrNotFound) {
			mine, err := b.st.BranchesIn(ctx, r.scope)
			if err != nil {
				return models.Audience{}, "", nil, err
			}
			names := make([]string, len(mine))
			for i, br := range mine {
				names[i] = br.Path
			}
			sep := b.t(r, "list.separator")
			return models.Audience{}, "newevent.no_branch", []any{"Value", truncate(path, 40),
				"Near", strings.Join(models.Nearest(path, names), sep), "Branches", strings.Join(names[:min(len(names), 5)], sep)}, nil
		}
		if err != nil {
			return models.Audience{}, "", nil, err
		}
	}
	ok, err := b.st.CanReach(ctx, r.member, aud)
	switch {
	case err != nil:
		return models.Audience{}, "", nil, err
	case !ok:
		if _, listed := aud.IsMembers(); listed {
			return models.Audience{}, "auth.not_your_branch", nil, nil
		}
		return models.Audience{}, "auth.branch_not_yours", nil, nil
	}
	return aud, "", nil, nil
}
