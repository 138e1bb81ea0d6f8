package bot

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/input"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/sms"
	"github.com/assocbot/assocbot/models/store"
)

// broadcastDraft is what an organizer has chosen so far (Dialog.Data).
type broadcastDraft struct {
	Audience string `json:"audience"`
	Selected []uint `json:"selected,omitempty"` // branches chosen for a notice to several
	Text     string `json:"text,omitempty"`
	Photo    string `json:"photo,omitempty"`
	Document string `json:"document,omitempty"`
	Count    int    `json:"count,omitempty"`
	Repeat   string `json:"repeat,omitempty"` // y, l, m or w: how a repeated notice recurs
}

const (
	stepAudience = "audience"
	stepContent  = "content"
	stepConfirm  = "confirm"
	stepAt       = "at"
	dialogBC     = "broadcast"
)

// onBroadcast starts the broadcast dialog: audience → notice → preview with
// the recipient count → send now, send later, or cancel.
// maxAudienceButtons bounds the branches offered as a notice's audience.
const maxAudienceButtons = 40

func (b *Bot) onBroadcast(ctx context.Context, r *request) {
	var rows [][]inlineButton
	choose := func(text string, c models.AudienceChoice) {
		data := bcData("a", c.Encode())
		if data.Fits() {
			rows = append(rows, row(cb(text, data)))
		}
	}
	if r.scope.Admin {
		choose(b.t(r, "broadcast.everyone"), models.AudienceChoice{All: true})
		top, err := b.st.ChildBranches(ctx, nil)
		if err != nil {
			b.fail(ctx, r.chatID, r.lang, "broadcast", err)
			return
		}
		for _, br := range top {
			choose(br.Path, models.AudienceChoice{Branch: br.ID})
		}
		tags, err := b.st.Tags(ctx)
		if err != nil {
			b.fail(ctx, r.chatID, r.lang, "broadcast", err)
			return
		}
		for _, tag := range tags {
			choose(b.t(r, "broadcast.tag", "Tag", tag), models.AudienceChoice{Tag: tag})
		}
	} else {
		// Every branch they may reach: their own and each one below it
		// (a village of their town), by path.
		branches, err := b.st.BranchesIn(ctx, r.scope)
		if err != nil {
			b.fail(ctx, r.chatID, r.lang, "broadcast", err)
			return
		}
		for i, br := range branches {
			if i == maxAudienceButtons {
				break
			}
			choose(truncate(br.Path, 40), models.AudienceChoice{Branch: br.ID})
		}
	}
	if len(rows) == 0 {
		b.send(ctx, r.chatID, b.t(r, "broadcast.no_audience"), nil)
		return
	}
	if branches, err := b.noticeBranches(ctx, r); err == nil && len(branches) > 1 {
		rows = append(rows, row(cb(b.t(r, "broadcast.several"), bcData("m", ""))))
	}
	rows = append(rows, b.bcCancelRow(r))
	if err := b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: dialogBC, Step: stepAudience}); err != nil {
		b.fail(ctx, r.chatID, r.lang, "broadcast", err)
		return
	}
	b.send(ctx, r.chatID, b.t(r, "broadcast.choose_audience"), inline(rows...))
}

// bcData is the callback data of a broadcast dialog button.
func bcData(op, arg string) models.Callback {
	return models.Callback{Action: models.ActBroadcast, Op: op, Arg: arg}
}

func (b *Bot) bcCancelRow(r *request) []inlineButton {
	return row(cb(b.t(r, "button.cancel"), bcData("x", "")))
}

// draft loads the organizer's broadcast dialog, if any.
func (b *Bot) draft(ctx context.Context, r *request) (*models.Dialog, *broadcastDraft) {
	if !r.member.IsOrganizer() {
		return nil, nil
	}
	d, err := b.st.Dialog(ctx, r.from.ID)
	if err != nil || d.Kind != dialogBC {
		return nil, nil
	}
	var dr broadcastDraft
	if d.Data != "" {
		if err := json.Unmarshal([]byte(d.Data), &dr); err != nil {
			return nil, nil
		}
	}
	return d, &dr
}

