package bot

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// Health checks and duties (SPEC C5) in the chat: a member's list and
// buttons, a certificate's photo, an organizer's confirmation or rejection,
// the overdue list, one's duties, and assigning. Check information goes to
// the member's private chat and to the organizers of their branch only, and
// is never logged beyond ids.

// Dialog kinds of checks.
const (
	dialogCertificate = "certificate" // a member's photo for a plan
	dialogReject      = "reject"      // an organizer's reason for a rejection
)

type checkDialog struct {
	Plan   uint `json:"plan,omitempty"`
	Cycle  int  `json:"cycle,omitempty"`
	Record uint `json:"record,omitempty"`
	// Reported: the member's ✅ Done was saved; the photo is an extra, and
	// leaving the wait for it takes nothing back.
	Reported bool `json:"reported,omitempty"`
}

// savedAlready reports whether a dialog's last tap saved what the member
// did (a certificate's wait after ✅ Done): leaving it is silent, never
// "nothing was saved".
func savedAlready(d *models.Dialog) bool {
	var cd checkDialog
	return d.Kind == dialogCertificate && json.Unmarshal([]byte(d.Data), &cd) == nil && cd.Reported
}

// planArgs renders a plan's arguments (kind, due date, icon) for the reader.
func (b *Bot) planArgs(r *request, p *models.Plan) []any {
	return planner.PlanArgs(p, p.Kind).KV(b.cat, r.lang, r.member.Zone(b.cfg.Location), b.cfg.Now())
}

func planCallback(a models.Action, p *models.Plan) models.Callback {
	return models.Callback{Action: a, ID: p.ID, Op: strconv.Itoa(p.Cycle)}
}

// onChecks is /checks and 🩺 My checks: the member's plans, with a button
// to report each done.
func (b *Bot) onChecks(ctx context.Context, r *request) {
	if !b.requireMember(ctx, r) {
		return
	}
	b.sendPlans(ctx, r, r.chatID, "checks.title", "checks.none", func(p *models.Plan) bool { return true })
}

// onDuties is /duties: an organizer's own duties.
func (b *Bot) onDuties(ctx context.Context, r *request) {
	b.sendPlans(ctx, r, r.chatID, "duties.title", "duties.none", func(p *models.Plan) bool { return p.Kind.For == models.ForDuty })
}

// sendPlans lists the requester's plans that keep passes, to chat (always
// the member's private chat); it reports whether the list went out.
func (b *Bot) sendPlans(ctx context.Context, r *request, chat int64, title, none string, keep func(*models.Plan) bool) bool {
	plans, err := b.st.PlansOf(ctx, r.member.ID)
	if err != nil {
		b.fail(ctx, chat, r.lang, "checks", err)
		return false
	}
	lines := []string{b.t(r, title)}
	var rows [][]inlineButton
	for i := range plans {
		p := &plans[i]
		if !keep(p) {
			continue
		}
		state := ""
		switch {
		case p.State == models.PlanSubmitted:
			state = b.t(r, "checks.state.submitted")
		case p.Overdue():
			state = b.t(r, "checks.state.overdue")
		}
		lines = append(lines, b.t(r, "checks.line", append(b.planArgs(r, p), "State", state)...))
		if p.State == models.PlanOpen {
			rows = append(rows, row(cb(b.t(r, "checks.button.done", b.planArgs(r, p)...), planCallback(models.ActPlanDone, p))))
			if p.Kind.Certificate {
				rows = append(rows, row(cb(b.t(r, "check.button.certificate"), planCallback(models.ActPlanPhoto, p))))
			}
		}
	}
	if len(lines) == 1 {
		return b.send(ctx, chat, b.t(r, none), b.keyboardFor(r)) != nil
	}
	var kb *inlineKeyboard
	if len(rows) > 0 {
		kb = inline(rows...)
	}
	return b.send(ctx, chat, truncate(strings.Join(lines, "\n"), 4000), kb) != nil
}

