package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
)

// The organizer's desk (SPEC C8, C9) in the chat: a member list sent as a
// document is checked, reported and imported after one tap; /export sends
// the tables as files; /stats gives the branch figures.

// maxDownload is the largest file a bot may download through the Bot API
// (20 MB).
const maxDownload = 20 << 20

// maxMessage is how long a message we write may be: Telegram's limit is
// 4096 characters.
const maxMessage = 4000

// dialogImport waits for the organizer to confirm an import.
const dialogImport = "import"

type importDialog struct {
	FileID string `json:"file_id"`
	Unique string `json:"unique"`
	Name   string `json:"name"`
}

// errDownload is a file that could not be fetched from Telegram.
var errDownload = errors.New("bot: download failed")

// download fetches a file the bot received, at most limit bytes. The Bot
// API serves it at {server}/file/bot{token}/{file_path}; a local Bot API
// server (--local) answers an absolute file_path on its own disk instead,
// read directly when it is there.
func (b *Bot) download(ctx context.Context, fileID string, limit int64) ([]byte, error) {
	f, err := b.api.GetFile(ctx, &tg.GetFileParams{FileID: fileID})
	if err != nil {
		b.apiFailed("getFile", 0, err)
		return nil, errDownload
	}
	if f == nil || f.FilePath == "" {
		return nil, errDownload
	}
	if f.FileSize > limit {
		return nil, errFileTooBig
	}
	var body io.ReadCloser
	if filepath.IsAbs(f.FilePath) {
		file, err := os.Open(f.FilePath)
		if err != nil {
			b.log.Warn("download: local file", "err", err)
			return nil, errDownload
		}
		body = file
	} else {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.api.FileDownloadLink(f), nil)
		if err != nil {
			return nil, errDownload
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.log.Warn("download failed", "err", redact(err.Error(), b.cfg.Token))
			return nil, errDownload
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			b.log.Warn("download failed", "status", resp.StatusCode)
			return nil, errDownload
		}
		body = resp.Body
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		b.log.Warn("download failed", "err", redact(err.Error(), b.cfg.Token))
		return nil, errDownload
	}
	if int64(len(data)) > limit {
		return nil, errFileTooBig
	}
	return data, nil
}

var errFileTooBig = errors.New("bot: file too big")

// onDocument is a file sent to the bot: from an organizer, a member list to
// import (checked first; imported after a tap on ✅).
func (b *Bot) onDocument(ctx context.Context, r *request, doc *tgm.Document) {
	if !r.member.IsOrganizer() {
		b.send(ctx, r.chatID, b.t(r, "unknown.message"), b.keyboardFor(r))
		return
	}
	if doc.FileSize > b.cfg.ImportLimits.MaxBytes {
		b.send(ctx, r.chatID, b.t(r, "import.too_big", "MB", b.cfg.ImportLimits.MaxBytes>>20), nil)
		return
	}
	rep, ok := b.importFile(ctx, r, doc.FileID, true)
	if !ok {
		return
	}
	var kb *inlineKeyboard
	if len(rep.Problems) == 0 {
		d := importDialog{FileID: doc.FileID, Unique: shortUnique(doc.FileUniqueID), Name: truncate(doc.FileName, 100)}
		raw, _ := json.Marshal(d)
		if err := b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: dialogImport, Step: dialogImport, Data: string(raw)}); err != nil {
			b.fail(ctx, r.chatID, r.lang, "import dialog", err)
			return
		}
		kb = inline(row(
			cb(b.t(r, "import.button.confirm", "Rows", rep.Rows), models.Callback{Action: models.ActImport, Op: "y", Arg: d.Unique}),
			cb(b.t(r, "import.button.cancel"), models.Callback{Action: models.ActImport, Op: "n", Arg: d.Unique}),
		))
	}
	b.sendReport(ctx, r, rep.Text(b.cat, r.lang), "import-report.txt", kb)
}

// shortUnique keeps a file's unique id within a button's 64 bytes.
func shortUnique(id string) string {
	if len(id) > 40 {
		id = id[len(id)-40:]
	}
	if id == "" {
		id = "file"
	}
	return id
}

// importFile downloads, parses and imports (or checks) a member list in
// the organizer's scope. It answers the user itself when the file cannot
// be read; ok is false then.
func (b *Bot) importFile(ctx context.Context, r *request, fileID string, dry bool) (*roster.Report, bool) {
	select {
	case b.imports <- struct{}{}:
		defer func() { <-b.imports }()
	default:
		b.send(ctx, r.chatID, b.t(r, "import.busy"), nil)
		return nil, false
	}
	data, err := b.download(ctx, fileID, b.cfg.ImportLimits.MaxBytes)
	switch {
	case errors.Is(err, errFileTooBig):
		b.send(ctx, r.chatID, b.t(r, "import.too_big", "MB", b.cfg.ImportLimits.MaxBytes>>20), nil)
		return nil, false
	case err != nil:
		b.send(ctx, r.chatID, b.t(r, "import.download_failed"), nil)
		return nil, false
	}
	rows, problems, err := roster.Parse(bytes.NewReader(data), b.cfg.ImportLimits)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "import parse", err)
		return nil, false
	}
	rep, err := b.st.ImportRoster(ctx, rows, problems, store.ImportOptions{Scope: r.scope, DryRun: dry, Location: b.cfg.Location, Now: b.cfg.Now()})
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "import", err)
		return nil, false
	}
	return rep, true
}

