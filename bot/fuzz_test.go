package bot_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// The roles the fuzzer plays, by Telegram user id.
var fuzzRoles = []struct {
	name string
	id   int64
}{
	{"organizer", 5}, {"member", 6}, {"left member", 7}, {"stranger", 8}, {"organizer of another branch", 9},
}

// protected are the rows an input may only change when it is allowed to:
// answers, events, broadcasts, invitations, scopes, roles and statuses, the
// outbox. (Languages and dialogs are anyone's to change.)
var protected = map[string]string{
	"rsvps":      "SELECT event_id, occurrence, member_id, answer, guests, waitlisted, checked_in FROM rsvps ORDER BY event_id, occurrence, member_id",
	"events":     "SELECT id, title, location, start_at, status, capacity, revision FROM events ORDER BY id",
	"broadcasts": "SELECT id, status, total FROM broadcasts ORDER BY id",
	"invites":    "SELECT id, member_id, used_at FROM invites ORDER BY id",
	"scopes":     "SELECT member_id, branch_id FROM organizer_scopes ORDER BY member_id, branch_id",
	// Writing again makes an unreachable member reachable: not a change here.
	"members":      "SELECT id, role, CASE WHEN status = 'unreachable' THEN 'active' ELSE status END AS status, branch_id, telegram_id FROM members ORDER BY id",
	"joinRequests": "SELECT id, status FROM join_requests ORDER BY id",
	"outbox":       "SELECT dedupe_key, status FROM outboxes ORDER BY id",
	"branches":     "SELECT id, path FROM branches ORDER BY id",
	"plans":        "SELECT id, member_id, kind_id, state, next_due, cycle FROM plans ORDER BY id",
	"checks":       "SELECT id, plan_id, status FROM check_records ORDER BY id",
	"records":      "SELECT id, event_id, topic, summary, photos FROM activity_records ORDER BY id",
	"surveys":      "SELECT id, closed_at FROM surveys ORDER BY id",
	"answers":      "SELECT survey_id, question_id, member_id, ballot, choice FROM survey_answers ORDER BY id",
	"takers":       "SELECT survey_id, member_id, answered, commented, finished_at FROM survey_takers ORDER BY survey_id, member_id",
	"comments":     "SELECT survey_id, question_id, member_id, text FROM survey_comments ORDER BY id",
	"visits":       "SELECT id, state, done_by, note, gave, photo_file_id FROM visits ORDER BY id",
	"families":     "SELECT member_id, household, centre_id, birth_on, expected, difficulty FROM families ORDER BY member_id",
	"figures":      "SELECT plan_id, cycle, key, value FROM figure_values ORDER BY id",
	"questions":    "SELECT id, member_id, status, answered_by, answer, escalated FROM inquiries WHERE status <> 'draft' ORDER BY id",
	"notices":      "SELECT id, enabled, texts FROM notices ORDER BY id",
	"faqs":         "SELECT id, question, answer FROM faqs ORDER BY id",
}

// unchangedBy lists the protected tables that no input at all from the user
// may change, as the roster has them now (a stranger may have joined
// meanwhile): a member who left may do nothing to them; a stranger nothing
// but ask to join (a request and its notices to organizers) or link their
// own phone.
func unchangedBy(t *testing.T, h *bottest.Harness, telegramID int64) map[string]string {
	role := "stranger"
	if m, err := h.St.MemberByTelegramID(ctx, telegramID); err == nil {
		role = "member"
		if !m.OnRoster() {
			role = "left member"
		}
	}
	switch role {
	case "left member":
		out := map[string]string{}
		for k, v := range protected {
			out[k] = v
		}
		return out
	case "stranger":
		out := map[string]string{}
		for k, v := range protected {
			if k != "joinRequests" && k != "outbox" && k != "members" {
				out[k] = v
			}
		}
		out["outbox"] = "SELECT dedupe_key, status FROM outboxes WHERE kind <> 'join.request' ORDER BY id"
		return out
	}
	return nil
}