// confirmedBy thanks a member for their report and says who will confirm
// it, by the rule that asked them (store.DecidersFor): their branch's
// organizers, those of a branch above it, or the association's admins.
func (b *Bot) confirmedBy(ctx context.Context, r *request, p *models.Plan) string {
	path := ""
	if p.Member.Branch != nil {
		path = p.Member.Branch.Path
	}
	d, err := b.st.DecidersFor(ctx, path, p.MemberID)
	switch {
	case err != nil:
		b.log.Warn("checks: who confirms", "plan_id", p.ID, "err", err)
		return b.t(r, "checks.done_thanks")
	case d.Branch != "" && d.Branch == path:
		return b.t(r, "checks.done.own")
	case d.Branch != "":
		return b.t(r, "checks.done.above", "Branch", d.Branch)
	}
	return b.t(r, "checks.done.admins")
}

// onChecksInGroup answers /checks asked in a group: the list goes to the
// member's private chat, and the group reads only that it did.
func (b *Bot) onChecksInGroup(ctx context.Context, msg *tgm.Message) {
	r, err := b.newRequest(ctx, msg.From, tgm.Chat{ID: msg.From.ID, Type: tgm.ChatTypePrivate})
	if err != nil || !r.member.OnRoster() {
		l := b.langOf(ctx, nil, msg.From)
		b.send(ctx, msg.Chat.ID, b.cat.T(l, "group.private_only", "Bot", b.username), nil)
		return
	}
	// The group reads that the list went privately only if it did; else
	// it is pointed to the private chat, where the member must start first.
	if !b.sendPlans(ctx, r, msg.From.ID, "checks.title", "checks.none", func(p *models.Plan) bool { return true }) {
		b.send(ctx, msg.Chat.ID, b.t(r, "group.private_only", "Bot", b.username), nil)
		return
	}
	b.send(ctx, msg.Chat.ID, b.t(r, "checks.sent_private", "Bot", b.username), nil)
}

// planRefusals are the words for each reason an action on a plan is refused.
var planRefusals = map[error]string{
	store.ErrNotYourPlan:  "checks.not_yours",
	store.ErrPlanStale:    "callback.stale",
	store.ErrNotFound:     "callback.stale",
	store.ErrCheckDecided: "checks.already_decided",
	store.ErrOwnCheck:     "checks.own",
	// Nobody to ask: nothing saved, rather than a report waiting for ever.
	store.ErrNobodyConfirms: "checks.nobody_confirms",
}

// refusePlan answers a refused button in the requester's language; it
// reports whether err was a refusal (else it was a failure, logged).
func (b *Bot) refusePlan(ctx context.Context, r *request, q *tgm.CallbackQuery, err error) {
	for reason, key := range planRefusals {
		if errors.Is(err, reason) {
			if reason == store.ErrNotYourPlan && r.member.IsOrganizer() {
				key = "auth.not_your_branch"
			}
			b.answer(ctx, q, b.t(r, key), true)
			return
		}
	}
	b.log.Error("plan action", "err", err)
	b.answer(ctx, q, b.t(r, "error.internal"), true)
}