// sendReport sends a report as a message; a long one is cut after its
// first lines, and the whole goes along as a text file.
func (b *Bot) sendReport(ctx context.Context, r *request, text, fileName string, kb *inlineKeyboard) {
	if len([]rune(text)) <= maxMessage {
		var markup any
		if kb != nil {
			markup = kb
		}
		b.send(ctx, r.chatID, text, markup)
		return
	}
	head := firstLines(text, maxMessage-200) + "\n\n" + b.t(r, "report.in_file")
	b.sendFile(ctx, r, fileName, []byte(text), "")
	var markup any
	if kb != nil {
		markup = kb
	}
	b.send(ctx, r.chatID, head, markup)
}

// firstLines is the longest run of whole lines of text within n characters.
func firstLines(text string, n int) string {
	out := ""
	for _, line := range strings.Split(text, "\n") {
		if len([]rune(out))+len([]rune(line))+1 > n {
			break
		}
		if out != "" {
			out += "\n"
		}
		out += line
	}
	return out
}

// sendFile sends data as a document to the requester.
func (b *Bot) sendFile(ctx context.Context, r *request, name string, data []byte, caption string) bool {
	_, err := b.api.SendDocument(ctx, &tg.SendDocumentParams{
		ChatID:   r.chatID,
		Document: &tgm.InputFileUpload{Filename: name, Data: bytes.NewReader(data)},
		Caption:  truncate(caption, 1000),
	})
	if err != nil {
		b.apiFailed("sendDocument", r.chatID, err)
		return false
	}
	return true
}

// onImportCallback is ✅ Import (or ✖ Cancel) under a checked file: the file
// is read again and imported, all or nothing, in the organizer's scope now.
func (b *Bot) onImportCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	d, err := b.st.Dialog(ctx, r.from.ID)
	var id importDialog
	if err != nil || d.Kind != dialogImport || json.Unmarshal([]byte(d.Data), &id) != nil || id.Unique != c.Arg {
		b.answer(ctx, q, b.t(r, "callback.stale"), true)
		return
	}
	b.clearMarkup(ctx, q)
	if c.Op == "n" {
		if !b.endDialog(ctx, r) {
			b.answer(ctx, q, "", false)
			return
		}
		b.answer(ctx, q, b.t(r, "import.cancelled"), false)
		b.send(ctx, r.chatID, b.t(r, "import.cancelled"), nil)
		return
	}
	b.answer(ctx, q, "", false)
	rep, ok := b.importFile(ctx, r, id.FileID, false)
	if !ok {
		return
	}
	// The import is done either way: a dialog left behind only makes a
	// second ✅ check the file again (an import is idempotent).
	if err := b.st.ClearDialog(ctx, r.from.ID); err != nil {
		b.log.Error("end import dialog", "chat_id", r.chatID, "err", err)
	}
	if rep.Applied() {
		b.log.Info("roster imported", "member_id", r.member.ID, "rows", rep.Rows, "new", rep.New, "updated", rep.Updated)
		b.enqueued()
	}
	b.sendReport(ctx, r, rep.Text(b.cat, r.lang), "import-report.txt", nil)
}

// clearMarkup removes the buttons of the message a callback came from, so
// that a confirmation is not tapped twice.
func (b *Bot) clearMarkup(ctx context.Context, q *tgm.CallbackQuery) {
	msg := q.Message.Message
	if msg == nil {
		return
	}
	_, err := b.api.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{ChatID: msg.Chat.ID, MessageID: msg.ID,
		ReplyMarkup: &tgm.InlineKeyboardMarkup{InlineKeyboard: [][]tgm.InlineKeyboardButton{}}})
	if err != nil {
		b.apiFailed("editMessageReplyMarkup", msg.Chat.ID, err)
	}
}

