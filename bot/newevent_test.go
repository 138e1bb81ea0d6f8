package bot_test

import (
	"strings"
	"testing"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// newEventRig is an organizer of 东城镇 reading Simplified Chinese, a
// member of its village and one of another town.
func newEventRig(t *testing.T, opts ...bottest.Option) (*bottest.Harness, fakeapi.User) {
	t.Helper()
	h := bottest.New(t, opts...)
	h.Add(store.NewMember{Name: "张组长", Phone: "13900000000", Branch: "东城镇", Role: models.RoleOrganizer, Lang: string(locales.ZhHans)})
	org := fakeapi.User{ID: 900, FirstName: "张组长", LanguageCode: "zh-hans"}
	h.Link("13900000000", org)
	h.Add(store.NewMember{Name: "王芳", Phone: "13800000001", Branch: "东城镇/李家村"})
	h.Link("13800000001", fakeapi.User{ID: 901, FirstName: "王芳"})
	h.Add(store.NewMember{Name: "Li Wei", Phone: "13800000002", Branch: "西城社区"})
	h.Link("13800000002", fakeapi.User{ID: 902, FirstName: "Li"})
	return h, org
}

// TestOneLineNewEventAudience (issue 16 item 6): a mistyped branch in the
// one-line /newevent is bad input, answered with the nearest of the
// organizer's branches — never the system-fault text, never an ERROR in
// the log — and nothing is created; a branch that exists but is not theirs
// is refused as such; without an audience the event is for the organizer's
// own branch, as in the dialog.
func TestOneLineNewEventAudience(t *testing.T) {
	h, org := newEventRig(t)
	zh := func(key string, kv ...any) string { return h.T(locales.ZhHans, key, kv...) }
	line := func(audience string) string {
		return "/newevent meeting | 2026-12-20 14:00 | 例会 | 村委会 | " + audience
	}
	for _, c := range []struct{ typed, near, branches string }{
		{"东城镇/李佳村", "东城镇/李家村", ""},
		{"东成镇/李家村", "东城镇/李家村", ""},
		{"Springfield", "", "东城镇、东城镇/李家村"},
	} {
		got := h.Say(org, line("branch:"+c.typed)).Text
		want := zh("newevent.no_branch", "Value", c.typed, "Near", c.near, "Branches", c.branches)
		if !strings.HasPrefix(got, want+"\n\n") || strings.Contains(got, zh("error.internal")) {
			t.Errorf("branch:%s answered\n%q\nwant it to start\n%q", c.typed, got, want)
		}
	}
	if got := h.Say(org, line("branch:西城社区")).Text; !strings.HasPrefix(got, zh("auth.branch_not_yours")) {
		t.Errorf("another town's branch: %q", got)
	}
	if logs := h.Logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("bad input was logged as an error:\n%s", logs)
	}
	if es, err := h.St.AllEvents(ctx); err != nil || len(es) != 0 {
		t.Fatalf("refused lines made events: %+v %v", es, err)
	}

	// No audience: the organizer's own branch, not everyone.
	got := h.Say(org, "/newevent meeting | 2026-12-20 14:00 | 例会 | 村委会").Text
	es, err := h.St.AllEvents(ctx)
	if err != nil || len(es) != 1 || es[0].Audience != models.BranchAudience("东城镇").String() || !strings.HasPrefix(got, "✅") {
		t.Fatalf("without an audience: %q, events %+v %v", got, es, err)
	}
}

// TestNewEventStoreFaults (issue 16 item 14): when the store fails, the
// /newevent dialog says so with the system-fault text and logs the error,
// and the dialog stays where it was — it never shows what a failed read
// looks like as an answer: no branches to choose from, "members: 0", no
// recent places. Once the store is back, the same input goes on.
func TestNewEventStoreFaults(t *testing.T) {
	var faults *storetest.ReadFaults
	h, org := newEventRig(t, func(h *bottest.Harness, _ *bot.Config) {
		var err error
		if faults, err = storetest.HookReadFaults(h.St); err != nil {
			t.Fatal(err)
		}
	})
	zh := func(key string, kv ...any) string { return h.T(locales.ZhHans, key, kv...) }
	fault := zh("error.internal")
	step := func() string {
		t.Helper()
		d, err := h.St.Dialog(ctx, org.ID)
		if err != nil {
			return ""
		}
		return d.Step
	}
	errors := func() int { return strings.Count(h.Logs.String(), "level=ERROR") }
	in := &inputs{h: h, u: org}

	// Each step, with the read it needs failing: the fault is said, and
	// logged; no question is asked and the dialog does not move on.
	faulty := func(what, sql, wantStep string, do func() string) {
		t.Helper()
		logged := errors()
		faults.Fail(sql)
		got := do()
		faults.Heal()
		if got != fault || errors() == logged || step() != wantStep {
			t.Fatalf("%s with a failed read: answered %q (want %q), %d errors logged, dialog at %q (want %q)",
				what, got, fault, errors()-logged, step(), wantStep)
		}
	}

	// The organizer's own branch, the dialog's first audience.
	faulty("/newevent", "SELECT `branches`.`id`,`branches`.`parent_id`", "", func() string { return in.say("/newevent").Text })
	ask := in.say("/newevent")
	in.tap(ask, "🗓 "+zh("ne.suggest.meeting"))
	// The recent places, offered once the day and time are typed.
	faulty("the date and time", "location <> ''", "date", func() string { return in.say("12月20日 9点").Text })
	if got := in.say("12月20日 9点").Text; got != zh("ne.ask_place") {
		t.Fatalf("the date and time again: %q", got)
	}
	// How many members the event reaches, on the preview.
	faulty("the place", "members.chat_id IS NOT NULL", "place", func() string { return in.say("村委会").Text })
	preview := in.say("村委会")
	if !strings.HasSuffix(preview.Text, "\n\n"+strings.SplitN(zh("ne.preview", "Card", "", "Audience", "东城镇", "Count", 2, "Capacity", zh("ne.no_limit")), "\n\n", 3)[2]) {
		t.Fatalf("the preview once the store is back: %q", preview.Text)
	}
	// The branches to choose another audience from: said on the tap,
	// and no list without branches is sent.
	faulty("👥 who", "FROM `branches` WHERE (branches.path = ", "confirm", func() string {
		n := len(h.API.Messages(org.ID))
		answer := h.Press(org, preview, zh("ne.change_audience"))
		if m := h.API.Messages(org.ID); len(m) != n {
			t.Errorf("a failed read sent %q", m[len(m)-1].Text)
		}
		return answer
	})
	if got := in.tap(h.Message(org.ID, preview.ID), zh("ne.change_audience")); !bottest.Contains(bottest.InlineTexts(got), "东城镇/李家村") {
		t.Fatalf("the branches once the store is back: %v", bottest.InlineTexts(got))
	}
}