// onPlanCallback handles the buttons of a plan: a member's ✅ Done, ⏰
// tomorrow and 📷 certificate, an organizer's record, approval and
// rejection. Every rule is checked again in the store's transaction.
func (b *Bot) onPlanCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if r.member == nil {
		b.answer(ctx, q, b.t(r, "auth.members_only"), true)
		return
	}
	cycle, _ := strconv.Atoi(c.Op)
	now := b.cfg.Now()
	switch c.Action {
	case models.ActPlanDone:
		p, err := b.st.PlanByID(ctx, c.ID)
		if err != nil {
			b.refusePlan(ctx, r, q, err)
			return
		}
		if p.Kind.For == models.ForDuty && len(p.Kind.FigureList()) > 0 {
			// A report with figures: they are asked first, then it closes.
			if p.Cycle != cycle || p.State == models.PlanClosed {
				b.refusePlan(ctx, r, q, store.ErrPlanStale)
				return
			}
			b.startFigures(ctx, r, q, p)
			return
		}
		rec, p, err := b.st.SubmitCheck(ctx, c.ID, cycle, r.member, "", b.cfg.Location, now)
		if err != nil {
			b.refusePlan(ctx, r, q, err)
			return
		}
		b.enqueued()
		b.log.Info("check reported", "plan_id", p.ID, "record_id", rec.ID)
		if p.Kind.For == models.ForDuty {
			key := "checks.duty_done"
			if p.Once {
				key = "checks.duty_done_once" // closed: no next date
			}
			b.answer(ctx, q, b.t(r, key, b.planArgs(r, p)...), false)
			return
		}
		// The thanks before the tap's answer: the member reads it before
		// anything the organizers decide can reach them.
		b.saveCheckDialog(ctx, r, dialogCertificate, checkDialog{Plan: p.ID, Cycle: p.Cycle, Reported: true})
		b.send(ctx, r.chatID, b.confirmedBy(ctx, r, p), nil)
		b.answer(ctx, q, "", false)
	case models.ActPlanPhoto:
		p, err := b.st.PlanByID(ctx, c.ID)
		if err == nil && (p.MemberID != r.member.ID || !r.member.OnRoster()) {
			err = store.ErrNotYourPlan
		} else if err == nil && (p.Cycle != cycle || p.State == models.PlanClosed) {
			err = store.ErrPlanStale
		}
		if err != nil {
			b.refusePlan(ctx, r, q, err)
			return
		}
		b.answer(ctx, q, "", false)
		b.saveCheckDialog(ctx, r, dialogCertificate, checkDialog{Plan: p.ID, Cycle: p.Cycle})
		b.send(ctx, r.chatID, b.t(r, "checks.send_photo"), nil)
	case models.ActPlanSnooze:
		if _, err := b.st.SnoozePlan(ctx, c.ID, cycle, r.member, b.cfg.Location, now); err != nil {
			b.refusePlan(ctx, r, q, err)
			return
		}
		b.answer(ctx, q, b.t(r, "checks.snoozed"), false)
	case models.ActPlanRecordAsk:
		if !r.member.IsOrganizer() {
			b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
			return
		}
		if c.Op == "x" {
			b.clearMarkup(ctx, q)
			b.answer(ctx, q, b.t(r, "overdue.not_recorded"), false)
			return
		}
		p, err := b.st.PlanByID(ctx, c.ID)
		if err == nil {
			err = store.MayDecide(r.scope, r.member, p)
		}
		if err == nil && (p.Cycle != cycle || p.State == models.PlanClosed) {
			err = store.ErrPlanStale
		}
		if err != nil {
			b.refusePlan(ctx, r, q, err)
			return
		}
		b.answer(ctx, q, "", false)
		phone := ""
		if p.Member.Phone != nil {
			phone = models.DisplayPhone(*p.Member.Phone)
		}
		args := append(b.planArgs(r, p), "Name", p.Member.Name, "Phone", phone)
		b.send(ctx, r.chatID, b.t(r, "overdue.confirm", args...), inline(row(
			cb(b.t(r, "overdue.button.record"), planCallback(models.ActPlanRecord, p)),
			cb(b.t(r, "overdue.button.not_now"), models.Callback{Action: models.ActPlanRecordAsk, ID: p.ID, Op: "x"}),
		)))
	case models.ActPlanRecord:
		if !r.member.IsOrganizer() {
			b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
			return
		}
		_, p, err := b.st.RecordCheck(ctx, c.ID, cycle, r.scope, r.member, nil, b.cfg.Location, now)
		if err != nil {
			b.refusePlan(ctx, r, q, err)
			return
		}
		b.enqueued()
		b.log.Info("check recorded", "plan_id", p.ID, "by_member_id", r.member.ID)
		b.clearMarkup(ctx, q)
		b.answer(ctx, q, b.t(r, "checks.recorded", append(b.planArgs(r, p), "Name", p.Member.Name)...), false)
	case models.ActCheckApprove, models.ActCheckReject:
		if !r.member.IsOrganizer() {
			b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
			return
		}
		if c.Action == models.ActCheckReject {
			b.askRejectReason(ctx, r, q, c.ID)
			return
		}
		_, p, err := b.st.DecideCheck(ctx, c.ID, r.scope, r.member, true, "", b.cfg.Location, now)
		if err != nil {
			b.refusePlan(ctx, r, q, err)
			return
		}
		b.enqueued()
		b.log.Info("check approved", "plan_id", p.ID, "by_member_id", r.member.ID)
		done := b.t(r, "checks.confirmed", append(b.planArgs(r, p), "Name", p.Member.Name)...)
		b.answer(ctx, q, done, false)
		b.closeButtons(ctx, r, q, done)
	}
}

