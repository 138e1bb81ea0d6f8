package bot

import (
	"context"
	"errors"
	"strings"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// onJoin starts a stranger's request to join: first, which branch.
func (b *Bot) onJoin(ctx context.Context, r *request) {
	if r.member != nil {
		b.send(ctx, r.chatID, b.t(r, "link.already", "Name", r.member.Name), b.keyboardFor(r))
		return
	}
	text, kb, err := b.branchPicker(ctx, r, nil)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "join", err)
		return
	}
	if kb == nil {
		b.send(ctx, r.chatID, b.t(r, "join.no_branches"), b.keyboardFor(r))
		return
	}
	b.send(ctx, r.chatID, text, kb)
}

// branchPicker shows the branches below parent (nil: the top): a branch with
// branches below it opens them, a branch without is chosen; the level's own
// branch can be chosen too, and Back goes up.
func (b *Bot) branchPicker(ctx context.Context, r *request, parent *models.Branch) (string, *inlineKeyboard, error) {
	var parentID *uint
	if parent != nil {
		parentID = &parent.ID
	}
	kids, err := b.st.ChildBranches(ctx, parentID)
	if err != nil {
		return "", nil, err
	}
	if len(kids) == 0 && parent == nil {
		return "", nil, nil
	}
	var rows [][]inlineButton
	for _, k := range kids {
		grand, err := b.st.ChildBranches(ctx, &k.ID)
		if err != nil {
			return "", nil, err
		}
		if len(grand) > 0 {
			rows = append(rows, row(cb(k.Name+" ›", models.Callback{Action: models.ActJoinBrowse, ID: k.ID})))
		} else {
			rows = append(rows, row(cb(k.Name, models.Callback{Action: models.ActJoinChoose, ID: k.ID})))
		}
	}
	text := b.t(r, "join.choose_branch")
	if parent != nil {
		text = b.t(r, "join.choose_in", "Branch", parent.Path)
		rows = append(rows, row(cb(b.t(r, "join.this_branch", "Branch", parent.Name), models.Callback{Action: models.ActJoinChoose, ID: parent.ID})))
		back := models.Callback{Action: models.ActJoinBrowse}
		if parent.ParentID != nil {
			back.ID = *parent.ParentID
		}
		rows = append(rows, row(cb(b.t(r, "button.back"), back)))
	}
	return text, inline(rows...), nil
}

func (b *Bot) onJoinBrowse(ctx context.Context, r *request, q *tgm.CallbackQuery, id uint) {
	msg := q.Message.Message
	if r.member != nil || msg == nil {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	var parent *models.Branch
	if id != 0 {
		br, ok := b.callbackBranch(ctx, r, q, id)
		if !ok {
			return
		}
		parent = br
	}
	text, kb, err := b.branchPicker(ctx, r, parent)
	if err != nil || kb == nil {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	b.answer(ctx, q, "", false)
	b.edit(ctx, r.chatID, msg.ID, text, kb)
}

// onJoinChoose files the request and asks the branch's organizers.
func (b *Bot) onJoinChoose(ctx context.Context, r *request, q *tgm.CallbackQuery, id uint) {
	if r.member != nil {
		b.answer(ctx, q, b.t(r, "link.already", "Name", r.member.Name), true)
		return
	}
	br, ok := b.callbackBranch(ctx, r, q, id)
	if !ok {
		return
	}
	organizers, err := b.st.Recipients(ctx, planner.Message{Kind: planner.KindJoinRequest, To: models.OrganizersAudience(br.Path)})
	if err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		b.log.Error("join: organizers", "err", err)
		return
	}
	if len(organizers) == 0 {
		b.answer(ctx, q, "", false)
		b.send(ctx, r.chatID, b.t(r, "join.no_organizer", "Branch", br.Path), b.keyboardFor(r))
		return
	}
	visitor, err := b.st.Visitor(ctx, r.from.ID)
	if err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		return
	}
	jr := models.JoinRequest{TelegramID: r.from.ID, ChatID: r.chatID, Name: displayName(r.from), Lang: string(r.lang), BranchID: br.ID}
	if !models.ValidText(jr.Name, false) {
		// Their Telegram name is what organizers would approve: one with
		// control characters is refused, and they are told how to mend it.
		b.answer(ctx, q, "", false)
		b.send(ctx, r.chatID, b.t(r, "join.bad_name"), b.keyboardFor(r))
		return
	}
	if visitor.Phone != "" {
		jr.Phone = &visitor.Phone
	}
	username := ""
	if r.from.Username != "" {
		username = "@" + r.from.Username
	}
	saved, created, err := b.st.CreateJoinRequest(ctx, jr, username, b.cfg.Now())
	if errors.Is(err, models.ErrBadText) {
		b.answer(ctx, q, "", false)
		b.send(ctx, r.chatID, b.t(r, "join.bad_name"), b.keyboardFor(r))
		return
	}
	if err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		b.log.Error("join: create request", "err", err)
		return
	}
	b.answer(ctx, q, "", false)
	if !created {
		pending, err := b.st.BranchByID(ctx, saved.BranchID)
		path := br.Path
		if err == nil {
			path = pending.Path
		}
		if msg := q.Message.Message; msg != nil {
			b.edit(ctx, r.chatID, msg.ID, b.t(r, "join.pending", "Branch", path), nil)
		}
		return
	}
	if msg := q.Message.Message; msg != nil {
		b.edit(ctx, r.chatID, msg.ID, b.t(r, "join.sent", "Branch", br.Path), nil)
	}
	b.log.Info("join request", "request_id", saved.ID, "branch_id", br.ID, "organizers", len(organizers))
	b.enqueued()
}

