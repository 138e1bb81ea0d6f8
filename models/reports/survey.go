package reports

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
)

// MinBranchAnswers: in an anonymous survey a branch with fewer answers is
// folded into "other branches", so that a few answers cannot be traced to
// a few people; a survey with fewer shows no answers at all.
const MinBranchAnswers = models.MinAnonymous

// folded is the branch key of the branches folded together.
const folded = "\x00other"

// branchesOf is the tally's branches as shown: in an anonymous survey
// those with fewer than MinBranchAnswers members who answered are folded
// into one; the returned map says where each branch is counted.
func branchesOf(sv *models.Survey, t *store.SurveyTally) (shown []string, as map[string]string) {
	as = map[string]string{}
	for p := range t.Asked {
		key := p
		if sv.Anonymous && t.Answered[p] < MinBranchAnswers {
			key = folded
		}
		as[p] = key
	}
	seen := map[string]bool{}
	for _, key := range as {
		if !seen[key] {
			seen[key] = true
			shown = append(shown, key)
		}
	}
	sort.Strings(shown)
	if len(shown) > 0 && shown[0] == folded {
		shown = append(shown[1:], folded) // the folded last
	}
	return shown, as
}

// SurveyFigures are a survey's results as numbers, for the text, the
// export and the digest.
type SurveyFigures struct {
	Asked, Answered int
	// Hidden: an anonymous survey with fewer than MinBranchAnswers who
	// answered shows how many answered and nothing of what.
	Hidden    bool
	Branches  []BranchFigures // as shown (folded in an anonymous survey)
	Questions []QuestionFigures
}

// BranchFigures are one branch's (or the folded ones') response.
type BranchFigures struct {
	Branch          string // "" for no branch; the folded have Folded set
	Folded          bool
	Asked, Answered int
	// Satisfied, Valid: the first satisfaction question's, for the rate
	// per branch.
	Satisfied, Valid int
}

// QuestionFigures are one question's counts.
type QuestionFigures struct {
	Question         models.SurveyQuestion
	Counts           []int // of choices 1…, index 0 unused
	Valid, Satisfied int   // answers; of a satisfaction question, 非常满意 + 满意
	Comments         []store.SurveyCommentRow
}

// maxTextComments is how many comments a question shows in the results
// text; the export has them all.
const maxTextComments = 10

// Figures computes a survey's results from its tally.
func Figures(sv *models.Survey, t *store.SurveyTally) SurveyFigures {
	f := SurveyFigures{}
	shown, as := branchesOf(sv, t)
	idx := map[string]int{}
	for i, key := range shown {
		idx[key] = i
		f.Branches = append(f.Branches, BranchFigures{Branch: key, Folded: key == folded})
		if key == folded {
			f.Branches[i].Branch = ""
		}
	}
	for p, n := range t.Asked {
		b := &f.Branches[idx[as[p]]]
		b.Asked += n
		b.Answered += t.Answered[p]
		f.Asked += n
		f.Answered += t.Answered[p]
	}
	if sv.Anonymous && f.Answered < MinBranchAnswers {
		f.Hidden = true
		for i := range f.Branches {
			f.Branches[i].Answered = 0
		}
		for _, q := range sv.Questions {
			f.Questions = append(f.Questions, QuestionFigures{Question: q, Counts: make([]int, q.Choices()+1)})
		}
		return f
	}
	firstSatisfaction := 0
	for _, q := range sv.Questions {
		qf := QuestionFigures{Question: q, Counts: make([]int, q.Choices()+1)}
		for _, c := range t.Comments {
			if c.Position == q.Position {
				qf.Comments = append(qf.Comments, c)
			}
		}
		for p, counts := range t.Counts[q.Position] {
			for c := 1; c < len(counts) && c < len(qf.Counts); c++ {
				qf.Counts[c] += counts[c]
				qf.Valid += counts[c]
				if q.Kind == models.QuestionSatisfaction && c <= models.Satisfied {
					qf.Satisfied += counts[c]
				}
			}
			if q.Kind == models.QuestionSatisfaction && (firstSatisfaction == 0 || firstSatisfaction == q.Position) {
				firstSatisfaction = q.Position
				key, ok := as[p]
				if !ok { // answers of a branch no taker is in now
					continue
				}
				b := &f.Branches[idx[key]]
				for c := 1; c < len(counts); c++ {
					b.Valid += counts[c]
					if c <= models.Satisfied {
						b.Satisfied += counts[c]
					}
				}
			}
		}
		f.Questions = append(f.Questions, qf)
	}
	return f
}

