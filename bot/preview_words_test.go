package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
)

// TestPreviewAndNoticesInTheReadersWords: what /preview says a message is
// about, and whom it goes to in which language, is in the organizer's own
// words and marks (“义诊”, 王芳（简体中文）), never «» or a half-width
// bracket put together in code; /notices names a notice that is only a
// file rather than leaving its text blank.
func TestPreviewAndNoticesInTheReadersWords(t *testing.T) {
	h, org := newEventRig(t)
	zh := func(key string, kv ...any) string { return h.T(locales.ZhHans, key, kv...) }
	me, err := h.St.MemberByTelegramID(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	fair := &models.Event{Kind: models.EventActivityDay, Title: "义诊", Location: "村委会", StartAt: h.Clock().Add(48 * time.Hour),
		DurationMin: 90, Audience: models.BranchAudience("东城镇").String(), RSVP: true, CreatedBy: &me.ID}
	if _, err := h.St.CreateEvent(ctx, fair, h.Location, h.Clock()); err != nil {
		t.Fatal(err)
	}
	n := len(h.API.Messages(org.ID))
	h.API.SendText(org, "/preview")
	got := h.Nth(org.ID, n+1).Text
	if file := h.Nth(org.ID, n+2); file.Document == nil {
		t.Fatalf("/preview sent no file: %q", file.Text)
	}
	for _, want := range []string{
		zh("preview.about", "Kind", zh("preview.kind.event.reminder"), "About", "义诊"),
		zh("preview.who_lang", "Name", "王芳", "Lang", zh("lang.name")),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/preview does not say %q:\n%s", want, got)
		}
	}
	if strings.ContainsAny(got, "«»") || strings.Contains(got, " (") {
		t.Errorf("/preview puts marks together in code:\n%s", got)
	}

	ask := h.Say(org, "/broadcast")
	h.Press(org, ask, "东城镇")
	h.WaitFor("the write step", func() bool { return h.Message(org.ID, ask.ID).Text != ask.Text })
	n = len(h.API.Messages(org.ID))
	h.API.SendDocument(org, "停水通知.pdf", []byte("%PDF-1.4 water"), "")
	preview := h.Nth(org.ID, n+1)
	h.Press(org, preview, zh("broadcast.send_later"))
	h.WaitFor("the time question", func() bool { last, _ := h.API.Last(org.ID); return last.ID != preview.ID })
	h.Say(org, "明天 上午9点")
	if got := h.Say(org, "/notices").Text; !strings.Contains(got, zh("broadcast.with_document")) {
		t.Errorf("/notices of a file without words:\n%s", got)
	}
}
