package planner

import (
	"strconv"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// VisitItem is one visit as a cadre's list shows it.
type VisitItem struct {
	ID        uint
	Name      string // the family's member
	Household string
	Kind      models.VisitKind
	By        models.Day
	Branch    string // the family's branch path
}

// VisitLines are a list's lines for a reader with scope: a line names the
// visit's kind only when the reader organizes the family's branch — what
// kind of visit a family needs (a birth, a family in difficulty) is the
// family's private fact, and a centre household (or anyone else) learns
// no more than "visit this family".
func VisitLines(items []VisitItem, scope models.Scope, more string) []Line {
	return digestLines(items, more, func(it VisitItem) Line {
		var a Args
		a.Str("Name", Clip(it.Name, digestText)).Str("Household", it.Household).Date("By", it.By)
		key := "visit.line_private"
		if scope.Admin || (it.Branch != "" && scope.Covers(it.Branch)) {
			key = "visit.line"
			a.Key("Kind", "visit.kind."+string(it.Kind))
		}
		return Line{Key: key, Args: a}
	})
}

// VisitButtons are a list's ✅ buttons, one a visit (at most
// maxDigestButtons).
func VisitButtons(items []VisitItem) [][]models.ButtonSpec {
	return digestButtons(items, func(it VisitItem) models.ButtonSpec {
		return models.ButtonSpec{Key: "visit.button.done", Args: map[string]any{"Name": Clip(it.Name, 20)},
			Data: models.Callback{Action: models.ActVisitDone, ID: it.ID}.Encode()}
	})
}

// VisitList is a cadre's one message of the day: the visits whose window
// has begun, each with ✅ to record it made.
func VisitList(cadre uint, scope models.Scope, day models.Day, items []VisitItem, now time.Time) Message {
	m := Message{Kind: outbox.KindVisitList, Slot: day.Format("20060102"), To: models.MembersAudience(cadre),
		Template: "visit.list", NotBefore: now}
	m.Args.Int("Count", len(items)).List("List", VisitLines(items, scope, "visit.more"))
	m.Markup = Markup{Inline: VisitButtons(items)}
	expires := now.Add(24 * time.Hour).UTC()
	m.ExpiresAt = &expires
	return m
}

// VisitsMissed tells a branch's organizers of the visits missed today
// (their window ended undone): the first visit tells one message from
// another the same day.
func VisitsMissed(organizer uint, scope models.Scope, day models.Day, items []VisitItem, now time.Time) Message {
	m := Message{Kind: outbox.KindVisitMissed, Slot: day.Format("20060102") + "." + strconv.FormatUint(uint64(items[0].ID), 10),
		To: models.MembersAudience(organizer), Template: "visit.missed", NotBefore: now}
	m.Args.Int("Count", len(items)).List("List", VisitLines(items, scope, "visit.more_missed"))
	return m
}
