package bot

import (
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"testing"

	"github.com/assocbot/assocbot/bot/telegram"
	tgm "github.com/go-telegram/bot/models"
)

// FuzzUpdatesGuard: whatever one update in a getUpdates answer holds, once
// mended the answer decodes whole, as the library decodes it, with every
// update_id in its place (so polling moves on), and no input panics.
func FuzzUpdatesGuard(f *testing.F) {
	for _, s := range []string{
		`{"message":{"message_id":1,"date":1,"chat":{"id":7,"type":"private"},"text":"hi"}}`,
		`{"message":{"message_id":"x"}}`,
		`{"callback_query":{"id":5,"from":{"id":"y"}}}`,
		`{"message":{"date":"soon","entities":[{"offset":"a"}]}}`,
		`{"edited_message":[]}`,
		`{}`,
	} {
		f.Add(s)
	}
	b := &Bot{log: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: NewMetrics(nil)}
	g := &telegram.UpdatesGuard{PassOver: b.passOver}
	f.Fuzz(func(t *testing.T, update string) {
		g.Mend([]byte(update)) // any body: no panic
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(update), &obj) != nil || obj == nil {
			return
		}
		obj["update_id"] = json.RawMessage("41")
		bad, _ := json.Marshal(obj)
		body := `{"ok":true,"result":[{"update_id":40},` + string(bad) + `,{"update_id":42}]}`
		var a struct {
			Result []*tgm.Update `json:"result"`
		}
		if err := json.Unmarshal(g.Mend([]byte(body)), &a); err != nil {
			t.Fatalf("mended answer does not decode: %v", err)
		}
		if len(a.Result) != 3 {
			t.Fatalf("%d updates, want 3", len(a.Result))
		}
		for i, u := range a.Result {
			if u.ID != int64(40+i) {
				t.Fatalf("update %d has id %s", i, strconv.FormatInt(u.ID, 10))
			}
		}
	})
}