func (b *Bot) saveDraft(ctx context.Context, d *models.Dialog, dr *broadcastDraft, step string) error {
	raw, _ := json.Marshal(dr)
	d.Step, d.Data = step, string(raw)
	return b.st.SaveDialog(ctx, d)
}

// audienceLabel names an audience in the organizer's language.
func (b *Bot) audienceLabel(r *request, a models.Audience) string {
	if path, ok := a.IsBranch(); ok {
		return path
	}
	if paths, ok := a.IsBranches(); ok {
		return strings.Join(paths, b.t(r, "list.separator"))
	}
	if tag, ok := a.IsTag(); ok {
		return b.t(r, "broadcast.tag", "Tag", tag)
	}
	if path, ok := a.IsOrganizers(); ok {
		if path == "" {
			return b.t(r, "broadcast.all_organizers")
		}
		return b.t(r, "broadcast.organizers_of", "Branch", path)
	}
	return b.t(r, "broadcast.everyone")
}

// onBroadcastCallback handles the dialog's buttons: a (audience), s (send
// now), l (send later), x (cancel).
func (b *Bot) onBroadcastCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	d, dr := b.draft(ctx, r)
	if d == nil {
		// The dialog ended (sent, scheduled, left): its buttons, ❌ Cancel
		// too, no longer do anything, and do not say they did.
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	if c.Op == "x" {
		b.cancelBroadcast(ctx, r, q)
		return
	}
	if c.Op == "r" || c.Op == "R" || c.Op == "W" {
		b.onRepeatCallback(ctx, r, q, c, d, dr)
		return
	}
	msg := q.Message.Message
	switch {
	case (c.Op == "m" || c.Op == "t") && d.Step == stepAudience:
		// Several branches: each tap ticks or unticks one.
		if c.Op == "t" {
			_, ok, err := b.allowedAudience(ctx, r, c.Arg)
			if err != nil {
				b.tapFault(ctx, r, q, "broadcast", err)
				return
			}
			choice, err := models.ParseAudienceChoice(c.Arg)
			if !ok || err != nil || choice.Branch == 0 {
				b.answer(ctx, q, b.t(r, "auth.branch_not_yours"), true)
				return
			}
			if i := slices.Index(dr.Selected, choice.Branch); i >= 0 {
				dr.Selected = slices.Delete(dr.Selected, i, i+1)
			} else {
				dr.Selected = append(dr.Selected, choice.Branch)
			}
			if err := b.saveDraft(ctx, d, dr, stepAudience); err != nil {
				b.answer(ctx, q, b.t(r, "error.internal"), true)
				return
			}
		}
		kb, err := b.severalKeyboard(ctx, r, dr)
		if err != nil {
			b.answer(ctx, q, b.t(r, "error.internal"), true)
			return
		}
		if msg != nil {
			b.edit(ctx, r.chatID, msg.ID, b.t(r, "broadcast.choose_several"), kb)
		}
		b.answer(ctx, q, "", false)
	case c.Op == "g" && d.Step == stepAudience:
		var paths []string
		for _, id := range dr.Selected {
			if br, err := b.st.BranchByID(ctx, id); err == nil {
				paths = append(paths, br.Path)
			}
		}
		if len(paths) == 0 {
			b.answer(ctx, q, b.t(r, "broadcast.choose_several"), true)
			return
		}
		aud := models.BranchesAudience(paths...)
		if !b.canReach(ctx, r, aud) {
			b.answer(ctx, q, b.t(r, "auth.branch_not_yours"), true)
			return
		}
		dr.Audience, dr.Selected = aud.String(), nil
		if err := b.saveDraft(ctx, d, dr, stepContent); err != nil {
			b.answer(ctx, q, b.t(r, "error.internal"), true)
			return
		}
		if msg != nil {
			b.edit(ctx, r.chatID, msg.ID, b.t(r, "broadcast.write", "Audience", b.audienceLabel(r, aud)), inline(b.bcCancelRow(r)))
		}
		b.answer(ctx, q, "", false)
	case c.Op == "a" && d.Step == stepAudience:
		aud, ok, err := b.allowedAudience(ctx, r, c.Arg)
		if err != nil {
			b.tapFault(ctx, r, q, "broadcast", err)
			return
		}
		if !ok {
			b.answer(ctx, q, b.t(r, "auth.branch_not_yours"), true)
			return
		}
		dr.Audience = aud.String()
		if err := b.saveDraft(ctx, d, dr, stepContent); err != nil {
			b.answer(ctx, q, b.t(r, "error.internal"), true)
			return
		}
		b.answer(ctx, q, "", false)
		if msg != nil {
			b.edit(ctx, r.chatID, msg.ID, b.t(r, "broadcast.write", "Audience", b.audienceLabel(r, aud)), inline(b.bcCancelRow(r)))
		}
	case c.Op == "s" && d.Step == stepConfirm:
		b.answer(ctx, q, "", false)
		b.commitBroadcast(ctx, r, d, dr, b.cfg.Now(), msg, "")
	case c.Op == "l" && d.Step == stepConfirm:
		if err := b.saveDraft(ctx, d, dr, stepAt); err != nil {
			b.answer(ctx, q, b.t(r, "error.internal"), true)
			return
		}
		b.answer(ctx, q, "", false)
		b.send(ctx, r.chatID, b.t(r, "broadcast.ask_time", "Example", b.cfg.Now().In(b.cfg.Location).Add(24*time.Hour).Format("2006-01-02")+" 09:00"),
			inline(b.bcCancelRow(r)))
	default:
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
	}
}

