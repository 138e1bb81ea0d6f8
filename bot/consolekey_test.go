package bot_test

import (
	"testing"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// TestConsoleKey: with the console's public URL, an organizer's 📊 and
// /console answer with an inline web_app button in their language (a
// reply keyboard's web_app button would open the Mini App without the
// user's init data); without it, no 📊 on the keyboard and /console says
// the console is not set up. A member is refused.
func TestConsoleKey(t *testing.T) {
	const url = "https://bot.example.org/app/"
	for _, c := range []struct {
		name    string
		console string
	}{{"with a public URL", url}, {"without", ""}} {
		t.Run(c.name, func(t *testing.T) {
			h := bottest.New(t, func(_ *bottest.Harness, cfg *bot.Config) { cfg.ConsoleURL = c.console })
			org := fakeapi.User{ID: 901, FirstName: "O", LanguageCode: "en"}
			member := fakeapi.User{ID: 902, FirstName: "M", LanguageCode: "en"}
			h.Add(store.NewMember{Name: "O", Phone: "13900000001", Branch: "Town", Role: models.RoleOrganizer, Lang: "en"})
			h.Add(store.NewMember{Name: "M", Phone: "13800000001", Branch: "Town", Lang: "en"})
			h.Link("13900000001", org)
			h.Link("13800000001", member)
			en := func(key string, kv ...any) string { return h.T(locales.En, key, kv...) }
			start := h.Say(org, "/help")
			hasKey := false
			for _, row := range start.Keyboard {
				for _, b := range row {
					hasKey = hasKey || b.Text == en("menu.console")
					if b.WebApp != "" {
						t.Fatalf("a reply keyboard web_app button: %+v", b)
					}
				}
			}
			if hasKey != (c.console != "") {
				t.Fatalf("📊 on the organizer's keyboard: %v", hasKey)
			}
			for _, text := range []string{en("menu.console"), "/console"} {
				got := h.Say(org, text)
				if c.console == "" {
					if got.Text != en("console.off") {
						t.Fatalf("%s without a console: %q", text, got.Text)
					}
					continue
				}
				if got.Text != en("console.open") || len(got.Inline) != 1 || len(got.Inline[0]) != 1 ||
					got.Inline[0][0].WebApp != url || got.Inline[0][0].Text != en("console.open_button") {
					t.Fatalf("%s: %q %+v", text, got.Text, got.Inline)
				}
			}
			if got := h.Say(member, "/console"); got.Text != en("auth.organizers_only", "Command", "/console") {
				t.Fatalf("a member's /console: %q", got.Text)
			}
		})
	}
}
