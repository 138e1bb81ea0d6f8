package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/console"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// consoleRoles are the callers a fuzzed request is made as, by Telegram
// user id: who may read 东城镇/李家村's members, and who may not.
var consoleRoles = []struct {
	name string
	id   int64
	own  bool // an organizer of 李家村's town: may read its members
}{
	{"stranger", 900, false},
	{"member", 701, false},
	{"left organizer", 702, false},
	{"organizer of another branch", 609, false},
	{"organizer", 601, true},
}

// consolePaths are the API's routes the fuzzer picks from.
var consolePaths = []string{"/app/api/stats", "/app/api/members", "/app/api/export", "/app/api/surveys",
	"/app/api/member", "/app/api/event", "/app/api/events"}

// FuzzConsoleAPI sends any query to any route of the console's API, as
// each role, with signed init data (and, from a byte of the input, with
// none, a forged or a stale one): no request panics or fails inside
// (500); a refusal is JSON with the reason; a caller who may not read
// 李家村 never reads a name of its roster; every answer is no-store; and
// the console writes no row.
func FuzzConsoleAPI(f *testing.F) {
	st, dsn := storetest.New(f)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now()
	const token = "777:console-fuzz"
	add := func(name, phone, branch string, role models.Role, tg int64) *models.Member {
		m, err := st.AddMember(ctx, store.NewMember{Name: name, Phone: phone, Branch: branch, Role: role})
		if err != nil {
			f.Fatal(err)
		}
		if tg != 0 {
			if _, err := st.LinkByPhone(ctx, phone, tg, tg); err != nil {
				f.Fatal(err)
			}
		}
		return m
	}
	org := add("张组长", "13900000001", "东城镇", models.RoleOrganizer, 601)
	wang := add("王芳", "13800000001", "东城镇/李家村", models.RoleMember, 701)
	left := add("退出组长", "13900000002", "东城镇", models.RoleOrganizer, 702)
	if err := st.SetMemberStatus(ctx, left.ID, models.StatusLeft); err != nil {
		f.Fatal(err)
	}
	add("赵大爷", "13800000002", "东城镇/李家村", models.RoleMember, 0)
	add("西组长", "13900000009", "西城镇", models.RoleOrganizer, 609)
	e := &models.Event{Kind: models.EventMeeting, Title: "小组会", StartAt: now.Add(48 * time.Hour).Truncate(time.Hour), DurationMin: 60,
		Audience: "branch:东城镇/李家村", RSVP: true, CreatedBy: &org.ID}
	if _, err := st.CreateEvent(ctx, e, sh, now); err != nil {
		f.Fatal(err)
	}
	if _, err := st.SetRSVP(ctx, e.ID, e.StartAt, wang, models.AnswerYes, 0, sh, now); err != nil {
		f.Fatal(err)
	}
	mux := http.NewServeMux()
	console.New(st, console.Config{Token: token, Location: sh, PerUser: 1e6, Burst: 1e6}).Register(mux)
	const counts = "SELECT (SELECT COUNT(*) FROM members) AS m, (SELECT COUNT(*) FROM rsvps) AS r, (SELECT COUNT(*) FROM outboxes) AS o, " +
		"(SELECT COUNT(*) FROM branches) AS b, (SELECT COUNT(*) FROM events) AS e"
	before, err := storetest.Dump(ctx, dsn, counts)
	if err != nil {
		f.Fatal(err)
	}
	// What the fuzzer's refusals are measured against: the organizer of
	// the town reads 王芳's card and the meeting's answers; the organizer
	// of another town reads neither.
	read := func(id int64, target string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Authorization", "tma "+console.SignInitData(token, id, "U", "zh", time.Now()))
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	card, roll := fmt.Sprintf("/app/api/member?id=%d", wang.ID), fmt.Sprintf("/app/api/event?id=%d", e.ID)
	for _, c := range []struct {
		id     int64
		target string
		status int
		has    string
	}{{601, card, http.StatusOK, "王芳"}, {601, roll, http.StatusOK, "王芳"}, {601, roll, http.StatusOK, "赵大爷"},
		{609, card, http.StatusNotFound, ""}, {609, roll, http.StatusNotFound, ""}} {
		if status, body := read(c.id, c.target); status != c.status || !strings.Contains(body, c.has) {
			f.Fatalf("%d %s: %d %s", c.id, c.target, status, body)
		}
	}
	wangID, eventID := fmt.Sprintf("id=%d", wang.ID), fmt.Sprintf("id=%d", e.ID)
	for _, seed := range []struct {
		role, path, auth byte
		query            string
	}{
		{4, 0, 0, ""}, {4, 1, 0, "q=王"}, {4, 2, 0, "what=members&format=csv"}, {4, 4, 0, wangID}, {4, 5, 0, eventID},
		{3, 4, 0, wangID}, {3, 5, 0, eventID}, {3, 1, 0, "q=王"}, {3, 2, 0, "what=members&format=csv"},
		{2, 4, 0, wangID}, {1, 5, 0, eventID}, {0, 1, 0, "q="}, {4, 4, 1, wangID}, {4, 4, 2, wangID}, {4, 4, 3, wangID},
		{4, 2, 0, "what=records&quarter=1999Q9"}, {4, 4, 0, "id=-1"}, {4, 4, 0, "id=99999999999999999999"}, {4, 1, 0, "q=%00%ff"},
		{4, 2, 0, "what=visits&format=pdf"}, {4, 5, 0, "id=1;DROP TABLE members"},
	} {
		f.Add(seed.role, seed.path, seed.auth, seed.query)
	}
	f.Fuzz(func(t *testing.T, role, path, auth byte, query string) {
		who := consoleRoles[int(role)%len(consoleRoles)]
		var initData string
		switch auth % 8 {
		case 1: // none
		case 2:
			initData = console.SignInitData("777:another-bot", who.id, "U", "zh", time.Now())
		case 3:
			initData = console.SignInitData(token, who.id, "U", "en", time.Now().Add(-48*time.Hour))
		default:
			initData = console.SignInitData(token, who.id, "U", "zh", time.Now())
		}
		target := consolePaths[int(path)%len(consolePaths)]
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path = target
		req.URL.RawQuery = query
		if initData != "" {
			req.Header.Set("Authorization", "tma "+initData)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		status, body := rec.Code, rec.Body.String()
		if status >= 500 {
			t.Fatalf("%s %s?%s: %d %s", who.name, target, query, status, body)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("%s %s: Cache-Control %q", who.name, target, rec.Header().Get("Cache-Control"))
		}
		if status != http.StatusOK {
			var refusal struct{ Error string }
			if err := json.Unmarshal([]byte(body), &refusal); err != nil || refusal.Error == "" {
				t.Fatalf("%s %s?%s: %d without a reason: %q", who.name, target, query, status, body)
			}
		}
		signed := auth%8 != 1 && auth%8 != 2 && auth%8 != 3
		switch {
		case !signed && status != http.StatusUnauthorized:
			t.Fatalf("%s %s with bad init data: %d", who.name, target, status)
		case signed && (who.id == 900 || who.id == 701 || who.id == 702) && status != http.StatusForbidden:
			t.Fatalf("%s %s: %d, want 403", who.name, target, status)
		}
		if !who.own {
			for _, name := range []string{"王芳", "赵大爷"} {
				if strings.Contains(body, name) || strings.Contains(body, url.QueryEscape(name)) {
					t.Fatalf("%s %s?%s reads %s: %s", who.name, target, query, name, body)
				}
			}
		}
		after, err := storetest.Dump(ctx, dsn, counts)
		if err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Fatalf("%s %s?%s changed the database: %s, was %s", who.name, target, query, after, before)
		}
	})
}