// allowedAudience reads an audience button's choice and checks, by the one
// rule (store.CanReach), that the organizer may reach it; err is a fault
// of the store, never said to be a branch that is not theirs.
func (b *Bot) allowedAudience(ctx context.Context, r *request, arg string) (models.Audience, bool, error) {
	choice, err := models.ParseAudienceChoice(arg)
	if err != nil {
		return models.Audience{}, false, nil
	}
	var aud models.Audience
	switch {
	case choice.All:
		aud = models.Everyone()
	case choice.Branch != 0:
		br, err := b.st.BranchByID(ctx, choice.Branch)
		if errors.Is(err, store.ErrNotFound) {
			return models.Audience{}, false, nil
		}
		if err != nil {
			return models.Audience{}, false, err
		}
		aud = models.BranchAudience(br.Path)
	default:
		aud = models.TagAudience(choice.Tag)
	}
	ok, err := b.st.CanReach(ctx, r.member, aud)
	return aud, ok, err
}

// tapFault logs a fault of the store met on a tap and says so in the
// tap's answer.
func (b *Bot) tapFault(ctx context.Context, r *request, q *tgm.CallbackQuery, what string, err error) {
	b.log.Error("handler failed", "what", what, "chat_id", r.chatID, "err", err)
	b.answer(ctx, q, b.t(r, "error.internal"), true)
}

