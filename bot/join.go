package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
)

// dialogJoin waits for a stranger's name once they chose their branch.
const dialogJoin = "join"

// maxJoinName bounds a typed name (displayName clips Telegram's at 100).
const maxJoinName = 50

type joinDialog struct {
	Branch uint `json:"branch"`
}

// onJoin starts a stranger's request to join: first, which branch. A
// request still waiting is being reviewed: they are told so, not asked
// again.
func (b *Bot) onJoin(ctx context.Context, r *request) {
	if r.member != nil {
		b.send(ctx, r.chatID, b.t(r, "link.already", "Name", r.member.Name), b.keyboardFor(r))
		return
	}
	if jr, ok := b.pendingJoin(ctx, r); ok {
		b.send(ctx, r.chatID, b.t(r, "join.pending", "Branch", jr.Branch.Path), b.keyboardFor(r))
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

// pendingJoin finds the stranger's request still waiting for a decision.
func (b *Bot) pendingJoin(ctx context.Context, r *request) (*models.JoinRequest, bool) {
	jr, err := b.st.PendingJoinRequest(ctx, r.from.ID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			b.log.Warn("join: pending request", "err", err)
		}
		return nil, false
	}
	return jr, true
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

// onJoinChoose takes the branch and asks the stranger's name (offering
// to share their phone), so that organizers know who asks; the request
// goes out with the name (onJoinInput).
func (b *Bot) onJoinChoose(ctx context.Context, r *request, q *tgm.CallbackQuery, id uint) {
	if r.member != nil {
		b.answer(ctx, q, b.t(r, "link.already", "Name", r.member.Name), true)
		return
	}
	br, ok := b.callbackBranch(ctx, r, q, id)
	if !ok {
		return
	}
	if jr, ok := b.pendingJoin(ctx, r); ok {
		b.answer(ctx, q, "", false)
		if msg := q.Message.Message; msg != nil {
			b.edit(ctx, r.chatID, msg.ID, b.t(r, "join.pending", "Branch", jr.Branch.Path), nil)
		}
		return
	}
	if !b.joinDecidable(ctx, r, q, br) {
		return
	}
	visitor, err := b.st.Visitor(ctx, r.from.ID)
	if err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		b.log.Error("join: visitor", "err", err)
		return
	}
	raw, _ := json.Marshal(joinDialog{Branch: br.ID})
	if err := b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: dialogJoin, Step: "name", Data: string(raw)}); err != nil {
		b.answer(ctx, q, b.t(r, "error.internal"), true)
		b.log.Error("join: save dialog", "err", err)
		return
	}
	b.answer(ctx, q, "", false)
	b.clearMarkup(ctx, q)
	share := ""
	if visitor.Phone == "" {
		share = b.t(r, telegram.MenuShare)
	}
	// With the strangers' keyboard: its 📱 button shares the phone.
	b.send(ctx, r.chatID, b.t(r, "join.ask_name", "Branch", br.Path, "Share", share), b.keyboardFor(r))
}

// joinDecidable reports whether anyone can decide a request for br (its
// organizers, those above, else the admins, reachable); if not the
// stranger is told so (q answered when there is one).
func (b *Bot) joinDecidable(ctx context.Context, r *request, q *tgm.CallbackQuery, br *models.Branch) bool {
	organizers, err := b.st.Recipients(ctx, planner.Message{Kind: outbox.KindJoinRequest, To: models.OrganizersAudience(br.Path)})
	if err != nil {
		b.log.Error("join: organizers", "err", err)
		if q != nil {
			b.answer(ctx, q, b.t(r, "error.internal"), true)
		} else {
			b.fail(ctx, r.chatID, r.lang, "join", err)
		}
		return false
	}
	if len(organizers) == 0 {
		if q != nil {
			b.answer(ctx, q, "", false)
		}
		b.send(ctx, r.chatID, b.t(r, "join.no_organizer", "Branch", br.Path), b.keyboardFor(r))
		return false
	}
	return true
}

// onJoinInput takes the name a stranger types for their request, and
// files it; it reports false when no such dialog waits.
func (b *Bot) onJoinInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	if r.member != nil {
		return false
	}
	d, err := b.st.Dialog(ctx, r.from.ID)
	if err != nil || d.Kind != dialogJoin {
		return false
	}
	var jd joinDialog
	if json.Unmarshal([]byte(d.Data), &jd) != nil {
		return false
	}
	name := strings.TrimSpace(msg.Text)
	switch {
	case name == "" || strings.ContainsAny(name, "\r\n") || utf8.RuneCountInString(name) > maxJoinName:
		b.send(ctx, r.chatID, b.t(r, "join.name_bad", "Max", maxJoinName), nil) // the dialog waits for the name again
		return true
	case !models.ValidText(name, false):
		b.send(ctx, r.chatID, b.t(r, "text.bad"), nil)
		return true
	}
	br, err := b.st.BranchByID(ctx, jd.Branch)
	if err != nil {
		b.clearDialog(ctx, r)
		if errors.Is(err, store.ErrNotFound) {
			b.onJoin(ctx, r) // the branch is gone: choose again
			return true
		}
		b.fail(ctx, r.chatID, r.lang, "join", err)
		return true
	}
	if !b.joinDecidable(ctx, r, nil, br) {
		b.clearDialog(ctx, r)
		return true
	}
	b.fileJoinRequest(ctx, r, br, name)
	return true
}

// fileJoinRequest records the request with the name the stranger typed
// (and the phone they shared, if they did) and asks those who decide.
func (b *Bot) fileJoinRequest(ctx context.Context, r *request, br *models.Branch, name string) {
	visitor, err := b.st.Visitor(ctx, r.from.ID)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "join", err)
		return
	}
	jr := models.JoinRequest{TelegramID: r.from.ID, ChatID: r.chatID, Name: name, Lang: string(r.lang), BranchID: br.ID}
	if visitor.Phone != "" {
		jr.Phone = &visitor.Phone
	}
	username := ""
	if r.from.Username != "" {
		username = "@" + r.from.Username
	}
	saved, created, err := b.st.CreateJoinRequest(ctx, jr, username, b.cfg.Now())
	if errors.Is(err, models.ErrBadText) {
		b.send(ctx, r.chatID, b.t(r, "text.bad"), nil)
		return
	}
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "join", err)
		return
	}
	b.clearDialog(ctx, r)
	if !created {
		path := br.Path
		if pending, err := b.st.BranchByID(ctx, saved.BranchID); err == nil {
			path = pending.Path
		}
		b.send(ctx, r.chatID, b.t(r, "join.pending", "Branch", path), b.keyboardFor(r))
		return
	}
	b.log.Info("join request", "request_id", saved.ID, "branch_id", br.ID)
	b.send(ctx, r.chatID, b.t(r, "join.sent", "Branch", br.Path), b.keyboardFor(r))
	b.enqueued()
}

// clearDialog ends the user's dialog; a failure is logged (the next
// message then meets the dialog again, which asks again).
func (b *Bot) clearDialog(ctx context.Context, r *request) {
	if err := b.st.ClearDialog(ctx, r.from.ID); err != nil {
		b.log.Warn("clear dialog", "err", err)
	}
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
	if !r.member.IsOrganizer() {
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