// askRejectReason checks that the organizer may decide the report, then
// waits for their words.
func (b *Bot) askRejectReason(ctx context.Context, r *request, q *tgm.CallbackQuery, recordID uint) {
	rec, err := b.st.CheckRecordByID(ctx, recordID)
	var p *models.Plan
	if err == nil {
		p, err = b.st.PlanByID(ctx, rec.PlanID)
	}
	if err == nil {
		err = store.MayDecide(r.scope, r.member, p)
	}
	if err == nil && rec.Status != models.CheckPending {
		err = store.ErrCheckDecided
	}
	if err != nil {
		b.refusePlan(ctx, r, q, err)
		return
	}
	b.answer(ctx, q, "", false)
	b.saveCheckDialog(ctx, r, dialogReject, checkDialog{Record: recordID})
	b.send(ctx, r.chatID, b.t(r, "checks.ask_reason", "Name", p.Member.Name), nil)
}

// closeButtons replaces a decided message's buttons with what was decided
// (a photo's caption, or a text).
func (b *Bot) closeButtons(ctx context.Context, r *request, q *tgm.CallbackQuery, done string) {
	msg := q.Message.Message
	if msg == nil {
		return
	}
	if len(msg.Photo) > 0 {
		b.editCaption(ctx, r.chatID, msg.ID, msg.Caption+"\n\n"+done)
		return
	}
	b.edit(ctx, r.chatID, msg.ID, msg.Text+"\n\n"+done, nil)
}

func (b *Bot) saveCheckDialog(ctx context.Context, r *request, kind string, d checkDialog) {
	raw, _ := json.Marshal(d)
	if err := b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: kind, Step: kind, Data: string(raw)}); err != nil {
		b.log.Warn("save dialog", "err", err)
	}
}

// onCheckInput takes a certificate's photo from a member, or an organizer's
// reason for a rejection; it reports false when no such dialog waits.
func (b *Bot) onCheckInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	if r.member == nil {
		return false
	}
	d, err := b.st.Dialog(ctx, r.from.ID)
	if err != nil || (d.Kind != dialogCertificate && d.Kind != dialogReject) {
		return false
	}
	var cd checkDialog
	if json.Unmarshal([]byte(d.Data), &cd) != nil {
		return false
	}
	now := b.cfg.Now()
	switch d.Kind {
	case dialogCertificate:
		if len(msg.Photo) == 0 {
			// Anything but a photo ends the wait for one.
			return !b.endDialog(ctx, r)
		}
		photo := msg.Photo[len(msg.Photo)-1].FileID
		_, p, err := b.st.SubmitCheck(ctx, cd.Plan, cd.Cycle, r.member, photo, b.cfg.Location, now)
		b.dropDialog(ctx, r)
		if err != nil {
			for reason, key := range planRefusals {
				if errors.Is(err, reason) {
					b.send(ctx, r.chatID, b.t(r, key), nil)
					return true
				}
			}
			b.fail(ctx, r.chatID, r.lang, "certificate", err)
			return true
		}
		b.enqueued()
		b.log.Info("certificate sent", "plan_id", p.ID)
		b.send(ctx, r.chatID, b.t(r, "checks.photo_received"), b.keyboardFor(r))
	case dialogReject:
		note := strings.TrimSpace(msg.Text)
		if note == "" || b.menuAction(note) != "" {
			return !b.endDialog(ctx, r)
		}
		if !models.ValidText(note, true) {
			b.send(ctx, r.chatID, b.t(r, "text.bad"), nil) // the dialog waits for the note again
			return true
		}
		if !b.endDialog(ctx, r) {
			return true
		}
		_, p, err := b.st.DecideCheck(ctx, cd.Record, r.scope, r.member, false, note, b.cfg.Location, now)
		switch {
		case errors.Is(err, store.ErrCheckDecided):
			b.send(ctx, r.chatID, b.t(r, "checks.already_decided"), nil)
		case errors.Is(err, store.ErrNotYourPlan), errors.Is(err, store.ErrNotFound):
			b.send(ctx, r.chatID, b.t(r, "auth.not_your_branch"), nil)
		case err != nil:
			b.fail(ctx, r.chatID, r.lang, "reject", err)
		default:
			b.enqueued()
			b.log.Info("check rejected", "plan_id", p.ID, "by_member_id", r.member.ID)
			b.send(ctx, r.chatID, b.t(r, "checks.rejected_by_you", "Name", p.Member.Name), nil)
		}
	}
	return true
}