// onBroadcastInput takes what the organizer typed or sent in the dialog; it
// reports false when no dialog is waiting for input.
func (b *Bot) onBroadcastInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	d, dr := b.draft(ctx, r)
	if d == nil {
		return false
	}
	switch d.Step {
	case stepContent:
		text := msg.Text
		if text == "" {
			text = msg.Caption
		}
		dr.Text = strings.TrimSpace(text)
		switch {
		case len(msg.Photo) > 0:
			dr.Photo = msg.Photo[len(msg.Photo)-1].FileID
		case msg.Document != nil:
			dr.Document = msg.Document.FileID
		case dr.Text == "":
			b.send(ctx, r.chatID, b.t(r, "broadcast.write_again"), nil)
			return true
		}
		if (dr.Photo != "" || dr.Document != "") && len([]rune(dr.Text)) > models.MaxNoticeCaption {
			b.send(ctx, r.chatID, b.t(r, "broadcast.caption_too_long", "Max", models.MaxNoticeCaption), nil)
			return true
		}
		if len([]rune(dr.Text)) > models.MaxNoticeText {
			b.send(ctx, r.chatID, b.t(r, "broadcast.text_too_long", "Max", models.MaxNoticeText), nil)
			return true
		}
		if !models.ValidText(dr.Text, true) {
			b.send(ctx, r.chatID, b.t(r, "text.bad"), nil)
			return true
		}
		aud, err := models.ParseAudience(dr.Audience)
		if err != nil {
			b.fail(ctx, r.chatID, r.lang, "broadcast", err)
			return true
		}
		n, err := b.st.CountAudience(ctx, aud)
		if err != nil {
			b.fail(ctx, r.chatID, r.lang, "broadcast", err)
			return true
		}
		dr.Count = n
		if err := b.saveDraft(ctx, d, dr, stepConfirm); err != nil {
			b.fail(ctx, r.chatID, r.lang, "broadcast", err)
			return true
		}
		attachment := ""
		switch {
		case dr.Photo != "":
			attachment = b.t(r, "broadcast.with_photo")
		case dr.Document != "":
			attachment = b.t(r, "broadcast.with_document")
		}
		preview := b.t(r, "broadcast.preview", "Audience", b.audienceLabel(r, aud), "Count", n, "Attachment", attachment, "Text", truncate(dr.Text, 3000))
		if line, err := b.channelsLine(ctx, r, outbox.KindBroadcast, aud); err != nil {
			b.fail(ctx, r.chatID, r.lang, "broadcast", err)
			return true
		} else if line != "" {
			preview += "\n\n" + line
		}
		b.send(ctx, r.chatID, preview, inline(
			row(cb(b.t(r, "broadcast.send_now"), bcData("s", "")), cb(b.t(r, "broadcast.send_later"), bcData("l", ""))),
			row(cb(b.t(r, "broadcast.repeat"), bcData("r", ""))),
			b.bcCancelRow(r)))
	case stepAt:
		// input.Local's rule, through When: a time the clocks jump over is
		// refused naming the nearest times that happen; one they show
		// twice is the first, and the confirmation says so.
		at, err := input.When(msg.Text, b.cfg.Now(), b.cfg.Location)
		if errors.As(err, new(*input.GapError)) {
			key, kv := b.timeRefusal(r, strings.TrimSpace(msg.Text), err)
			b.send(ctx, r.chatID, b.t(r, key, kv...), nil)
			return true
		}
		if err != nil {
			b.send(ctx, r.chatID, b.t(r, "broadcast.bad_time", "Example", b.cfg.Now().In(b.cfg.Location).Add(24*time.Hour).Format("2006-01-02")+" 09:00"), nil)
			return true
		}
		if !at.After(b.cfg.Now()) {
			b.send(ctx, r.chatID, b.t(r, "broadcast.time_past"), nil)
			return true
		}
		b.commitBroadcast(ctx, r, d, dr, at, nil, b.twiceNotes(r, at))
	case stepRepeat:
		b.onRepeatInput(ctx, r, d, dr, msg.Text)
	default:
		b.send(ctx, r.chatID, b.t(r, "broadcast.use_buttons"), nil)
	}
	return true
}