// onExport is /export [members|overdue|records [2026Q4]|event ID] [csv]:
// without a table, buttons for each; the file comes as a document with
// the organizer's column names.
func (b *Bot) onExport(ctx context.Context, r *request, args string) {
	fields := strings.Fields(strings.ToLower(args))
	format := roster.XLSX
	if n := len(fields); n > 0 {
		if f, ok := roster.ParseFormat(fields[n-1]); ok {
			format, fields = f, fields[:n-1]
		}
	}
	if len(fields) == 0 && format == roster.CSV {
		b.send(ctx, r.chatID, b.t(r, "export.usage"), nil)
		return
	}
	if len(fields) == 0 {
		quarter := models.QuarterOf(b.cfg.Now().In(b.cfg.Location))
		q := quarter.String()
		b.send(ctx, r.chatID, b.t(r, "export.choose"), inline(
			row(cb(b.t(r, "export.button.members"), models.Callback{Action: models.ActExport, Op: "m"})),
			row(cb(b.t(r, "export.button.overdue"), models.Callback{Action: models.ActExport, Op: "o"})),
			row(cb(b.t(r, "export.button.records", "Quarter", b.cat.Quarter(r.lang, quarter.Year, quarter.Q)), models.Callback{Action: models.ActExport, Op: "r", Arg: q})),
			row(cb(b.t(r, "export.button.visits", "Quarter", b.cat.Quarter(r.lang, quarter.Year, quarter.Q)), models.Callback{Action: models.ActExport, Op: "v", Arg: q})),
		))
		return
	}
	var what, arg string
	switch fields[0] {
	case "members", "成员", "成員", "名单", "名單":
		what = store.ExportMembers
	case "overdue", "逾期":
		what = store.ExportOverdue
	case "records", "记录", "記錄":
		what = store.ExportRecords
		if len(fields) > 1 {
			arg = strings.ToUpper(fields[1])
		}
	case "visits", "走访", "走訪":
		what = store.ExportVisits
		if len(fields) > 1 {
			arg = strings.ToUpper(fields[1])
		}
	case "event", "活动", "活動":
		what = store.ExportEvent
		if len(fields) > 1 {
			arg = fields[1]
		}
		if arg == "" {
			b.send(ctx, r.chatID, b.t(r, "export.usage"), nil)
			return
		}
	default:
		b.send(ctx, r.chatID, b.t(r, "export.usage"), nil)
		return
	}
	b.export(ctx, r, what, arg, format)
}

// onExportCallback is a table's button under /export.
func (b *Bot) onExportCallback(ctx context.Context, r *request, q *tgm.CallbackQuery, c models.Callback) {
	if !r.member.IsOrganizer() {
		b.answer(ctx, q, b.t(r, "auth.organizers_only_action"), true)
		return
	}
	b.answer(ctx, q, "", false)
	what := map[string]string{"m": store.ExportMembers, "o": store.ExportOverdue, "r": store.ExportRecords, "v": store.ExportVisits, "e": store.ExportEvent}[c.Op]
	b.export(ctx, r, what, c.Arg, roster.XLSX)
}

// export builds a table within the organizer's scope and sends it.
func (b *Bot) export(ctx context.Context, r *request, what, arg string, format roster.Format) {
	now := b.cfg.Now().In(b.cfg.Location)
	var eventID uint
	q := models.QuarterOf(now)
	switch what {
	case store.ExportEvent:
		n, err := strconv.ParseUint(strings.TrimPrefix(arg, "#"), 10, 32)
		if err != nil || n == 0 {
			b.send(ctx, r.chatID, b.t(r, "export.usage"), nil)
			return
		}
		eventID = uint(n)
	case store.ExportRecords, store.ExportVisits:
		var err error
		if q, err = models.ParseQuarter(arg, now); err != nil {
			b.send(ctx, r.chatID, b.t(r, "export.bad_quarter", "Value", truncate(arg, 20)), nil)
			return
		}
	}
	from, to := q.Span(b.cfg.Location)
	rows, err := b.st.ExportRowsFor(ctx, what, r.member, r.scope, eventID, from, to)
	switch {
	case errors.Is(err, models.ErrNotYours), errors.Is(err, store.ErrNotFound):
		b.send(ctx, r.chatID, b.t(r, "export.not_yours"), nil)
		return
	case err != nil:
		b.fail(ctx, r.chatID, r.lang, "export", err)
		return
	}
	name, data, t, err := reports.ExportFile(b.cat, r.lang, b.cfg.Location, what, rows, format, q, eventID, now)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "export", err)
		return
	}
	b.sendFile(ctx, r, name, data, b.t(r, "export.caption", "Sheet", t.Sheet, "Rows", len(t.Rows)))
}

// onStats is /stats: the figures of each branch the organizer was given
// (admins: the top branches), for this quarter.
func (b *Bot) onStats(ctx context.Context, r *request) {
	now := b.cfg.Now()
	q := models.QuarterOf(now.In(b.cfg.Location))
	from, to := q.Span(b.cfg.Location)
	figures, err := b.st.StatsFor(ctx, r.scope, from, to, now, b.cfg.Location)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "stats", err)
		return
	}
	text := reports.StatsText(b.cat, r.lang, q, figures)
	for _, part := range splitMessage(text, maxMessage) {
		b.send(ctx, r.chatID, part, nil)
	}
}

// splitMessage cuts text into messages of at most n characters, between
// paragraphs where it can, else between lines.
func splitMessage(text string, n int) []string {
	var out []string
	cur := ""
	flush := func() {
		if cur != "" {
			out = append(out, cur)
			cur = ""
		}
	}
	for _, para := range strings.Split(text, "\n\n") {
		for len([]rune(para)) > n {
			head := firstLines(para, n)
			if head == "" {
				head = string([]rune(para)[:n])
			}
			flush()
			out = append(out, head)
			para = strings.TrimPrefix(para[len(head):], "\n")
		}
		switch {
		case cur == "":
			cur = para
		case len([]rune(cur))+2+len([]rune(para)) <= n:
			cur += "\n\n" + para
		default:
			flush()
			cur = para
		}
	}
	flush()
	return out
}
