// Package reports gives organizers their figures and files (SPEC C8): the
// exports (members, an event's answers, activity records, overdue plans),
// the branch statistics of /stats, the weekly digest, and the preview of
// what the planner will send. It reads through the store and renders with
// the reader's words; the bot, the CLI and the scheduler call it.
package reports

import (
	"context"
	"fmt"
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

// Tables are the exports by name.
const (
	Members = "members"
	Event   = "event"
	Records = "records"
	Overdue = "overdue"
)

// Export builds a table for an organizer with scope: the members of their
// branches, an event's answers (an event they manage), the activity records
// of their branches in a quarter, or their branches' overdue plans.
func Export(ctx context.Context, st *store.Store, cat *locales.Catalog, l locales.Lang, org *models.Member, scope models.Scope,
	what string, eventID uint, q models.Quarter, loc *time.Location) (roster.Table, error) {
	switch what {
	case Members:
		ms, err := st.MembersIn(ctx, scope)
		if err != nil {
			return roster.Table{}, err
		}
		ids := make([]uint, len(ms))
		for i := range ms {
			ids[i] = ms[i].ID
		}
		checks, err := st.ChecksOf(ctx, ids)
		if err != nil {
			return roster.Table{}, err
		}
		return roster.MembersTable(cat, l, ms, checks), nil
	case Event:
		e, err := st.EventByID(ctx, eventID)
		if err != nil {
			return roster.Table{}, err
		}
		if !scope.Admin {
			manages, err := st.CanManage(ctx, org, e)
			if err != nil {
				return roster.Table{}, err
			}
			if !manages {
				return roster.Table{}, models.ErrNotYours
			}
		}
		rows, err := st.EventAnswers(ctx, eventID)
		if err != nil {
			return roster.Table{}, err
		}
		return roster.AnswersTable(cat, l, loc, rows), nil
	case Records:
		from, to := q.Span(loc)
		rows, err := st.RecordsIn(ctx, scope, from, to)
		if err != nil {
			return roster.Table{}, err
		}
		return RecordsTable(cat, l, loc, rows), nil
	case Overdue:
		ps, err := st.OverduePlans(ctx, scope, 1000000)
		if err != nil {
			return roster.Table{}, err
		}
		return roster.OverdueTable(cat, l, ps), nil
	}
	return roster.Table{}, fmt.Errorf("reports: no table %q", what)
}

// RecordsTable is the table the town office asks for: branch, date, place,
// topic, attendance, rating, summary, photos.
func RecordsTable(cat *locales.Catalog, l locales.Lang, loc *time.Location, rows []store.RecordRow) roster.Table {
	t := roster.Table{Sheet: cat.T(l, "export.sheet.records")}
	for _, k := range []string{"import.column.branch", "export.col.date", "export.col.place", "export.col.topic", "export.col.came",
		"export.col.rating", "export.col.summary", "export.col.photos"} {
		t.Headers = append(t.Headers, cat.T(l, k))
	}
	for _, r := range rows {
		rating := ""
		if r.Rating > 0 {
			rating = strconv.FormatFloat(math.Round(r.Rating*10)/10, 'f', 1, 64)
		}
		t.Rows = append(t.Rows, []string{r.BranchPath, r.Occurrence.In(loc).Format("2006-01-02 15:04"), r.Location, r.Topic,
			strconv.Itoa(r.Attendance), rating, r.Summary, strconv.Itoa(len(r.PhotoIDs()))})
	}
	return t
}

// roots are the branches an organizer's figures are given for: the ones
// they were given (admins: the top ones).
func roots(ctx context.Context, st *store.Store, scope models.Scope) ([]string, error) {
	if !scope.Admin {
		// A branch below another they were given is in that one's figures.
		var out []string
		for _, p := range scope.Paths {
			below := false
			for _, q := range scope.Paths {
				if q != p && models.PathWithin(p, q) {
					below = true
				}
			}
			if !below {
				out = append(out, p)
			}
		}
		return out, nil
	}
	top, err := st.ChildBranches(ctx, nil)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(top))
	for i, b := range top {
		paths[i] = b.Path
	}
	return paths, nil
}

// pct is n of total as a whole percent, "–" of nothing.
func pct(n, total int) string {
	if total == 0 {
		return "–"
	}
	return strconv.Itoa(int(math.Round(100*float64(n)/float64(total)))) + "%"
}

// StatsText is /stats: one block per branch the organizer was given (with
// those below it) for the quarter of now, in one readable message.
func StatsText(ctx context.Context, st *store.Store, cat *locales.Catalog, l locales.Lang, scope models.Scope, loc *time.Location, now time.Time) (string, error) {
	paths, err := roots(ctx, st, scope)
	if err != nil {
		return "", err
	}
	q := models.QuarterOf(now.In(loc))
	from, to := q.Span(loc)
	var blocks []string
	for _, p := range paths {
		f, err := st.BranchFigures(ctx, p, from, to, now, loc)
		if err != nil {
			return "", err
		}
		blocks = append(blocks, figuresText(cat, l, p, f))
	}
	if len(blocks) == 0 {
		return cat.T(l, "stats.none"), nil
	}
	return cat.T(l, "stats.title", "Quarter", cat.Quarter(l, q.Year, q.Q)) + "\n\n" + strings.Join(blocks, "\n\n"), nil
}

func figuresText(cat *locales.Catalog, l locales.Lang, path string, f *store.Figures) string {
	rating := "–"
	if f.Ratings > 0 {
		rating = strconv.FormatFloat(math.Round(10*float64(f.RatingSum)/float64(f.Ratings))/10, 'f', 1, 64)
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
	return cat.T(l, "stats.branch", "Branch", path, "Members", f.Members, "Linked", pct(f.Linked, f.Members),
		"Delivered", pct(f.Delivered, f.Final), "NotSent", strings.Join(reasons, cat.T(l, "list.separator")),
		"AnswerRate", pct(f.Answered, f.Announced), "CheckedIn", f.CheckedIn, "Rating", rating,
		"Completion", pct(f.Plans-f.Overdue, f.Plans), "Overdue", f.Overdue, "Activities", f.Activities, "NoActivity", none)
}