// commitBroadcast enqueues the notice for every recipient, in one
// transaction; the dispatcher sends it and reports progress here. notes
// follow the confirmation (a typed time the clocks show twice).
func (b *Bot) commitBroadcast(ctx context.Context, r *request, d *models.Dialog, dr *broadcastDraft, at time.Time, preview *tgm.Message, notes string) {
	aud, err := models.ParseAudience(dr.Audience)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "broadcast", err)
		return
	}
	chat := r.chatID
	bc, err := b.st.CreateBroadcast(ctx, store.NewBroadcast{OrganizerID: &r.member.ID, ChatID: &chat, Audience: aud,
		Text: dr.Text, PhotoFileID: dr.Photo, DocumentFileID: dr.Document, SendAt: at})
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "broadcast", err)
		return
	}
	if err := b.st.ClearDialog(ctx, r.from.ID); err != nil {
		b.log.Warn("clear dialog", "err", err)
	}
	b.log.Info("broadcast created", "broadcast_id", bc.ID, "by_member_id", r.member.ID, "total", bc.Total)
	text := b.t(r, "broadcast.queued", "Count", bc.Total)
	var kb *inlineKeyboard
	if at.After(b.cfg.Now().Add(time.Minute)) {
		text = b.t(r, "broadcast.scheduled", "Count", bc.Total, "At", b.cat.DateTime(r.lang, at, b.cfg.Location, b.cfg.Now())) + notes
		kb = inline(row(cb(b.t(r, "notices.button.cancel"), models.Callback{Action: models.ActNoticeCancel, ID: bc.ID})))
	}
	if preview != nil {
		b.edit(ctx, r.chatID, preview.ID, text, kb)
	} else {
		var markup any
		if kb != nil {
			markup = kb
		}
		b.send(ctx, r.chatID, text, markup)
	}
	b.enqueued()
}

// onNotices is /notices: the organizer's notices waiting for their time
// (admins: all), each with a button to call it off.
func (b *Bot) onNotices(ctx context.Context, r *request) {
	now := b.cfg.Now()
	bs, err := b.st.ScheduledBroadcasts(ctx, r.member, r.scope, now)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "notices", err)
		return
	}
	repeats, stops := b.repeatLines(ctx, r)
	if len(bs) == 0 && len(repeats) == 0 {
		b.send(ctx, r.chatID, b.t(r, "notices.none"), nil)
		return
	}
	lines := []string{b.t(r, "notices.title", "Count", len(bs))}
	if len(bs) == 0 {
		lines = nil
	}
	var rows [][]inlineButton
	for i, bc := range bs {
		aud, _ := models.ParseAudience(bc.Audience)
		when := b.cat.DateTime(r.lang, bc.SendAt, r.member.Zone(b.cfg.Location), now)
		text := truncate(strings.ReplaceAll(bc.Text, "\n", " "), 40)
		switch {
		case text != "":
		case bc.PhotoFileID != "":
			text = b.t(r, "broadcast.with_photo") // a photo or file without words is named, not left blank
		case bc.DocumentFileID != "":
			text = b.t(r, "broadcast.with_document")
		}
		lines = append(lines, b.t(r, "notices.line", "N", i+1, "At", when, "Audience", b.audienceLabel(r, aud), "Count", bc.Total,
			"Text", text))
		if len(rows) < 20 {
			rows = append(rows, row(cb(b.t(r, "notices.button.cancel_n", "N", i+1), models.Callback{Action: models.ActNoticeCancel, ID: bc.ID})))
		}
	}
	if len(repeats) > 0 {
		lines = append(lines, "", b.t(r, "repeat.title", "Count", len(repeats)))
		lines = append(lines, repeats...)
		rows = append(rows, stops...)
	}
	b.send(ctx, r.chatID, firstLines(strings.TrimSpace(strings.Join(lines, "\n")), maxMessage), inline(rows...))
}

// onNoticeCancel calls off a scheduled notice.
func (b *Bot) onNoticeCancel(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	err := b.st.CancelBroadcast(ctx, c.ID, r.member, r.scope, b.cfg.Now())
	switch {
	case errors.Is(err, models.ErrNotYours), errors.Is(err, store.ErrNotFound):
		b.answer(ctx, q, b.t(r, "notices.not_yours"), true)
		return
	case errors.Is(err, store.ErrBroadcastStarted):
		b.answer(ctx, q, b.t(r, "notices.started"), true)
		return
	case errors.Is(err, store.ErrBroadcastCancelled):
		b.answer(ctx, q, b.t(r, "notices.cancelled"), true)
		return
	case err != nil:
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		b.log.Error("cancel notice", "broadcast_id", c.ID, "err", err)
		return
	}
	b.log.Info("broadcast cancelled", "broadcast_id", c.ID, "by_member_id", r.member.ID)
	b.send(ctx, r.chatID, b.t(r, "notices.cancelled"), nil)
	b.answer(ctx, q, b.t(r, "notices.cancelled"), false)
}