// maxOverdueButtons bounds the /overdue list.
const maxOverdueButtons = 40

// onOverdue lists the overdue plans in the organizer's branches, a button
// each to record it done today.
func (b *Bot) onOverdue(ctx context.Context, r *request) {
	plans, err := b.st.OverduePlans(ctx, r.scope, maxOverdueButtons)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "overdue", err)
		return
	}
	// One's own overdue check is another organizer's to record.
	plans = slices.DeleteFunc(plans, func(p models.Plan) bool { return store.MayDecide(r.scope, r.member, &p) != nil })
	missed := b.missedVisits(ctx, r)
	if len(plans) == 0 && missed == "" {
		b.send(ctx, r.chatID, b.t(r, "overdue.none"), nil)
		return
	}
	if missed != "" {
		defer b.send(ctx, r.chatID, missed, nil)
	}
	if len(plans) == 0 {
		return
	}
	var rows [][]inlineButton
	for i := range plans {
		p := &plans[i]
		label := b.t(r, "overdue.button", append(b.planArgs(r, p), "Name", truncate(p.Member.Name, 20))...)
		rows = append(rows, row(cb(label, planCallback(models.ActPlanRecordAsk, p))))
	}
	b.send(ctx, r.chatID, b.t(r, "overdue.title", "Count", len(plans)), inline(rows...))
}

// onAssign gives a kind of check to a branch's members (or a duty to its
// organizers): /assign with buttons, or /assign <kind> <audience or phone>
// [first due date].
func (b *Bot) onAssign(ctx context.Context, r *request, args string) {
	fields := strings.Fields(args)
	if len(fields) == 0 {
		kinds, err := b.st.PlanKinds(ctx)
		if err != nil {
			b.fail(ctx, r.chatID, r.lang, "assign", err)
			return
		}
		var rows [][]inlineButton
		for i := range kinds {
			k := &kinds[i]
			c := models.Callback{Action: models.ActAssign, Op: "k", Arg: k.Key}
			if c.Fits() {
				rows = append(rows, row(cb(b.t(r, "check.icon."+string(k.For))+" "+k.Name(string(r.lang)), c)))
			}
		}
		b.send(ctx, r.chatID, b.t(r, "assign.ask_kind"), inline(rows...))
		return
	}
	if len(fields) < 2 || len(fields) > 3 {
		b.send(ctx, r.chatID, b.t(r, "assign.usage"), nil)
		return
	}
	k, err := b.st.PlanKindByKey(ctx, fields[0])
	if err != nil {
		b.send(ctx, r.chatID, b.t(r, "assign.unknown_kind", "Kind", truncate(fields[0], 40)), nil)
		return
	}
	aud, err := models.ParseAudience(fields[1])
	if err != nil {
		if _, perr := models.NormalizePhone(fields[1]); perr != nil {
			b.send(ctx, r.chatID, b.t(r, "assign.usage"), nil)
			return
		}
		m, err := b.memberByPhone(ctx, r, fields[1])
		switch {
		case errors.Is(err, store.ErrNotFound):
			// The same answer whether the number is nowhere or in a branch
			// the organizer does not organize.
			b.send(ctx, r.chatID, b.t(r, "member.not_found", "Value", truncate(fields[1], 30)), nil)
			return
		case err != nil:
			b.fail(ctx, r.chatID, r.lang, "assign", err)
			return
		}
		aud = models.MembersAudience(m.ID)
	}
	var first *models.Day
	if len(fields) == 3 {
		d, err := models.ParseDay(fields[2])
		if err != nil || d.Before(models.DayOf(b.cfg.Now(), b.cfg.Location)) {
			b.send(ctx, r.chatID, b.t(r, "assign.usage"), nil)
			return
		}
		first = &d
	}
	b.assign(ctx, r, k, aud, first)
}