func dump(t *testing.T, h *bottest.Harness, queries map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, q := range queries {
		d, err := storetest.Dump(ctx, h.DSN, q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = d
	}
	return out
}

// FuzzUpdates feeds the real handlers, on a real database, with updates built
// from fuzzed parts (who sends it, kind, text, callback data, language,
// contact) and with raw update JSON, as an organizer, a member, a member who
// left, a stranger and an organizer of another branch. The handlers run
// without the panic guard, so any panic fails; and what the bot refuses
// changes no row: a button it answers with an alert changes none of the
// protected tables, and a stranger or a member who left changes none
// whatever they send. `make fuzz` runs it for two minutes.
func FuzzUpdates(f *testing.F) {
	for _, s := range []struct {
		role  uint8
		kind  uint8
		text  string
		data  string
		lang  string
		phone string
		raw   string
	}{
		{0, 0, "/start", "", "zh-hant", "", ""},
		{3, 0, "/start AAAAAAAAAAAAAAAAAAAAAA", "", "en", "", ""},
		{0, 0, "/invite 13800138000", "", "zh", "", ""},
		{4, 0, "/invite 13800138000", "", "zh", "", ""},
		{1, 0, "/help@assoc_test_bot", "", "fr", "", ""},
		{1, 0, "📅 My events", "", "", "", ""},
		{2, 0, "📅 My events", "", "", "", ""},
		{0, 0, "/", "", "", "", ""},
		{3, 1, "", "lang:zh-Hant", "en", "", ""},
		{1, 1, "", "jr:a:1", "en", "", ""},
		{4, 1, "", "jr:a:1", "en", "", ""},
		{3, 1, "", "jb:1", "", "", ""},
		{3, 1, "", "jc:99999999999", "", "", ""},
		{3, 1, "", "jc:2", "", "", ""},
		{3, 1, "", "join", "", "", ""},
		{1, 1, "", "rv:1:29400000:y", "en", "", ""},
		{2, 1, "", "rv:1:29400000:y", "en", "", ""},
		{3, 1, "", "rv:1:29400000:y", "en", "", ""},
		{1, 1, "", "rv:1:-5:g", "en", "", ""},
		{0, 1, "", "ck:1:29400000:2", "", "", ""},
		{4, 1, "", "ck:1:29400000:2", "", "", ""},
		{1, 1, "", "ck:1:29400000:2", "", "", ""},
		{1, 1, "", "rt:1:29400000:9", "", "", ""},
		{1, 1, "", "sv:1:k1:", "", "", ""},
		{1, 1, "", "vd:1", "", "", ""},
		{4, 1, "", "vd:1", "", "", ""},
		{3, 1, "", "vn:1:g", "", "", ""},
		{0, 1, "", "vd:1", "", "", ""},
		{4, 1, "", "mc:2:bt", "", "", ""},
		{1, 1, "", "mc:2:d1", "", "", ""},
		{3, 1, "", "sv:2:k1:", "", "", ""},
		{2, 1, "", "sv:1:k9:", "", "", ""},
		{4, 1, "", "sv:2:k1:", "", "", ""},
		{1, 1, "", "rt:1:29400000:5", "", "", ""},
		{2, 1, "", "rt:1:29400000:5", "", "", ""},
		{1, 1, "", "ic:1", "", "", ""},
		{0, 1, "", "ne:k:meeting", "", "", ""},
		{0, 1, "", "ne:a:b:1", "", "", ""},
		{4, 1, "", "ne:a:b:1", "", "", ""},
		{0, 1, "", "bc:a:t:", "", "", ""},
		{4, 1, "", "bc:a:b:1", "", "", ""},
		{1, 1, "", "bc:s", "", "", ""},
		{1, 0, "请问孕前检查在哪里做？", "", "", "", ""},
		{1, 1, "", "iq:1:s", "", "", ""},
		{2, 1, "", "iq:1:s", "", "", ""},
		{4, 1, "", "iq:1:r", "", "", ""},
		{3, 1, "", "iq:1:r", "", "", ""},
		{0, 1, "", "fq:1", "", "", ""},
		{4, 1, "", "nr:1", "", "", ""},
		{0, 1, "", "bc:R:l", "", "", ""},
		{0, 0, "/newevent meeting | 2030-01-01 09:00 | T | P | branch:Town | cap=3 deadline=2029-12-31 18:00", "", "", "", ""},
		{4, 0, "/newevent meeting | 2030-01-01 09:00 | T | P | branch:Town", "", "", "", ""},
		{0, 0, "/newevent meeting | 2030-01-01 09:00 | T | P | branch:Town | rrule=FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "", "", "", ""},
		{0, 0, "/rsvp 1 yes 13800138000", "", "", "", ""},
		{4, 0, "/rsvp 1 yes 13800138000", "", "", "", ""},
		{2, 0, "/rsvp 1 yes", "", "", "", ""},
		{0, 0, "/editevent 1 time 2030-01-01 10:00", "", "", "", ""},
		{4, 0, "/cancelevent 1", "", "", "", ""},
		{4, 0, "/nudge 1", "", "", "", ""},
		{0, 0, "/checkin 1", "", "", "", ""},
		{1, 0, "/calendar", "", "", "", ""},
		{2, 0, "/mute", "", "", "", ""},
		{3, 2, "", "", "zh-cn", "8613800138000", ""},
		{1, 2, "", "", "zh-cn", "+1 (555) 0100", ""},
		{0, 3, "", "", "", "", `{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"x"},"text":"/lang"}}`},
		{0, 3, "", "", "", "", `{"callback_query":{"id":"1","from":{"id":5,"first_name":"x"},"data":"jr:d:1"}}`},
		{0, 4, "", "u1", "en", "", "name,phone,branch\nX,13700000001,Town/New\n"},
		{1, 4, "", "u1", "en", "", "name,phone,branch\nX,13700000001,Town\n"},
		{4, 4, "", "u1", "en", "", "姓名,手机,分会\nX,13700000001,Town\n"},
		{2, 4, "", "u2", "", "", "not a roster"},
		{0, 1, "", "im:y:u1", "en", "", ""},
		{4, 1, "", "im:y:u1", "en", "", ""},
		{4, 1, "", "ce:1:y", "en", "", ""},
		{1, 1, "", "ce:1:y", "en", "", ""},
		{3, 1, "", "mu:on", "en", "", ""},
		{4, 1, "", "nx:1", "en", "", ""},
		{0, 1, "", "bc:m", "en", "", ""},
		{4, 1, "", "mc:2:y", "en", "", ""},
		{1, 1, "", "mc:1:y", "en", "", ""},
		{4, 0, "/member 13800138000", "", "en", "", ""},
		{0, 1, "", "bc:t:b:1", "en", "", ""},
		{4, 1, "", "bc:g", "en", "", ""},
		{4, 1, "", "ea:1:x", "en", "", ""},
		{1, 1, "", "ea:1:n", "en", "", ""},
		{0, 0, "/nudge", "", "en", "", ""},
		{0, 0, "/notices", "", "en", "", ""},
		{0, 1, "", "ex:m", "en", "", ""},
		{4, 1, "", "ex:e:1", "en", "", ""},
		{1, 1, "", "rc:1:29928000:s", "en", "", ""},
		{4, 0, "/export event 1", "", "en", "", ""},
		{0, 0, "/preview 99", "", "zh-hans", "", ""},
		{0, 0, "/records 2026Q9", "", "zh-hant", "", ""},
		{1, 1, "", "sv:1:1.2:", "en", "", ""},
		{1, 1, "", "sv:2:1.1:", "en", "", ""},
		{1, 1, "", "sv:2:1.1:AAAAAAAAAAAAAAAA", "en", "", ""},
		{2, 1, "", "sv:1:1.2:", "en", "", ""},
		{3, 1, "", "sv:1:1.2:", "en", "", ""},
		{4, 1, "", "sv:1:1.2:", "en", "", ""},
		{1, 1, "", "sv:1:9.9:", "en", "", ""},
		{1, 1, "", "sv:1:c:", "en", "", ""},
		{4, 1, "", "sr:1", "en", "", ""},
		{0, 0, "/surveys", "", "zh-hans", "", ""},
	} {
		f.Add(s.role, s.kind, s.text, s.data, s.lang, s.phone, s.raw)
	}
	h := bottest.New(f)
	h.Add(store.NewMember{Name: "Org", Phone: "13800000005", Branch: "Town", Role: models.RoleOrganizer})
	h.Add(store.NewMember{Name: "M", Phone: "13800138000", Branch: "Town/Village"})
	h.Add(store.NewMember{Name: "Left", Phone: "13800000007", Branch: "Town/Village"})
	h.Add(store.NewMember{Name: "Other", Phone: "13800000009", Branch: "Other", Role: models.RoleOrganizer})
	h.Add(store.NewMember{Name: "Unlinked", Phone: "13800000010", Branch: "Town"})
	for phone, id := range map[string]int64{"13800000005": 5, "13800138000": 6, "13800000007": 7, "13800000009": 9} {
		h.Link(phone, fakeapi.User{ID: id, FirstName: "Fuzz"})
	}
	left, _ := h.St.MemberByTelegramID(ctx, 7)
	if err := h.St.SetMemberStatus(ctx, left.ID, models.StatusLeft); err != nil {
		f.Fatal(err)
	}
	ev := &models.Event{Kind: models.EventMeeting, Title: "E", StartAt: h.Clock().Add(48 * time.Hour), Audience: "branch:Town", RSVP: true, Capacity: 2, AllowGuests: true}
	if _, err := h.St.CreateEvent(ctx, ev, bottest.Shanghai, h.Clock()); err != nil {
		f.Fatal(err)
	}
	// A family of Town with a birth (its newborn visits, the organizer's:
	// no centre household).
	unlinked, _ := h.St.MemberByPhone(ctx, "13800000010")
	born := models.DayOf(h.Clock(), bottest.Shanghai)
	if _, err := h.St.SetFamily(ctx, &models.Family{MemberID: unlinked.ID, Household: "01", BirthOn: &born}, nil, bottest.Shanghai, h.Clock()); err != nil {
		f.Fatal(err)
	}
	// A named survey and an anonymous one to Town.
	for _, anonymous := range []bool{false, true} {
		sv := &models.Survey{Title: "S", Audience: "branch:Town", Anonymous: anonymous,
			Questions: []models.SurveyQuestion{{Kind: models.QuestionSatisfaction, Text: "Q?", Comment: true}, {Kind: models.QuestionYesNo, Text: "Y?"}}}
		if _, err := h.St.CreateSurvey(ctx, sv, h.Clock()); err != nil {
			f.Fatal(err)
		}
	}
	var queries atomic.Int64
	f.Fuzz(func(t *testing.T, role, kind uint8, text, data, lang, phone, raw string) {
		who := fuzzRoles[int(role)%len(fuzzRoles)]
		from := tgm.User{ID: who.id, FirstName: "Fuzz", LanguageCode: lang}
		chat := tgm.Chat{ID: who.id, Type: tgm.ChatTypePrivate}
		queryID := fmt.Sprintf("fuzz-%d", queries.Add(1))
		var upd tgm.Update
		switch kind % 5 {
		case 0:
			upd.Message = &tgm.Message{ID: 1, From: &from, Chat: chat, Text: text}
		case 1:
			upd.CallbackQuery = &tgm.CallbackQuery{ID: queryID, From: from, Data: data,
				Message: tgm.MaybeInaccessibleMessage{Message: &tgm.Message{ID: 1, Chat: chat}}}
		case 2:
			upd.Message = &tgm.Message{ID: 1, From: &from, Chat: chat, Contact: &tgm.Contact{PhoneNumber: phone, UserID: who.id}}
		case 3:
			if json.Unmarshal([]byte(raw), &upd) != nil {
				return
			}
		case 4: // a file: a member list to import, or anything
			upd.Message = &tgm.Message{ID: 1, From: &from, Chat: chat, Caption: text,
				Document: &tgm.Document{FileID: h.API.AddFile("members.csv", []byte(raw)), FileUniqueID: data, FileName: "members.csv"}}
		}
		always := unchangedBy(t, h, who.id)
		before, beforeAlways := dump(t, h, protected), dump(t, h, always)
		h.Bot.HandleUpdate(ctx, &upd)
		after, afterAlways := dump(t, h, protected), dump(t, h, always)
		for name := range always {
			if beforeAlways[name] != afterAlways[name] {
				t.Fatalf("the %s changed %s:\nbefore:\n%s\nafter:\n%s", who.name, name, beforeAlways[name], afterAlways[name])
			}
		}
		if upd.CallbackQuery == nil || upd.CallbackQuery.ID != queryID || !refusedWithAlert(h.API, queryID) {
			return
		}
		for name := range protected {
			if before[name] != after[name] {
				t.Fatalf("a refused button (%q) from the %s changed %s:\nbefore:\n%s\nafter:\n%s", data, who.name, name, before[name], after[name])
			}
		}
	})
}

// refusedWithAlert reports whether the bot answered the callback query with
// an alert: how it refuses a button.
func refusedWithAlert(api *fakeapi.Server, queryID string) bool {
	for _, q := range api.RequestsFor("answerCallbackQuery") {
		if q.Params["callback_query_id"] == queryID {
			return strings.EqualFold(q.Params["show_alert"], "true")
		}
	}
	return false
}
