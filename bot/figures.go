package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/store"
)

// Report figures (SPEC C14): ✅ Done on a report duty whose kind names
// figures asks each in turn — a number, with last period's value shown —
// and closes the duty with them; /figures gives the totals per branch.

const dialogFigures = "figures"

// figuresDialog is where the organizer is: the plan and cycle, the
// figures given so far.
type figuresDialog struct {
	Plan   uint           `json:"p"`
	Cycle  int            `json:"c"`
	Values map[string]int `json:"v"`
}

// startFigures asks a report duty's first figure.
func (b *Bot) startFigures(ctx context.Context, r *request, q *tgm.CallbackQuery, p *models.Plan) {
	if p.MemberID != r.member.ID || p.Cycle < 0 {
		b.refusePlan(ctx, r, q, store.ErrNotYourPlan)
		return
	}
	fd := figuresDialog{Plan: p.ID, Cycle: p.Cycle, Values: map[string]int{}}
	if err := b.saveFigures(ctx, r, &fd); err != nil {
		b.tapFault(ctx, r, q, "figures", err)
		return
	}
	b.answer(ctx, q, "", false)
	b.askFigure(ctx, r, p, &fd)
}

func (b *Bot) saveFigures(ctx context.Context, r *request, fd *figuresDialog) error {
	raw, _ := json.Marshal(fd)
	return b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: dialogFigures, Step: strconv.Itoa(len(fd.Values)), Data: string(raw)})
}

// askFigure asks the next figure not given yet.
func (b *Bot) askFigure(ctx context.Context, r *request, p *models.Plan, fd *figuresDialog) {
	figs := p.Kind.FigureList()
	last, err := b.st.LastFigures(ctx, p.ID)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "figures", err)
		return
	}
	n := len(fd.Values)
	f := figs[n]
	lastText := ""
	if v, ok := last[f.Key]; ok {
		lastText = strconv.Itoa(v)
	}
	b.send(ctx, r.chatID, b.t(r, "figures.ask", "Kind", p.Kind.Name(string(r.lang)), "Name", f.Name(string(r.lang)), "Last", lastText,
		"N", n+1, "Count", len(figs)), nil)
}

// onFiguresInput takes a typed figure; false when none is asked.
func (b *Bot) onFiguresInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	d := b.freshDialog(ctx, r, dialogFigures)
	if d == nil {
		return false
	}
	var fd figuresDialog
	if json.Unmarshal([]byte(d.Data), &fd) != nil || fd.Values == nil {
		b.dropDialog(ctx, r)
		return false
	}
	p, err := b.st.PlanByID(ctx, fd.Plan)
	if err != nil || p.Cycle != fd.Cycle || p.State == models.PlanClosed {
		b.dropDialog(ctx, r)
		b.send(ctx, r.chatID, b.t(r, "callback.stale"), b.keyboardFor(r))
		return true
	}
	figs := p.Kind.FigureList()
	n := len(fd.Values)
	if n >= len(figs) {
		b.dropDialog(ctx, r)
		return false
	}
	v, err := strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(msg.Text, ",", "")))
	if err != nil || v < 0 || v > models.MaxFigureValue {
		b.send(ctx, r.chatID, b.t(r, "figures.bad", "Max", models.MaxFigureValue), nil)
		return true
	}
	fd.Values[figs[n].Key] = v
	if len(fd.Values) < len(figs) {
		if err := b.saveFigures(ctx, r, &fd); err != nil {
			b.fail(ctx, r.chatID, r.lang, "figures", err)
			return true
		}
		b.askFigure(ctx, r, p, &fd)
		return true
	}
	b.dropDialog(ctx, r)
	p, err = b.st.SubmitFigures(ctx, fd.Plan, fd.Cycle, r.member, fd.Values, b.cfg.Location, b.cfg.Now())
	if err != nil {
		if errors.Is(err, store.ErrNotYourPlan) || errors.Is(err, store.ErrPlanStale) {
			b.send(ctx, r.chatID, b.t(r, "callback.stale"), b.keyboardFor(r))
			return true
		}
		b.fail(ctx, r.chatID, r.lang, "figures", err)
		return true
	}
	var parts []string
	for _, f := range figs {
		parts = append(parts, f.Name(string(r.lang))+" "+strconv.Itoa(fd.Values[f.Key]))
	}
	key, args := "figures.saved", append(b.planArgs(r, p), "Values", strings.Join(parts, b.t(r, "list.separator")))
	if p.Once {
		key = "figures.saved_once"
	}
	// The report's file may follow, in the next message.
	raw, _ := json.Marshal(reportFileDialog{Plan: fd.Plan, Cycle: fd.Cycle})
	if err := b.st.SaveDialog(ctx, &models.Dialog{TelegramID: r.from.ID, Kind: dialogReportFile, Step: "file", Data: string(raw)}); err != nil {
		b.log.Warn("report file dialog", "err", err)
	}
	b.send(ctx, r.chatID, b.t(r, key, args...)+"\n"+b.t(r, "figures.attach"), b.keyboardFor(r))
	return true
}