// cancelDialog ends whatever dialog the user is in (/cancel).
func (b *Bot) cancelDialog(ctx context.Context, r *request) {
	b.cancelBroadcast(ctx, r, nil)
}

func (b *Bot) cancelBroadcast(ctx context.Context, r *request, q *tgm.CallbackQuery) {
	if err := b.st.ClearDialog(ctx, r.from.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		b.log.Warn("clear dialog", "err", err)
	}
	if q != nil {
		b.answer(ctx, q, "", false)
		if msg := q.Message.Message; msg != nil {
			b.edit(ctx, r.chatID, msg.ID, b.t(r, "broadcast.cancelled"), nil)
			return
		}
	}
	b.send(ctx, r.chatID, b.t(r, "broadcast.cancelled"), b.keyboardFor(r))
}

// onMute and onUnmute let a member stop and restart non-urgent messages.
func (b *Bot) onMute(ctx context.Context, r *request, mute bool) {
	if !b.requireMember(ctx, r) {
		return
	}
	status, key := models.StatusActive, "mute.off"
	if mute {
		status, key = models.StatusMuted, "mute.on"
	}
	if err := b.st.SetMemberStatus(ctx, r.member.ID, status); err != nil {
		b.fail(ctx, r.chatID, r.lang, "mute", err)
		return
	}
	b.send(ctx, r.chatID, b.t(r, key), b.keyboardFor(r))
}

// noticeBranches are the branches a notice may go to, by path, for the
// several-branches choice.
func (b *Bot) noticeBranches(ctx context.Context, r *request) ([]models.Branch, error) {
	bs, err := b.st.BranchesIn(ctx, r.scope)
	if err != nil {
		return nil, err
	}
	if len(bs) > maxAudienceButtons {
		bs = bs[:maxAudienceButtons]
	}
	return bs, nil
}

// severalKeyboard is the branches as boxes to tick, and ✅ Continue.
func (b *Bot) severalKeyboard(ctx context.Context, r *request, dr *broadcastDraft) (*inlineKeyboard, error) {
	bs, err := b.noticeBranches(ctx, r)
	if err != nil {
		return nil, err
	}
	var rows [][]inlineButton
	for _, br := range bs {
		box := "☐ "
		if slices.Contains(dr.Selected, br.ID) {
			box = "☑ "
		}
		data := bcData("t", models.AudienceChoice{Branch: br.ID}.Encode())
		if data.Fits() {
			rows = append(rows, row(cb(box+truncate(br.Path, 40), data)))
		}
	}
	rows = append(rows, row(cb(b.t(r, "broadcast.several_go", "Count", len(dr.Selected)), bcData("g", ""))), b.bcCancelRow(r))
	return inline(rows...), nil
}

// channelsLine says how a message of kind to the audience would go, when
// the bot sends SMS: by Telegram, by SMS (and how many of those have no
// template, so are not sent), and to nobody (SPEC C12). "" without SMS.
func (b *Bot) channelsLine(ctx context.Context, r *request, kind outbox.Kind, aud models.Audience) (string, error) {
	if !b.st.SMSEnabled() {
		return "", nil
	}
	list, err := b.st.SMSTemplates(ctx)
	if err != nil {
		return "", err
	}
	tpls := store.NewTemplateSet(list)
	c, err := b.st.CountChannels(ctx, kind, aud, func(m *models.Member) bool {
		_, ok := tpls.Template(sms.Key(&outbox.Row{Kind: string(kind)}, m), locales.Resolve(m.Lang, m.TelegramLang, b.cfg.DefaultLang))
		return ok
	})
	if err != nil {
		return "", err
	}
	return b.t(r, "broadcast.channels", "Telegram", c.Telegram, "SMS", c.SMS, "NoTemplate", c.NoTemplate, "Nobody", c.Nobody), nil
}