// joinRequestText is the request as organizers read it (the planner's
// notice, without the buttons).
func (b *Bot) joinRequestText(l locales.Lang, jr *models.JoinRequest, branch string) string {
	ask := planner.JoinRequest(jr, branch, "", b.cfg.Now())
	return strings.TrimSpace(b.cat.T(l, ask.Template, ask.Args.KV(b.cat, l, b.cfg.Location, b.cfg.Now())...))
}

// onJoinDecide approves or declines, for organizers of the branch only.
func (b *Bot) onJoinDecide(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	id, verb := c.ID, c.Op
	if !isOrganizer(r.member) {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	jr, err := b.st.JoinRequestByID(ctx, id)
	if err != nil {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	if !r.scope.Covers(jr.Branch.Path) {
		b.answer(ctx, q, b.t(r, "auth.not_your_branch"), true)
		return
	}
	decided, err := b.st.DecideJoinRequest(ctx, id, r.member.ID, verb == "a", b.cfg.Now())
	if errors.Is(err, store.ErrDecided) {
		b.answer(ctx, q, b.t(r, "join.already_decided"), true)
		return
	}
	if err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		b.log.Error("join: decide", "err", err)
		return
	}
	b.answer(ctx, q, "", false)
	outcome := "join.approved_by"
	if decided.Status == models.JoinDeclined {
		outcome = "join.declined_by"
	}
	if msg := q.Message.Message; msg != nil {
		text := b.joinRequestText(r.lang, decided, jr.Branch.Path) + "\n\n" + b.t(r, outcome, "By", r.member.Name)
		b.edit(ctx, r.chatID, msg.ID, text, nil)
	}
	b.log.Info("join request decided", "request_id", decided.ID, "status", string(decided.Status), "by_member_id", r.member.ID)
	b.enqueued() // the applicant's answer is in the outbox
	if decided.Status == models.JoinApproved {
		l, ok := locales.Parse(decided.Lang)
		if !ok {
			l = b.cfg.DefaultLang
		}
		b.setChatMenu(ctx, decided.ChatID, l, false)
	}
}

// callbackBranch reads a branch id from callback data; it answers the query
// itself when the id is malformed or the branch is gone.
func (b *Bot) callbackBranch(ctx context.Context, r *request, q *tgm.CallbackQuery, id uint) (*models.Branch, bool) {
	br, err := b.st.BranchByID(ctx, id)
	if err != nil {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return nil, false
	}
	return br, true
}