// dialogReportFile waits, after a report's figures, for its file.
const dialogReportFile = "report_file"

type reportFileDialog struct {
	Plan  uint `json:"p"`
	Cycle int  `json:"c"`
}

// onReportFileInput attaches a file sent after a report's figures to its
// record; anything else ends the wait and is handled as usual.
func (b *Bot) onReportFileInput(ctx context.Context, r *request, msg *tgm.Message) bool {
	d := b.freshDialog(ctx, r, dialogReportFile)
	if d == nil {
		return false
	}
	b.dropDialog(ctx, r)
	var rd reportFileDialog
	if msg.Document == nil || json.Unmarshal([]byte(d.Data), &rd) != nil {
		return false
	}
	if err := b.st.AttachReport(ctx, rd.Plan, rd.Cycle, r.member, msg.Document.FileID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			b.send(ctx, r.chatID, b.t(r, "callback.stale"), b.keyboardFor(r))
			return true
		}
		b.fail(ctx, r.chatID, r.lang, "report file", err)
		return true
	}
	b.send(ctx, r.chatID, b.t(r, "figures.attached", "Name", truncate(msg.Document.FileName, 60)), b.keyboardFor(r))
	return true
}

// onFigures is /figures [kind] [period]: the totals per branch of the
// organizer's branches, against the period before, and who has not
// reported.
func (b *Bot) onFigures(ctx context.Context, r *request, args string) {
	kinds, err := b.st.FigureKinds(ctx)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "figures", err)
		return
	}
	if len(kinds) == 0 {
		b.send(ctx, r.chatID, b.t(r, "figures.no_kind"), nil)
		return
	}
	k := &kinds[0]
	period, err := models.ParsePeriod(models.DayOf(b.cfg.Now(), b.cfg.Location).Format("2006-01"))
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "figures", err)
		return
	}
	for _, f := range strings.Fields(args) {
		if p, err := models.ParsePeriod(f); err == nil {
			period = p
			continue
		}
		found := false
		for i := range kinds {
			if strings.EqualFold(kinds[i].Key, f) || kinds[i].NameZhHans == f || kinds[i].NameZhHant == f || strings.EqualFold(kinds[i].NameEn, f) {
				k, found = &kinds[i], true
			}
		}
		if !found {
			b.send(ctx, r.chatID, b.t(r, "figures.usage", "Kinds", kindKeys(kinds)), nil)
			return
		}
	}
	t, err := b.st.FigureTotalsOf(ctx, k, r.scope, period)
	if err != nil {
		b.fail(ctx, r.chatID, r.lang, "figures", err)
		return
	}
	b.send(ctx, r.chatID, reports.FiguresText(b.cat, r.lang, t), nil)
}

func kindKeys(ks []models.PlanKind) string {
	keys := make([]string, len(ks))
	for i := range ks {
		keys[i] = ks[i].Key
	}
	return strings.Join(keys, ", ")
}
