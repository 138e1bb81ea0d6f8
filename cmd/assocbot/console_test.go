package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	initdata "github.com/telegram-mini-apps/init-data-golang"

	"github.com/assocbot/assocbot/bot/console"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// signedInitData is the init data Telegram would give user id in a Mini
// App of the bot with token, signed at authDate.
func signedInitData(t *testing.T, token string, id int64, lang string, authDate time.Time) string {
	t.Helper()
	user, _ := json.Marshal(map[string]any{"id": id, "first_name": "U", "language_code": lang})
	payload := map[string]string{"query_id": "AAH" + fmt.Sprint(id), "user": string(user)}
	hash := initdata.Sign(payload, token, authDate)
	q := url.Values{}
	for k, v := range payload {
		q.Set(k, v)
	}
	q.Set("auth_date", fmt.Sprint(authDate.Unix()))
	q.Set("hash", hash)
	return q.Encode()
}

// TestConsoleAuthOverHTTP: the console's API on the listener of a running
// `assocbot run`, for every kind of caller — no init data, a forged or a
// stale signature (401), a user not on the roster and a member (403), an
// organizer (their branches only), one of another branch (theirs only),
// an admin (every top branch). The figures are the store's StatsFor for
// the caller's scope, the one source of /stats; answers are no-store. The
// page itself is served from the binary. The process stops on SIGTERM.
func TestConsoleAuthOverHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildAssocbot(t)
	const token = "424242:console-test-token"
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "console.db")
	ctx := context.Background()
	st, err := openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	people := []struct {
		name, phone, branch string
		role                models.Role
		tg                  int64
	}{
		{"东组长", "13900000001", "东城镇/李家村", models.RoleOrganizer, 501},
		{"西组长", "13900000002", "西城镇", models.RoleOrganizer, 502},
		{"王芳", "13800000001", "东城镇/李家村", models.RoleMember, 503},
		{"刘会长", "13900000003", "东城镇", models.RoleAdmin, 504},
		{"李四", "13800000002", "西城镇/张庄", models.RoleMember, 0},
	}
	for _, p := range people {
		if _, err := st.AddMember(ctx, store.NewMember{Name: p.name, Phone: p.phone, Branch: p.branch, Role: p.role}); err != nil {
			t.Fatal(err)
		}
		if p.tg != 0 {
			if _, err := st.LinkByPhone(ctx, p.phone, p.tg, p.tg); err != nil {
				t.Fatal(err)
			}
		}
	}
	scopes := map[int64]models.Scope{}
	for _, id := range []int64{501, 502, 504} {
		m, err := st.MemberByTelegramID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if scopes[id], err = st.Scope(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// A meeting of 李家村 in three days, which 王芳 will attend; 东组长
	// has not answered.
	sh, _ := time.LoadLocation("Asia/Shanghai")
	east, err := st.MemberByTelegramID(ctx, 501)
	if err != nil {
		t.Fatal(err)
	}
	meeting := &models.Event{Kind: models.EventMeeting, Title: "村民小组会", StartAt: time.Now().Add(72 * time.Hour).Truncate(time.Hour),
		DurationMin: 60, Audience: "branch:东城镇/李家村", RSVP: true, AllowGuests: true, CreatedBy: &east.ID}
	if _, err := st.CreateEvent(ctx, meeting, sh, time.Now()); err != nil {
		t.Fatal(err)
	}
	wang, err := st.MemberByTelegramID(ctx, 503)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetRSVP(ctx, meeting.ID, meeting.StartAt, wang, models.AnswerYes, 1, sh, time.Now()); err != nil {
		t.Fatal(err)
	}
	// A meeting that began two hours ago is still the one in hand: its
	// answers, not "over", in the chat and in the console.
	begun := &models.Event{Kind: models.EventMeeting, Title: "早上的会", StartAt: time.Now().Add(-2 * time.Hour).Truncate(time.Minute),
		DurationMin: 60, Audience: "branch:东城镇/李家村", RSVP: true, CreatedBy: &east.ID}
	if _, err := st.CreateEvent(ctx, begun, sh, time.Now().Add(-26*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// 王芳's card has something on every line: a quarterly check, SMS
	// stopped by her TD, a household, a question waiting.
	kind, err := st.PlanKindByKey(ctx, "quarterly_check")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AssignPlans(ctx, kind, models.BranchAudience("东城镇/李家村"), nil, nil, sh, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.StopSMS(ctx, wang.ID, "td", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetFamily(ctx, &models.Family{MemberID: wang.ID, Household: "0012"}, nil, sh, time.Now()); err != nil {
		t.Fatal(err)
	}
	question, err := st.DraftInquiry(ctx, wang, "下次体检什么时候？", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AskInquiry(ctx, question.ID, wang, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	api := fakeapi.New(token)
	defer api.Close()
	addr := freeAddr(t)
	env := append(os.Environ(), "ASSOCBOT_TOKEN="+token, "ASSOCBOT_API_URL="+api.URL(), "ASSOCBOT_DB="+dbPath,
		"ASSOCBOT_LISTEN="+addr, "ASSOCBOT_QUIET_HOURS=off", "ASSOCBOT_PUBLIC_URL=https://console.example.org/assoc")
	run := startBin(t, bin, env, "run")
	base := "http://" + addr
	run.waitServing(t, base, 30*time.Second)

	// With a public URL, an organizer's keyboard has 📊, which answers
	// with an inline web_app button (one that opens the Mini App with the
	// user's init data: a reply keyboard's web_app button would open it
	// without); their chat's menu button opens it too. A member has
	// neither, and /console is refused them.
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	consoleKey := func(id int64) string {
		t.Helper()
		u := fakeapi.User{ID: id, FirstName: "U", LanguageCode: "zh"}
		api.Meet(u)
		api.SendText(u, "/start")
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if m, ok := api.Last(id); ok && len(m.Keyboard) > 0 {
				for _, row := range m.Keyboard {
					for _, b := range row {
						if b.WebApp != "" {
							t.Fatalf("%d: a reply keyboard web_app button %q (Telegram sends it no init data)", id, b.WebApp)
						}
						if b.Text == cat.T(locales.ZhHans, "menu.console") {
							return b.Text
						}
					}
				}
				return ""
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("%d got no keyboard", id)
		return ""
	}
	// opened is what the answer to text opens: the last message's web_app
	// button and URL, else its text; it waits for want (a message of
	// /start's may still come first) and gives the last seen.
	opened := func(id int64, text, want string) string {
		t.Helper()
		before := len(api.Messages(id))
		api.SendText(fakeapi.User{ID: id, FirstName: "U", LanguageCode: "zh"}, text)
		got := ""
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && got != want; time.Sleep(20 * time.Millisecond) {
			ms := api.Messages(id)
			if len(ms) <= before {
				continue
			}
			m := ms[len(ms)-1]
			got = m.Text
			for _, row := range m.Inline {
				for _, b := range row {
					if b.WebApp != "" {
						got = b.Text + " " + b.WebApp
					}
				}
			}
		}
		return got
	}
	key := consoleKey(501)
	want := cat.T(locales.ZhHans, "console.open_button") + " https://console.example.org/assoc/app/"
	if key != "📊 数据看板" {
		t.Fatalf("the organizer's console key %q", key)
	}
	for _, text := range []string{key, "/console"} {
		if got := opened(501, text, want); got != want {
			t.Fatalf("the organizer's %s opens %q, want %q", text, got, want)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); api.MenuButton(501) == "" && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if got := api.MenuButton(501); got != "https://console.example.org/assoc/app/" {
		t.Fatalf("the organizer's menu button: %q", got)
	}
	if got := consoleKey(503); got != "" || api.MenuButton(503) != "" {
		t.Fatalf("a member's keyboard has %q, the menu %q", got, api.MenuButton(503))
	}
	if refusal := cat.T(locales.ZhHans, "auth.organizers_only", "Command", "/console"); opened(503, "/console", refusal) != refusal {
		t.Fatalf("a member's /console is not refused")
	}

	get := func(path, initData string) (int, map[string]any, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if initData != "" {
			req.Header.Set("Authorization", "tma "+initData)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		raw, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(raw, &body)
		return resp.StatusCode, body, resp.Header
	}
	now := time.Now()
	paths := func(body map[string]any) []string {
		var out []string
		bs, _ := body["branches"].([]any)
		for _, b := range bs {
			out = append(out, b.(map[string]any)["path"].(string))
		}
		return out
	}
	for _, c := range []struct {
		name     string
		initData string
		status   int
		branches string
	}{
		{"missing", "", http.StatusUnauthorized, ""},
		{"forged", signedInitData(t, "424242:another-bot", 501, "zh", now), http.StatusUnauthorized, ""},
		{"stale", signedInitData(t, token, 501, "zh", now.Add(-25*time.Hour)), http.StatusUnauthorized, ""},
		{"tampered", strings.Replace(signedInitData(t, token, 503, "zh", now), "503", "501", 1), http.StatusUnauthorized, ""},
		{"not on the roster", signedInitData(t, token, 999, "zh", now), http.StatusForbidden, ""},
		{"member", signedInitData(t, token, 503, "zh", now), http.StatusForbidden, ""},
		{"organizer of another branch", signedInitData(t, token, 502, "zh", now), http.StatusOK, "西城镇"},
		{"own branch", signedInitData(t, token, 501, "zh", now), http.StatusOK, "东城镇/李家村"},
		{"admin", signedInitData(t, token, 504, "en", now), http.StatusOK, "东城镇,西城镇"},
	} {
		status, body, header := get("/app/api/stats", c.initData)
		if status != c.status {
			t.Errorf("%s: %d %v, want %d", c.name, status, body, c.status)
			continue
		}
		if header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", c.name, header.Get("Cache-Control"))
		}
		if got := strings.Join(paths(body), ","); got != c.branches {
			t.Errorf("%s: branches %q, want %q", c.name, got, c.branches)
		}
	}

	// A refusal says why in the user's words.
	if _, body, _ := get("/app/api/stats", signedInitData(t, token, 503, "en", now)); body["error"] != cat.T(locales.En, "console.error.forbidden") {
		t.Fatalf("a member's refusal: %v", body)
	}
	if _, body, _ := get("/app/api/stats", signedInitData(t, token, 501, "zh", now.Add(-25*time.Hour))); body["error"] != cat.T(locales.ZhHans, "console.error.expired") {
		t.Fatalf("a stale refusal: %v", body)
	}

	// The figures are StatsFor's for the caller's scope: the one source of
	// /stats in the chat.
	st, err = openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q := models.QuarterOf(time.Now().In(sh))
	from, to := q.Span(sh)
	for _, id := range []int64{501, 502, 504} {
		want, err := st.StatsFor(ctx, scopes[id], from, to, time.Now(), sh)
		if err != nil {
			t.Fatal(err)
		}
		_, body, _ := get("/app/api/stats", signedInitData(t, token, id, "zh", time.Now()))
		raw, _ := json.Marshal(body)
		var got console.Stats
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		if got.Quarter != q.String() || len(got.Branches) != len(want) {
			t.Fatalf("%d: %+v, want %d branches of %s", id, got, len(want), q)
		}
		for i, w := range want {
			g := got.Branches[i]
			if g.Path != w.Path || g.Members != w.Members || g.Linked != w.Linked || g.Overdue != w.Overdue || g.Activities != w.Activities {
				t.Fatalf("%d: branch %+v, want %s with %d members, %d linked", id, g, w.Path, w.Members, w.Linked)
			}
		}
	}

	// The roster search: only the caller's branches.
	_, found, _ := get("/app/api/members?q=", signedInitData(t, token, 501, "zh", now))
	ms, _ := found["members"].([]any)
	var names []string
	for _, m := range ms {
		names = append(names, m.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "东组长,王芳" {
		t.Fatalf("东组长's roster: %v", names)
	}
	_, found, _ = get("/app/api/members?q=李", signedInitData(t, token, 502, "zh", now))
	if ms, _ := found["members"].([]any); len(ms) != 1 || ms[0].(map[string]any)["name"] != "李四" {
		t.Fatalf("西组长's search for 李: %v", found)
	}
	if status, _, _ := get("/app/api/members?q=王", signedInitData(t, token, 503, "zh", now)); status != http.StatusForbidden {
		t.Fatalf("a member's search: %d", status)
	}

	// The exports, as /export in the chat: the caller's branches only.
	download := func(query string, id int64) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/app/api/export?"+query, nil)
		req.Header.Set("Authorization", "tma "+signedInitData(t, token, id, "zh", time.Now()))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Header
	}
	status, csv, header := download("what=members&format=csv", 502)
	if status != http.StatusOK || !strings.Contains(csv, "李四") || strings.Contains(csv, "王芳") || !strings.Contains(header.Get("Content-Disposition"), "members-") {
		t.Fatalf("西组长's members export: %d %q %v\n%s", status, header.Get("Content-Disposition"), header.Get("Content-Type"), csv)
	}
	if status, _, _ := download("what=members&format=csv", 503); status != http.StatusForbidden {
		t.Fatalf("a member's export: %d", status)
	}
	if status, _, _ := download("what=passwords", 501); status != http.StatusBadRequest {
		t.Fatalf("a bad export: %d", status)
	}
	if status, xlsx, header := download("what=visits&quarter=2026Q4", 501); status != http.StatusOK || !strings.HasPrefix(xlsx, "PK") || !strings.HasSuffix(header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("the visits XLSX: %d %v", status, header)
	}

	// A member's card and an event's answers are the chat's: the same
	// text as /member and /attendees give 东组长 in the chat.
	chat := func(id int64, text string) string {
		t.Helper()
		before := len(api.Messages(id))
		api.SendText(fakeapi.User{ID: id, FirstName: "U", LanguageCode: "zh"}, text)
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if ms := api.Messages(id); len(ms) > before {
				return ms[len(ms)-1].Text
			}
		}
		t.Fatalf("%d: no answer to %s", id, text)
		return ""
	}
	cardPath := fmt.Sprintf("/app/api/member?id=%d", wang.ID)
	status, card, _ := get(cardPath, signedInitData(t, token, 501, "zh", now))
	text, _ := card["text"].(string)
	for _, line := range []string{"王芳", "季度孕检（三查）", "0012", "下次体检什么时候？", "🚫"} {
		if !strings.Contains(text, line) {
			t.Errorf("王芳's card in the console has no %q:\n%s", line, text)
		}
	}
	if want := chat(501, "/member 13800000001"); status != http.StatusOK || text != want {
		t.Fatalf("王芳's card in the console (%d):\n%v\nin the chat:\n%s", status, card["text"], want)
	}
	rollPath := fmt.Sprintf("/app/api/event?id=%d", meeting.ID)
	status, roll, _ := get(rollPath, signedInitData(t, token, 501, "zh", now))
	text, _ = roll["text"].(string)
	if want := chat(501, fmt.Sprintf("/attendees %d", meeting.ID)); status != http.StatusOK || text == "" || !strings.HasPrefix(want, text) ||
		!strings.Contains(text, "王芳 +1") {
		t.Fatalf("the meeting's answers in the console (%d):\n%s\nin the chat:\n%s", status, text, want)
	}
	if names, _ := roll["names"].([]any); len(names) != 1 || names[0].(map[string]any)["name"] != "东组长" || names[0].(map[string]any)["card"] != true {
		t.Fatalf("those who have not answered: %v", roll["names"])
	}
	_, evs, _ := get("/app/api/events", signedInitData(t, token, 501, "en", now))
	if list, _ := evs["events"].([]any); len(list) != 2 || list[0].(map[string]any)["title"] != "早上的会" || list[1].(map[string]any)["title"] != "村民小组会" {
		t.Fatalf("东组长's events: %v", evs)
	}
	status, roll, _ = get(fmt.Sprintf("/app/api/event?id=%d", begun.ID), signedInitData(t, token, 501, "zh", now))
	text, _ = roll["text"].(string)
	if want := chat(501, fmt.Sprintf("/attendees %d", begun.ID)); status != http.StatusOK || text == "" || !strings.HasPrefix(want, text) {
		t.Fatalf("the meeting begun in the console (%d):\n%s\nin the chat:\n%s", status, text, want)
	}
	// Who may read them: the branch's organizers and the town's admin; an
	// organizer of another town gets the same 404 as for no such member,
	// in their words; a member is refused the console.
	for _, c := range []struct {
		name   string
		id     int64
		path   string
		status int
	}{
		{"admin, card", 504, cardPath, http.StatusOK},
		{"admin, answers", 504, rollPath, http.StatusOK},
		{"another town, card", 502, cardPath, http.StatusNotFound},
		{"another town, answers", 502, rollPath, http.StatusNotFound},
		{"member, card", 503, cardPath, http.StatusForbidden},
		{"member, answers", 503, rollPath, http.StatusForbidden},
		{"no such member", 501, "/app/api/member?id=99999", http.StatusNotFound},
		{"not a number", 501, "/app/api/event?id=x'1", http.StatusNotFound},
	} {
		status, body, _ := get(c.path, signedInitData(t, token, c.id, "en", now))
		if status != c.status {
			t.Errorf("%s: %d %v, want %d", c.name, status, body, c.status)
		}
		if status == http.StatusNotFound && body["error"] != cat.T(locales.En, "console.error.not_found") {
			t.Errorf("%s: %v", c.name, body)
		}
	}
	if _, evs, _ := get("/app/api/events", signedInitData(t, token, 502, "zh", now)); evs["events"] == nil || len(evs["events"].([]any)) != 0 {
		t.Fatalf("西组长 sees 东城镇's events: %v", evs)
	}

	// The page, from the binary, with no third-party script.
	resp, err := http.Get(base + "/app/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `<script src="app.js">`) || strings.Contains(string(page), "https://") {
		t.Fatalf("/app/: %d\n%s", resp.StatusCode, page)
	}

	if err := run.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-run.exited:
		if run.err != nil {
			t.Fatalf("assocbot run after SIGTERM: %v\n%s", run.err, run.logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("assocbot run did not stop on SIGTERM\n%s", run.logs.String())
	}
}
