package roster

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
)

// The tables organizers export, with the reader's column names. A members
// table reads back through Parse: its headers are the import's.

// MembersTable lists members with the import's columns (and whether they
// linked Telegram), so that it imports back: a member's open checks
// (checks, by member id) in the check columns, one line each, the further
// lines repeating the member.
func MembersTable(cat *locales.Catalog, l locales.Lang, ms []models.Member, checks map[uint][]models.Plan, families map[uint]FamilyCells) Table {
	t := Table{Sheet: cat.T(l, "export.sheet.members")}
	for _, c := range Columns() {
		t.Headers = append(t.Headers, cat.T(l, "import.column."+string(c)))
	}
	t.Headers = append(t.Headers, cat.T(l, "export.col.linked"))
	for _, m := range ms {
		phone, branch := "", ""
		if m.Phone != nil {
			phone = models.DisplayPhone(*m.Phone)
		}
		if m.Branch != nil {
			branch = m.Branch.Path
		}
		member := []string{m.Name, phone, branch, strings.Join(m.TagNames(), ","), cat.T(l, "export.role."+string(m.Role)), m.Lang}
		f := families[m.ID]
		difficulty := ""
		if f.Difficulty {
			difficulty = yesNo(cat, l, true)
		}
		sms := []string{ChannelWords(m.Channel), yesNo(cat, l, m.SMSHealth), f.Household, f.Centre, f.Birth, f.Expected, difficulty, yesNo(cat, l, m.Linked())}
		ps := checks[m.ID]
		if len(ps) == 0 {
			t.Rows = append(t.Rows, append(append(member, "", "", ""), sms...))
			continue
		}
		for _, p := range ps {
			last := ""
			if p.LastDone != nil {
				last = p.LastDone.Format("2006-01-02")
			}
			every := ""
			if p.Kind.Every != "" {
				every = IntervalWords(cat, l, p.Kind.Every)
			}
			t.Rows = append(t.Rows, append(append(slices.Clone(member), p.Kind.Name(string(l)), every, last), sms...))
		}
	}
	return t
}

// FamilyCells are a member's household as the members table writes it
// (the import's columns, so that an export imports back).
type FamilyCells struct {
	Household, Centre, Birth, Expected string // the centre household's phone, as written
	Difficulty                         bool
}

// AnswersTable lists an event's answers and attendance, by occurrence.
// How satisfied those who came were is the day-after survey's, anonymous
// (survey results), never a member's row here.
func AnswersTable(cat *locales.Catalog, l locales.Lang, loc *time.Location, rows []AnswerRow) Table {
	t := Table{Sheet: cat.T(l, "export.sheet.answers")}
	for _, k := range []string{"import.column.name", "import.column.phone", "export.col.date", "export.col.answer", "export.col.guests",
		"export.col.waitlisted", "export.col.came"} {
		t.Headers = append(t.Headers, cat.T(l, k))
	}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{r.Name, models.DisplayPhone(r.Phone), r.Occurrence.In(loc).Format("2006-01-02 15:04"),
			cat.T(l, "export.answer."+string(r.Answer)), strconv.Itoa(r.Guests), yesNo(cat, l, r.Waitlisted), yesNo(cat, l, r.CheckedIn)})
	}
	return t
}

// AnswerRow is one answer for AnswersTable.
type AnswerRow struct {
	Name, Phone string
	models.RSVP
}

// OverdueTable lists overdue plans.
func OverdueTable(cat *locales.Catalog, l locales.Lang, ps []models.Plan) Table {
	t := Table{Sheet: cat.T(l, "export.sheet.overdue")}
	for _, k := range []string{"import.column.name", "import.column.phone", "import.column.branch", "import.column.check_kind",
		"export.col.due", "export.col.overdue_since"} {
		t.Headers = append(t.Headers, cat.T(l, k))
	}
	for _, p := range ps {
		phone, branch, since := "", "", ""
		if p.Member != nil {
			if p.Member.Phone != nil {
				phone = models.DisplayPhone(*p.Member.Phone)
			}
			if p.Member.Branch != nil {
				branch = p.Member.Branch.Path
			}
		}
		if p.OverdueSince != nil {
			since = p.OverdueSince.Format("2006-01-02")
		}
		name := ""
		if p.Member != nil {
			name = p.Member.Name
		}
		t.Rows = append(t.Rows, []string{name, phone, branch, p.Kind.Name(string(l)), p.NextDue.Format("2006-01-02"), since})
	}
	return t
}

func yesNo(cat *locales.Catalog, l locales.Lang, b bool) string {
	if b {
		return cat.T(l, "export.yes")
	}
	return cat.T(l, "export.no")
}