// optionLabel is answer n of question q in the reader's words.
func optionLabel(cat *locales.Catalog, l locales.Lang, q models.SurveyQuestion, n int) string {
	if q.Kind == models.QuestionChoice {
		return q.OptionList()[n-1]
	}
	return cat.T(l, planner.OptionKey(q.Kind, n))
}

func branchLabel(cat *locales.Catalog, l locales.Lang, b BranchFigures) string {
	switch {
	case b.Folded:
		return cat.T(l, "survey.results.folded", "Min", MinBranchAnswers)
	case b.Branch == "":
		return cat.T(l, "survey.results.no_branch")
	}
	return b.Branch
}

// questionText is a question's words in a report: a day-after survey's
// in the reader's language, with the occurrence's full date in the
// association's zone.
func questionText(cat *locales.Catalog, l locales.Lang, loc *time.Location, sv *models.Survey, q *models.SurveyQuestion) string {
	return planner.QuestionText(cat, l, loc, sv, q, time.Time{})
}

// SurveyText is a survey's results for organizers: the response rate,
// each question's counts, the satisfaction rate ((非常满意 + 满意) ÷ valid
// answers), and per branch the response and satisfaction rates.
func SurveyText(cat *locales.Catalog, l locales.Lang, loc *time.Location, sv *models.Survey, f SurveyFigures) string {
	sep := cat.T(l, "list.separator")
	lines := []string{cat.T(l, "survey.results.title", "Title", sv.Title, "Anonymous", sv.Anonymous),
		cat.T(l, "survey.results.response", "Answered", f.Answered, "Asked", f.Asked, "Rate", pct(f.Answered, f.Asked))}
	if f.Hidden {
		return strings.Join(append(lines, cat.T(l, "survey.results.hidden", "Min", MinBranchAnswers)), "\n")
	}
	for _, q := range f.Questions {
		lines = append(lines, "", cat.T(l, "survey.results.question", "N", q.Question.Position, "Text", questionText(cat, l, loc, sv, &q.Question)))
		var counts []string
		for n := 1; n < len(q.Counts); n++ {
			counts = append(counts, cat.T(l, "survey.results.count", "Option", optionLabel(cat, l, q.Question, n), "Count", q.Counts[n]))
		}
		lines = append(lines, strings.Join(counts, sep))
		if q.Question.Kind == models.QuestionSatisfaction {
			lines = append(lines, cat.T(l, "survey.results.satisfaction", "Rate", pct(q.Satisfied, q.Valid), "Satisfied", q.Satisfied, "Valid", q.Valid))
		}
		if len(q.Comments) > 0 {
			lines = append(lines, cat.T(l, "survey.results.comments", "Count", len(q.Comments)))
			for i, c := range q.Comments {
				if i == maxTextComments {
					lines = append(lines, cat.T(l, "survey.results.more_comments", "Count", len(q.Comments)-maxTextComments))
					break
				}
				lines = append(lines, cat.T(l, "survey.results.comment", "Text", c.Text, "Name", c.Name))
			}
		}
	}
	if len(f.Branches) > 1 || (len(f.Branches) == 1 && f.Branches[0].Folded) {
		lines = append(lines, "", cat.T(l, "survey.results.by_branch"))
		for _, b := range f.Branches {
			lines = append(lines, cat.T(l, "survey.results.branch", "Branch", branchLabel(cat, l, b), "Answered", b.Answered, "Asked", b.Asked,
				"Rate", pct(b.Answered, b.Asked), "Satisfaction", pct(b.Satisfied, b.Valid)))
		}
	}
	return strings.Join(lines, "\n")
}

