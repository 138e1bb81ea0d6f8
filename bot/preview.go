package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/roster"
)

// Preview (SPEC C8): /preview [days] shows an organizer who in their
// branches will get which message when, and in which language, over the
// next days (3 unless told, up to 14), computed by the planner without
// sending. The message groups them; a file lists every recipient.

const (
	previewDays    = 3
	maxPreviewDays = 14
	// previewNames is how many names a group shows before counting.
	previewNames = 3
)

func (b *Bot) onPreview(ctx context.Context, r *request, args string) {
	days := previewDays
	if s := strings.TrimSpace(args); s != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(s), "d"), "天"))
		if err != nil || n < 1 || n > maxPreviewDays {
			b.send(ctx, r.chatID, b.t(r, "preview.usage", "Max", maxPreviewDays), nil)
			return
		}
		days = n
	}
	now := b.cfg.Now()
	if b.cfg.Preview == nil {
		b.fail(ctx, r.chatID, r.lang, "preview", errors.New("no preview: the bot runs without its schedule"))
		return
	}
	items, err := b.cfg.Preview(ctx, r.scope, now, now.Add(time.Duration(days)*24*time.Hour))
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "preview", err)
		return
	}
	if len(items) == 0 {
		b.send(ctx, r.chatID, b.t(r, "preview.none", "Days", days), nil)
		return
	}
	zone := r.member.Zone(b.cfg.Location)
	lines := []string{b.t(r, "preview.title", "Days", days, "Count", len(items))}
	for _, g := range groupPreview(items) {
		lines = append(lines, b.t(r, "preview.line", "When", b.cat.DateTime(r.lang, g.at, zone, now),
			"What", b.previewWhat(r, g.first), "Who", b.previewWho(r, g.items)))
	}
	text := strings.Join(lines, "\n")
	if len([]rune(text)) > maxMessage {
		text = firstLines(text, maxMessage-200) + "\n…"
	}
	b.send(ctx, r.chatID, text+"\n\n"+b.t(r, "preview.file"), nil)
	var buf bytes.Buffer
	if err := roster.Write(&buf, roster.XLSX, b.previewTable(r, items, zone)); err != nil {
		b.fail(ctx, r.chatID, r.lang, "preview", err)
		return
	}
	b.sendFile(ctx, r, fmt.Sprintf("preview-%s-%dd.xlsx", now.In(zone).Format("2006-01-02"), days), buf.Bytes(), "")
}

// previewGroup is one message to several members at one time.
type previewGroup struct {
	at    time.Time
	first reports.PreviewItem
	items []reports.PreviewItem
}

// groupPreview groups items (in time order) by time, kind and subject.
func groupPreview(items []reports.PreviewItem) []previewGroup {
	var out []previewGroup
	index := map[string]int{}
	for _, it := range items {
		key := fmt.Sprintf("%d|%s|%s|%v|%v|%v", it.At.Unix(), it.Row.Kind, it.Row.TemplateKey, deref(it.Row.EventID), it.Row.Occurrence, deref(it.Row.BroadcastID))
		if i, ok := index[key]; ok {
			out[i].items = append(out[i].items, it)
			continue
		}
		index[key] = len(out)
		out = append(out, previewGroup{at: it.At, first: it, items: []reports.PreviewItem{it}})
	}
	return out
}

func deref(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}

// previewWhat names a message for the organizer: its kind, and what it is
// about (an event's title, a check's kind).
func (b *Bot) previewWhat(r *request, it reports.PreviewItem) string {
	about := ""
	var a planner.Args
	if json.Unmarshal([]byte(it.Row.Args), &a) == nil {
		if t, ok := a.Strings["Title"]; ok {
			about = t
		} else if names, ok := a.Texts["Kind"]; ok {
			about = names[string(r.lang)]
		}
	}
	if about == "" && it.Row.Text != "" {
		about = truncate(strings.ReplaceAll(it.Row.Text, "\n", " "), 30)
	}
	what := b.t(r, "preview.kind."+it.Row.Kind)
	if about != "" {
		what = b.t(r, "preview.about", "Kind", what, "About", about)
	}
	return what
}

// previewWho is a group's recipients: their names when few, else a count
// by language.
func (b *Bot) previewWho(r *request, items []reports.PreviewItem) string {
	if len(items) <= previewNames {
		names := make([]string, len(items))
		for i, it := range items {
			names[i] = b.t(r, "preview.who_lang", "Name", it.Member.Name, "Lang", b.cat.T(it.Lang, "lang.name"))
			if it.Row.Channel == outbox.BySMS {
				names[i] += " 💬" // by SMS
			}
		}
		return strings.Join(names, b.t(r, "list.separator"))
	}
	counts := map[locales.Lang]int{}
	for _, it := range items {
		counts[it.Lang]++
	}
	var parts []string
	for _, l := range locales.All() {
		if counts[l] > 0 {
			parts = append(parts, b.cat.T(l, "lang.name")+" "+strconv.Itoa(counts[l]))
		}
	}
	return b.t(r, "preview.members", "Count", len(items), "Languages", strings.Join(parts, b.t(r, "list.separator")))
}

// previewTable lists every recipient: time, name, branch, language,
// message.
func (b *Bot) previewTable(r *request, items []reports.PreviewItem, zone *time.Location) roster.Table {
	t := roster.Table{Sheet: b.t(r, "preview.sheet")}
	for _, k := range []string{"export.col.time", "import.column.name", "import.column.branch", "import.column.language", "export.col.message"} {
		t.Headers = append(t.Headers, b.t(r, k))
	}
	for _, it := range items {
		t.Rows = append(t.Rows, []string{it.At.In(zone).Format("2006-01-02 15:04"), it.Member.Name, it.Member.BranchPath(),
			string(it.Lang), b.previewWhat(r, it)})
	}
	return t
}
