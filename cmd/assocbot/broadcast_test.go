package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// startDispatcher runs a dispatcher beside the harness's bot, as `run` does.
func startDispatcher(t *testing.T, h *bottest.Harness, d **dispatch.Dispatcher, cfg dispatch.Config) {
	t.Helper()
	sends := budget.New(budget.NewMemory(int(cfg.Rate), time.Second, budget.SendTimeout), nil)
	channel, err := telegram.NewChannel(telegram.ChannelConfig{Token: bottest.Token, APIURL: h.API.URL(), Budget: sends}, h.Cat)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Location, cfg.DefaultLang, cfg.Poll, cfg.Now = bottest.Shanghai, locales.ZhHans, 50*time.Millisecond, h.Clock
	*d = dispatch.New(cfg, h.St, channel, h.Cat, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); (*d).Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// TestOrganizerBroadcastWithProgressAndReport: an organizer writes a notice
// in the bot, sees the preview with the count, confirms, watches the progress
// message being edited and gets the final report; a blocked member is
// counted; a member outside the branch gets nothing.
func TestOrganizerBroadcastWithProgressAndReport(t *testing.T) {
	var d *dispatch.Dispatcher
	h := bottest.New(t, bottest.BeforeStart(func(b *bot.Bot) { b.OnEnqueue(func() { d.Wake() }) }))
	startDispatcher(t, h, &d, dispatch.Config{Rate: 3, Workers: 2})
	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
	org := fakeapi.User{ID: 900, FirstName: "Org", LanguageCode: "en"}
	h.Link("13800000001", org)
	var members []fakeapi.User
	for i := 0; i < 12; i++ {
		phone := fmt.Sprintf("1390000%04d", i)
		h.Add(store.NewMember{Name: fmt.Sprintf("M%d", i), Phone: phone, Branch: "Town/Village"})
		u := fakeapi.User{ID: int64(2000 + i), FirstName: "M", LanguageCode: "zh-hans"}
		h.Link(phone, u)
		members = append(members, u)
	}
	h.API.Block(members[0].ID)
	h.Add(store.NewMember{Name: "Outside", Phone: "13700000000", Branch: "Elsewhere"})
	outside := fakeapi.User{ID: 3000, FirstName: "O"}
	h.Link("13700000000", outside)

	ask := h.Say(org, "/broadcast")
	if ask.Text != h.T(locales.En, "broadcast.choose_audience") || !bottest.Contains(bottest.InlineTexts(ask), "Town") || bottest.Contains(bottest.InlineTexts(ask), "👥 Everyone") {
		t.Fatalf("audience step: %q %v", ask.Text, bottest.InlineTexts(ask))
	}
	h.Press(org, ask, "Town")
	h.WaitFor("the write step", func() bool { return strings.HasPrefix(h.Message(org.ID, ask.ID).Text, "To: Town.") })
	preview := h.Say(org, "明天上午九点在村委会体检，请带身份证。")
	// Twelve members and the organizer, who is in Town too.
	want := h.T(locales.En, "broadcast.preview", "Audience", "Town", "Count", 13, "Attachment", "", "Text", "明天上午九点在村委会体检，请带身份证。")
	if preview.Text != want {
		t.Fatalf("preview %q, want %q", preview.Text, want)
	}
	h.Press(org, preview, "✅ Send now")

	// Progress: one message, edited as it goes, never more often than every 3 s.
	var progressID int64
	h.WaitFor("the progress message", func() bool {
		for _, m := range h.API.Messages(org.ID) {
			if strings.HasPrefix(m.Text, "📤 Sending:") {
				progressID = m.ID
				return true
			}
		}
		return false
	})
	deadline := time.Now().Add(20 * time.Second)
	var report fakeapi.Message
	for time.Now().Before(deadline) {
		if last, _ := h.API.Last(org.ID); strings.HasPrefix(last.Text, "✅ Broadcast finished") {
			report = last
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	wantReport := h.T(locales.En, "broadcast.report", "Total", 13, "Delivered", 12, "Blocked", 1, "Failed", 0)
	if report.Text != wantReport {
		t.Fatalf("report %q, want %q", report.Text, wantReport)
	}
	progress := h.Message(org.ID, progressID)
	if progress.Text != "📤 Sending: 12 / 13" || progress.Edited < 1 {
		t.Fatalf("progress %q edited %d times", progress.Text, progress.Edited)
	}
	var edits []time.Time
	for _, q := range h.API.RequestsFor("editMessageText") {
		if q.ChatID == org.ID && q.Params["message_id"] == fmt.Sprint(progressID) {
			edits = append(edits, q.At)
		}
	}
	for i := 1; i < len(edits); i++ {
		if gap := edits[i].Sub(edits[i-1]); gap < 2900*time.Millisecond {
			t.Fatalf("progress edited %v after the previous edit", gap)
		}
	}
	for _, u := range members[1:] {
		// Who sends it, then their words.
		if got := h.API.Messages(u.ID); len(got) != 1 || got[0].Text != "📢 Org · Town\n明天上午九点在村委会体检，请带身份证。" {
			t.Fatalf("member %d got %v", u.ID, got)
		}
	}
	om, _ := h.St.MemberByTelegramID(context.Background(), outside.ID)
	if rows, _ := h.St.Outbox(context.Background(), store.OutboxQuery{MemberID: om.ID}); len(rows) != 0 {
		t.Fatalf("a member outside the branch got the notice: %+v", rows)
	}
	if m, _ := h.St.MemberByTelegramID(context.Background(), members[0].ID); m.Status != models.StatusUnreachable {
		t.Fatalf("blocked member status %s", m.Status)
	}
}

func TestMemberCannotBroadcastAndDialogCancels(t *testing.T) {
	h := bottest.New(t)
	h.Add(store.NewMember{Name: "M", Phone: "13800000002", Branch: "Town"})
	m := fakeapi.User{ID: 901, FirstName: "M", LanguageCode: "zh-TW"}
	h.Link("13800000002", m)
	if got := h.Say(m, "/broadcast"); got.Text != h.T(locales.ZhHant, "auth.organizers_only", "Command", "/broadcast") {
		t.Fatalf("member /broadcast: %q", got.Text)
	}
	// A forged "send now" from a member changes nothing.
	id := h.API.SendCallback(m, m.ID, 1, "bc:s")
	if ans := h.CallbackAnswer(id); ans != h.T(locales.ZhHant, "auth.organizers_only_action") {
		t.Fatalf("forged send: %q", ans)
	}
	if c, _ := h.St.OutboxTally(context.Background(), store.OutboxQuery{}); len(c) != 0 {
		t.Fatalf("outbox rows after a member's attempt: %v", c)
	}

	h.Add(store.NewMember{Name: "Org", Phone: "13800000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "zh-Hans"})
	org := fakeapi.User{ID: 900, FirstName: "Org"}
	h.Link("13800000001", org)
	ask := h.Say(org, "/broadcast")
	// Another branch's id, forged: refused.
	other, _ := h.St.EnsureBranch(context.Background(), "Other")
	id = h.API.SendCallback(org, org.ID, ask.ID, fmt.Sprintf("bc:a:b:%d", other.ID))
	if ans := h.CallbackAnswer(id); ans != h.T(locales.ZhHans, "auth.branch_not_yours") {
		t.Fatalf("forged branch: %q", ans)
	}
	h.Press(org, ask, "Town")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	preview := h.Say(org, "通知")
	n := len(h.API.Messages(org.ID))
	h.Press(org, preview, "🕘 定时发送")
	h.Nth(org.ID, n+1)
	if got := h.Say(org, "明天早上"); !strings.HasPrefix(got.Text, "没有看懂这个时间") {
		t.Fatalf("bad time: %q", got.Text)
	}
	if got := h.Say(org, "2020-01-01 09:00"); got.Text != h.T(locales.ZhHans, "broadcast.time_past") {
		t.Fatalf("past time: %q", got.Text)
	}
	if got := h.Say(org, "/cancel"); got.Text != h.T(locales.ZhHans, "broadcast.cancelled") {
		t.Fatalf("cancel: %q", got.Text)
	}
	if c, _ := h.St.OutboxTally(context.Background(), store.OutboxQuery{}); len(c) != 0 {
		t.Fatalf("outbox rows after cancel: %v", c)
	}
	// Scheduled: queued for later, not sent now.
	ask = h.Say(org, "/broadcast")
	h.Press(org, ask, "Town")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	preview = h.Say(org, "元旦快乐")
	n = len(h.API.Messages(org.ID))
	h.Press(org, preview, "🕘 定时发送")
	h.Nth(org.ID, n+1)
	got := h.Say(org, "2026-12-31 20:00")
	if got.Text != h.T(locales.ZhHans, "broadcast.scheduled", "Count", 2, "At", "12月31日（周四） 20:00") {
		t.Fatalf("scheduled: %q", got.Text)
	}
}

// TestCLIBroadcastReachesARunningService enqueues with `assocbot broadcast`
// while `assocbot run` is up on the same database: the running dispatcher
// finds and sends it within seconds. A muted member gets no broadcast.
func TestCLIBroadcastReachesARunningService(t *testing.T) {
	api := fakeapi.New(bottest.Token)
	defer api.Close()
	dir := t.TempDir()
	db := dir + "/a.db"
	getenv := func(k string) string {
		return map[string]string{"ASSOCBOT_TOKEN": bottest.Token, "ASSOCBOT_API_URL": api.URL(), "ASSOCBOT_DB": db,
			"ASSOCBOT_LISTEN": "127.0.0.1:0", "ASSOCBOT_QUIET_HOURS": "off"}[k]
	}
	phones := []string{"13800000001", "13800000002", "13800000003"}
	for i, who := range phones {
		if code, _, errOut := runCLI(t, getenv, "", "member", "add", "--name", fmt.Sprint("M", i), "--phone", who, "--branch", "Town/Village", "--new-branch", "--tags", "volunteer"); code != 0 {
			t.Fatal(errOut)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	errOut := &bottest.SyncBuffer{}
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"run"}, strings.NewReader(""), &strings.Builder{}, errOut, getenv, time.Now)
	}()
	defer func() { cancel(); <-done }()
	// Members link by sharing their phone; the third mutes reminders.
	users := []fakeapi.User{{ID: 11, FirstName: "A"}, {ID: 12, FirstName: "B"}, {ID: 13, FirstName: "C"}}
	wctx, wcancel := context.WithTimeout(ctx, 15*time.Second)
	defer wcancel()
	for i, u := range users {
		api.SendContact(u, fakeapi.Contact{PhoneNumber: "86" + phones[i], UserID: u.ID})
		if _, err := api.WaitMessages(wctx, u.ID, 1); err != nil {
			t.Fatalf("link %d: %v", i, err)
		}
	}
	api.SendText(users[2], "/mute")
	if _, err := api.WaitMessages(wctx, users[2].ID, 2); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, getenv, "", "broadcast", "--audience", "tag:volunteer", "--text", "明天停水")
	if code != 0 || !strings.Contains(out, "2 recipients") {
		t.Fatalf("broadcast: %d %q %q", code, out, stderr)
	}
	start := time.Now()
	for _, u := range users[:2] {
		msgs, err := api.WaitMessages(wctx, u.ID, 2)
		if err != nil || msgs[1].Text != "📢 协会通知\n明天停水" {
			t.Fatalf("member %d: %v %v", u.ID, msgs, err)
		}
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the running service took %v to send", took)
	}
	// The muted member's notice was never planned.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	muted, _ := st.MemberByTelegramID(context.Background(), users[2].ID)
	if rows, _ := st.Outbox(context.Background(), store.OutboxQuery{Kind: outbox.KindBroadcast, MemberID: muted.ID}); len(rows) != 0 {
		t.Fatalf("a notice planned for the muted member: %+v", rows)
	}
	// Bad broadcast arguments: exit 2, nothing queued.
	for _, args := range [][]string{
		{"broadcast", "--audience", "everyone", "--text", "x"},
		{"broadcast", "--audience", "all"},
		{"broadcast", "--audience", "all", "--text", "x", "--at", "2020-01-01 09:00"},
		{"broadcast", "--audience", "all", "--text", "x", "--at", "tomorrow"},
	} {
		if code, _, _ := runCLI(t, getenv, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