// SurveyTables are a survey's results as tables for an export: the
// counts per question and branch, and in a named survey each member's
// answers (an anonymous survey has no such table: its answers have no
// member).
func SurveyTables(cat *locales.Catalog, l locales.Lang, loc *time.Location, sv *models.Survey, f SurveyFigures, named []store.NamedSurveyAnswer) []roster.Table {
	res := roster.Table{Sheet: cat.T(l, "survey.sheet.results")}
	res.Headers = []string{cat.T(l, "survey.col.question"), cat.T(l, "survey.col.answer"), cat.T(l, "survey.col.count")}
	res.Rows = append(res.Rows, []string{cat.T(l, "survey.col.response"), strconv.Itoa(f.Answered) + "/" + strconv.Itoa(f.Asked), pct(f.Answered, f.Asked)})
	if f.Hidden {
		res.Rows = append(res.Rows, []string{cat.T(l, "survey.results.hidden", "Min", MinBranchAnswers), "", ""})
		return []roster.Table{res}
	}
	for _, q := range f.Questions {
		label := strconv.Itoa(q.Question.Position) + ". " + questionText(cat, l, loc, sv, &q.Question)
		for n := 1; n < len(q.Counts); n++ {
			res.Rows = append(res.Rows, []string{label, optionLabel(cat, l, q.Question, n), strconv.Itoa(q.Counts[n])})
		}
		if q.Question.Kind == models.QuestionSatisfaction {
			res.Rows = append(res.Rows, []string{label, cat.T(l, "survey.col.satisfaction"), pct(q.Satisfied, q.Valid)})
		}
	}
	branches := roster.Table{Sheet: cat.T(l, "survey.sheet.branches"), Headers: []string{cat.T(l, "import.column.branch"),
		cat.T(l, "survey.col.asked"), cat.T(l, "survey.col.answered"), cat.T(l, "survey.col.rate"), cat.T(l, "survey.col.satisfaction")}}
	for _, b := range f.Branches {
		branches.Rows = append(branches.Rows, []string{branchLabel(cat, l, b), strconv.Itoa(b.Asked), strconv.Itoa(b.Answered),
			pct(b.Answered, b.Asked), pct(b.Satisfied, b.Valid)})
	}
	tables := []roster.Table{res, branches}
	comments := roster.Table{Sheet: cat.T(l, "survey.sheet.comments"), Headers: []string{cat.T(l, "survey.col.question"), cat.T(l, "survey.col.comment")}}
	if !sv.Anonymous {
		comments.Headers = append(comments.Headers, cat.T(l, "import.column.name"), cat.T(l, "import.column.branch"))
	}
	for _, q := range f.Questions {
		for _, c := range q.Comments {
			row := []string{strconv.Itoa(q.Question.Position) + ". " + questionText(cat, l, loc, sv, &q.Question), c.Text}
			if !sv.Anonymous {
				row = append(row, c.Name, c.Branch)
			}
			comments.Rows = append(comments.Rows, row)
		}
	}
	if len(comments.Rows) > 0 {
		tables = append(tables, comments)
	}
	if !sv.Anonymous {
		ans := roster.Table{Sheet: cat.T(l, "survey.sheet.answers"), Headers: []string{cat.T(l, "import.column.name"),
			cat.T(l, "import.column.phone"), cat.T(l, "import.column.branch")}}
		for _, q := range sv.Questions {
			ans.Headers = append(ans.Headers, strconv.Itoa(q.Position)+". "+questionText(cat, l, loc, sv, &q))
		}
		var row []string
		last := ""
		for _, a := range named {
			key := a.Name + "\x00" + a.Phone
			if key != last {
				if row != nil {
					ans.Rows = append(ans.Rows, row)
				}
				row = make([]string, 3+len(sv.Questions))
				row[0], row[1], row[2] = a.Name, models.DisplayPhone(a.Phone), a.Branch
				last = key
			}
			if q := sv.Question(a.Position); q != nil && a.Choice >= 1 && a.Choice <= q.Choices() {
				row[2+a.Position] = optionLabel(cat, l, *q, a.Choice)
			}
		}
		if row != nil {
			ans.Rows = append(ans.Rows, row)
		}
		tables = append(tables, ans)
	}
	return tables
}
