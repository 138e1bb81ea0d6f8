package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
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
			rows = append(rows, row(cb(k.Name+" ›", fmt.Sprintf("jb:%d", k.ID))))
		} else {
			rows = append(rows, row(cb(k.Name, fmt.Sprintf("jc:%d", k.ID))))
		}
	}
	text := b.t(r, "join.choose_branch")
	if parent != nil {
		text = b.t(r, "join.choose_in", "Branch", parent.Path)
		rows = append(rows, row(cb(b.t(r, "join.this_branch", "Branch", parent.Name), fmt.Sprintf("jc:%d", parent.ID))))
		back := "jb:0"
		if parent.ParentID != nil {
			back = fmt.Sprintf("jb:%d", *parent.ParentID)
		}
		rows = append(rows, row(cb(b.t(r, "button.back"), back)))
	}
	return text, inline(rows...), nil
}

func (b *Bot) onJoinBrowse(ctx context.Context, r *request, q *tgm.CallbackQuery, arg string) {
	msg := q.Message.Message
	if r.member != nil || msg == nil {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	var parent *models.Branch
	if arg != "0" {
		br, ok := b.callbackBranch(ctx, r, q, arg)
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
func (b *Bot) onJoinChoose(ctx context.Context, r *request, q *tgm.CallbackQuery, arg string) {
	if r.member != nil {
		b.answer(ctx, q, b.t(r, "link.already", "Name", r.member.Name), true)
		return
	}
	br, ok := b.callbackBranch(ctx, r, q, arg)
	if !ok {
		return
	}
	organizers, err := b.st.OrganizersOf(ctx, br.ID)
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
	if visitor.Phone != "" {
		jr.Phone = &visitor.Phone
	}
	saved, created, err := b.st.CreateJoinRequest(ctx, jr)
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
	b.log.Info("join request", "request_id", saved.ID, "branch_id", br.ID)
	for _, org := range organizers {
		ol := b.langOf(ctx, &org, nil)
		b.send(ctx, *org.ChatID, b.joinRequestText(ol, saved, br.Path, r.from), inline(row(
			cb(b.cat.T(ol, "button.approve"), fmt.Sprintf("jr:a:%d", saved.ID)),
			cb(b.cat.T(ol, "button.decline"), fmt.Sprintf("jr:d:%d", saved.ID)),
		)))
	}
}

func (b *Bot) joinRequestText(l locales.Lang, jr *models.JoinRequest, branch string, from *tgm.User) string {
	contact := b.cat.T(l, "join.no_phone")
	if jr.Phone != nil {
		contact = *jr.Phone
	}
	username := ""
	if from != nil && from.Username != "" {
		username = "@" + from.Username
	}
	return strings.TrimSpace(b.cat.T(l, "join.ask_organizer", "Name", jr.Name, "Username", username, "Phone", contact, "Branch", branch))
}

// onJoinDecide approves or declines, for organizers of the branch only.
func (b *Bot) onJoinDecide(ctx context.Context, r *request, q *tgm.CallbackQuery, arg string) {
	verb, idText, _ := strings.Cut(arg, ":")
	id, ok := parseID(idText)
	if !ok || (verb != "a" && verb != "d") {
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		return
	}
	if !isOrganizer(r.member) {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	jr, err := b.st.JoinRequestByID(ctx, id)
	if err != nil {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	allowed, err := b.st.CanOrganize(ctx, r.member, jr.BranchID)
	if err != nil || !allowed {
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
		text := b.joinRequestText(r.lang, decided, jr.Branch.Path, nil) + "\n\n" + b.t(r, outcome, "By", r.member.Name)
		b.edit(ctx, r.chatID, msg.ID, text, nil)
	}
	b.log.Info("join request decided", "request_id", decided.ID, "status", string(decided.Status), "by_member_id", r.member.ID)
	b.tellApplicant(ctx, decided, jr.Branch.Path)
}

// tellApplicant gives the stranger the decision, in the language they used.
func (b *Bot) tellApplicant(ctx context.Context, jr *models.JoinRequest, branch string) {
	l, ok := locales.Parse(jr.Lang)
	if !ok {
		l = b.cfg.DefaultLang
	}
	if jr.Status == models.JoinDeclined {
		b.send(ctx, jr.ChatID, b.cat.T(l, "join.declined", "Branch", branch), b.strangerKeyboard(l))
		return
	}
	m, err := b.st.MemberByTelegramID(ctx, jr.TelegramID)
	if err != nil {
		b.log.Error("join: approved member", "err", err)
		return
	}
	r := &request{chatID: jr.ChatID, member: m, lang: b.langOf(ctx, m, nil), private: true}
	b.welcome(ctx, r, "join.approved")
}

// callbackBranch reads a branch id from callback data; it answers the query
// itself when the id is malformed or the branch is gone.
func (b *Bot) callbackBranch(ctx context.Context, r *request, q *tgm.CallbackQuery, arg string) (*models.Branch, bool) {
	id, ok := parseID(arg)
	if !ok {
		b.answer(ctx, q, b.t(r, "callback.invalid"), true)
		return nil, false
	}
	br, err := b.st.BranchByID(ctx, id)
	if err != nil {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return nil, false
	}
	return br, true
}