// assign applies the one rule of reach, then assigns.
func (b *Bot) assign(ctx context.Context, r *request, k *models.PlanKind, aud models.Audience, first *models.Day) {
	if !b.canReach(ctx, r, aud) {
		key := "auth.branch_not_yours"
		if _, listed := aud.IsMembers(); listed {
			key = "auth.not_your_branch"
		}
		b.send(ctx, r.chatID, b.t(r, key), nil)
		return
	}
	res, err := b.st.AssignPlans(ctx, k, aud, first, &r.member.ID, b.cfg.Location, b.cfg.Now())
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "assign", err)
		return
	}
	b.log.Info("plans assigned", "kind_id", k.ID, "created", res.Created, "by_member_id", r.member.ID)
	b.send(ctx, r.chatID, b.t(r, "assign.done", "Kind", k.Name(string(r.lang)), "Created", res.Created, "Kept", res.Kept), nil)
}

// onAssignCallback moves /assign on by buttons: the kind, then the branch.
func (b *Bot) onAssignCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	switch c.Op {
	case "k":
		k, err := b.st.PlanKindByKey(ctx, c.Arg)
		if err != nil {
			b.answer(ctx, q, b.t(r, "callback.stale"), true)
			return
		}
		b.answer(ctx, q, "", false)
		var rows [][]inlineButton
		branch := func(br models.Branch) {
			data := models.Callback{Action: models.ActAssign, Op: "b" + strconv.FormatUint(uint64(br.ID), 10), Arg: k.Key}
			if data.Fits() {
				rows = append(rows, row(cb(br.Path, data)))
			}
		}
		var top, orgs []models.Branch
		if r.scope.Admin {
			top, err = b.st.ChildBranches(ctx, nil)
		}
		if err == nil {
			orgs, err = b.st.OrganizedBranches(ctx, r.member.ID)
		}
		for _, br := range top {
			branch(br)
		}
		for _, br := range orgs {
			if err != nil {
				break
			}
			branch(br)
			var kids []models.Branch
			kids, err = b.st.ChildBranches(ctx, &br.ID)
			for _, kid := range kids {
				branch(kid)
			}
		}
		if err != nil {
			// An empty or partial list would say the organizer has no
			// branches.
			b.fail(ctx, r.chatID, r.lang, "assign branches", err)
			return
		}
		if len(rows) > 40 {
			rows = rows[:40]
		}
		b.send(ctx, r.chatID, b.t(r, "assign.ask_audience"), inline(rows...))
	default:
		id, err := strconv.ParseUint(strings.TrimPrefix(c.Op, "b"), 10, 32)
		k, kerr := b.st.PlanKindByKey(ctx, c.Arg)
		var br *models.Branch
		if err == nil && kerr == nil && strings.HasPrefix(c.Op, "b") {
			br, err = b.st.BranchByID(ctx, uint(id))
		}
		if err != nil || kerr != nil || br == nil {
			b.answer(ctx, q, b.t(r, "callback.stale"), true)
			return
		}
		if !b.canReach(ctx, r, models.BranchAudience(br.Path)) {
			b.answer(ctx, q, b.t(r, "auth.branch_not_yours"), true)
			return
		}
		b.answer(ctx, q, "", false)
		b.assign(ctx, r, k, models.BranchAudience(br.Path), nil)
	}
}
