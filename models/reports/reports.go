// Package reports renders what organizers read (SPEC C8) with the
// reader's words: the exports (members, an event's answers, activity
// records, overdue plans) and the branch statistics of /stats, from what
// the store read (store.ExportRowsFor, store.StatsFor), and the preview's
// items (scheduler.Previewer). It reads nothing itself.
package reports

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
)

// Table renders the rows of the table what (store.ExportRowsFor) with the
// reader's words.
func Table(cat *locales.Catalog, l locales.Lang, loc *time.Location, what string, rows store.ExportRows) roster.Table {
	switch what {
	case store.ExportMembers:
		return roster.MembersTable(cat, l, rows.Members, rows.Checks, rows.Families)
	case store.ExportEvent:
		return roster.AnswersTable(cat, l, loc, rows.Answers)
	case store.ExportRecords:
		return RecordsTable(cat, l, loc, rows.Records)
	case store.ExportVisits:
		return VisitsTable(cat, l, rows.Visits)
	}
	return roster.OverdueTable(cat, l, rows.Overdue)
}

// RecordsTable is the table the town office asks for: branch, date, place,
// topic, attendance, satisfaction (of the day-after survey), summary,
// photos.
func RecordsTable(cat *locales.Catalog, l locales.Lang, loc *time.Location, rows []store.RecordRow) roster.Table {
	t := roster.Table{Sheet: cat.T(l, "export.sheet.records")}
	for _, k := range []string{"import.column.branch", "export.col.date", "export.col.place", "export.col.topic", "export.col.came",
		"export.col.satisfaction", "export.col.summary", "export.col.photos"} {
		t.Headers = append(t.Headers, cat.T(l, k))
	}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{r.BranchPath, r.Occurrence.In(loc).Format("2006-01-02 15:04"), r.Location, r.Topic,
			strconv.Itoa(r.Attendance), SatisfactionText(cat, l, r.Satisfaction), r.Summary, strconv.Itoa(len(r.PhotoIDs()))})
	}
	return t
}

// VisitsTable is the visit log (SPEC C14): branch, household, family,
// kind, window, state, the day made, by whom, what was given, the note.
// Organizers of the family's branch read the kind; the export is theirs.
func VisitsTable(cat *locales.Catalog, l locales.Lang, rows []store.VisitRow) roster.Table {
	t := roster.Table{Sheet: cat.T(l, "export.sheet.visits")}
	for _, k := range []string{"import.column.branch", "export.col.household", "import.column.name", "import.column.phone", "export.col.kind",
		"export.col.window", "export.col.state", "export.col.date", "export.col.visitor", "export.col.gave", "export.col.note"} {
		t.Headers = append(t.Headers, cat.T(l, k))
	}
	for _, v := range rows {
		done := ""
		if v.DoneOn != nil {
			done = v.DoneOn.Format("2006-01-02")
		}
		t.Rows = append(t.Rows, []string{v.BranchPath, v.Household, v.FamilyName, models.DisplayPhone(v.FamilyPhone),
			cat.T(l, "visit.kind."+string(v.Kind)), v.From.Format("2006-01-02") + " – " + v.By.Format("2006-01-02"),
			cat.T(l, "visit.state."+string(v.State)), done, v.DoneByName, v.Gave, v.Note})
	}
	return t
}

// SatisfactionText is the satisfaction rate of day-after surveys with its
// parts, "67% (2/3)"; "" with fewer answers than an anonymous figure
// shows (models.MinAnonymous).
func SatisfactionText(cat *locales.Catalog, l locales.Lang, s models.Satisfaction) string {
	if !s.Enough() {
		return ""
	}
	return cat.T(l, "satisfaction.rate", "Rate", pct(s.Satisfied, s.Valid), "Satisfied", s.Satisfied, "Valid", s.Valid)
}

// Percent is n of total as a whole percent, "–" of nothing.
func Percent(n, total int) string { return pct(n, total) }

// pct is n of total as a whole percent, "–" of nothing.
func pct(n, total int) string {
	if total == 0 {
		return "–"
	}
	return strconv.Itoa(int(math.Round(100*float64(n)/float64(total)))) + "%"
}

// StatsText is /stats: one block per branch (store.StatsFor) for the
// quarter q, in one readable message.
func StatsText(cat *locales.Catalog, l locales.Lang, q models.Quarter, figures []store.BranchFiguresOf) string {
	if len(figures) == 0 {
		return cat.T(l, "stats.none")
	}
	blocks := make([]string, len(figures))
	for i, f := range figures {
		blocks[i] = figuresText(cat, l, f.Path, f.Figures)
	}
	return cat.T(l, "stats.title", "Quarter", cat.Quarter(l, q.Year, q.Q)) + "\n\n" + strings.Join(blocks, "\n\n")
}

func figuresText(cat *locales.Catalog, l locales.Lang, path string, f *store.Figures) string {
	satisfaction := SatisfactionText(cat, l, f.Satisfaction)
	if satisfaction == "" {
		satisfaction = "–"
	}
	var reasons []string
	for r, n := range f.NotSent {
		key := "stats.reason." + string(r)
		if r == outbox.ReasonNone {
			key = "stats.reason.other"
		}
		reasons = append(reasons, cat.T(l, key)+" "+strconv.Itoa(n))
	}
	sort.Strings(reasons)
	none := "–"
	if len(f.NoActivity) > 0 {
		none = strings.Join(f.NoActivity, cat.T(l, "list.separator"))
	}
	text := cat.T(l, "stats.branch", "Branch", path, "Members", f.Members, "Linked", pct(f.Linked, f.Members),
		"Delivered", pct(f.Delivered, f.Final), "BySMS", f.BySMS, "NotSent", strings.Join(reasons, cat.T(l, "list.separator")),
		"AnswerRate", pct(f.Answered, f.Announced), "CheckedIn", f.CheckedIn, "Satisfaction", satisfaction,
		"Completion", pct(f.Plans-f.Overdue, f.Plans), "Overdue", f.Overdue, "Activities", f.Activities, "NoActivity", none)
	if v := f.Visits; v.Done+v.Missed > 0 {
		text += "\n" + cat.T(l, "stats.visits", "Done", v.Done, "Missed", v.Missed, "Rate", pct(v.Done, v.Done+v.Missed))
	}
	return text
}
