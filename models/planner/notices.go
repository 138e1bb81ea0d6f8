package planner

import (
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// Broadcast is an organizer's notice to its audience, in their own words.
func Broadcast(b *models.Broadcast, to models.Audience, sender string, texts map[string]string) Message {
	m := Message{Kind: outbox.KindBroadcast, Subject: Subject{BroadcastID: b.ID}, To: to, Template: "broadcast.notice",
		PhotoFileID: b.PhotoFileID, DocumentFileID: b.DocumentFileID, NotBefore: b.SendAt}
	// Members see who sends it: the organizer and the branch it is for, or
	// the association; each reads the text in their language when it has
	// several.
	if len(texts) > 0 {
		m.Args.Text("Text", texts)
	} else {
		m.Args.Str("Text", b.Text)
	}
	if sender != "" {
		m.Args.Str("Sender", Clip(sender, 40))
	} else {
		m.Args.Key("Sender", "broadcast.association")
	}
	branch, _ := to.IsBranch()
	m.Args.Str("Branch", Clip(branch, 60))
	return m
}

// BroadcastProgress is the message the dispatcher keeps editing as a
// broadcast goes out (sent / total), to the organizer who sent it.
func BroadcastProgress(b *models.Broadcast, organizerID uint) Message {
	m := Message{Kind: outbox.KindBroadcastProgress, Subject: Subject{BroadcastID: b.ID}, To: models.MembersAudience(organizerID),
		Template: "broadcast.progress", NotBefore: b.SendAt}
	m.Args.Int("Sent", 0).Int("Total", b.Total)
	return m
}

// BroadcastCounts is how a broadcast ended, for its report.
type BroadcastCounts struct {
	Total, Delivered, Blocked, Failed int
	BySMS                             int // of Delivered, by SMS
	NoTemplate                        int // to go by SMS, with no template: not sent
}

// BroadcastReport tells the organizer how the broadcast ended: delivered,
// blocked, failed.
func BroadcastReport(b *models.Broadcast, organizerID uint, c BroadcastCounts, now time.Time) Message {
	m := Message{Kind: outbox.KindBroadcastReport, Subject: Subject{BroadcastID: b.ID}, To: models.MembersAudience(organizerID),
		Template: "broadcast.report", NotBefore: now}
	m.Args.Int("Total", c.Total).Int("Delivered", c.Delivered).Int("Blocked", c.Blocked).Int("Failed", c.Failed).
		Int("BySMS", c.BySMS).Int("NoTemplate", c.NoTemplate)
	return m
}

// JoinRequest asks the organizers who decide for the branch (at path) to
// approve or decline a stranger's request.
func JoinRequest(jr *models.JoinRequest, path, username string, now time.Time) Message {
	m := Message{Kind: outbox.KindJoinRequest, Subject: Subject{JoinRequestID: jr.ID}, To: models.OrganizersAudience(path),
		Template: "join.ask_organizer", NotBefore: now}
	m.Args.Str("Name", jr.Name).Str("Username", username).Str("Branch", path)
	if jr.Phone != nil {
		m.Args.Str("Phone", models.DisplayPhone(*jr.Phone))
	} else {
		m.Args.Key("Phone", "join.no_phone")
	}
	m.Markup = Markup{Inline: [][]models.ButtonSpec{{
		{Key: "button.approve", Data: models.Callback{Action: models.ActJoinDecide, Op: "a", ID: jr.ID}.Encode()},
		{Key: "button.decline", Data: models.Callback{Action: models.ActJoinDecide, Op: "d", ID: jr.ID}.Encode()},
	}}}
	return m
}

// JoinDecision tells the applicant what was decided: approved, as the
// member they now are, with the members' keyboard; declined, in the language
// they asked in, with the strangers' keyboard.
func JoinDecision(jr *models.JoinRequest, path string, now time.Time) Message {
	m := Message{Kind: outbox.KindJoinDecision, Subject: Subject{JoinRequestID: jr.ID}, NotBefore: now}
	m.Args.Str("Name", jr.Name).Str("Branch", path)
	if jr.Status == models.JoinApproved && jr.MemberID != nil {
		m.To, m.Template, m.Markup = models.MembersAudience(*jr.MemberID), "join.approved", Markup{Keyboard: MemberKeys}
		return m
	}
	lang, ok := locales.Parse(jr.Lang)
	if !ok {
		lang = ""
	}
	m.Chat = &Recipient{ChatID: jr.ChatID, Lang: lang}
	m.Template, m.Markup = "join.declined", Markup{Keyboard: StrangerKeys}
	return m
}

// RecordAsk asks to (the organizer who made a branch activity, or those of
// its branch) to complete its record once it is over.
func RecordAsk(e *models.Event, occ time.Time, to models.Audience, attendance int, now time.Time) Message {
	m := Message{Kind: outbox.KindRecordAsk, Subject: Subject{EventID: e.ID, Occurrence: occ}, To: to, Template: "record.ask",
		Args: EventArgs(e, occ), NotBefore: now}
	m.Args.Int("Came", attendance)
	m.Markup = Markup{Inline: [][]models.ButtonSpec{{{Key: "record.button.write",
		Data: models.Callback{Action: models.ActRecord, Event: e.ID, Occ: occ, Op: "s"}.Encode()}}}}
	expires := occ.Add(14 * 24 * time.Hour).UTC()
	m.ExpiresAt = &expires
	return m
}

// DigestEvent is an occurrence in an organizer's coming week with its
// answers so far (yes, maybe, no, waitlist, guests).
type DigestEvent struct {
	Event      *models.Event
	Occurrence time.Time
	Counts     map[string]int
}

// Digest is what an organizer's weekly digest tells (SPEC C8).
type Digest struct {
	Events      []DigestEvent   // the coming week's occurrences of the events they manage
	Overdue     []OverdueItem   // their members' plans that became overdue in the week before
	Unreachable []models.Member // their members who became unreachable in the week before (with Branch)
	NoActivity  []string        // their branches with no activity day yet this quarter
	Duties      []models.Plan   // their own open duties (with Kind)
	Surveys     []DigestSurvey  // open surveys to their branches, with their response
	// Visits: their branches' home visits this quarter so far, made and
	// missed (SPEC C14).
	VisitsDone, VisitsMissed int
}

// DigestSurvey is an open survey's response so far.
type DigestSurvey struct {
	Title           string
	Answered, Asked int
}

// Empty reports whether there is nothing to tell.
func (d *Digest) Empty() bool {
	return len(d.Events)+len(d.Overdue)+len(d.Unreachable)+len(d.NoActivity)+len(d.Duties)+len(d.Surveys)+d.VisitsDone+d.VisitsMissed == 0
}

// maxDigestSection bounds each part of the weekly digest; the rest is
// counted (the full lists are /overdue, /stats and the exports). digestText
// bounds a title, name or branch in it: five parts of ten lines stay
// within Telegram's 4096 characters.
const (
	maxDigestSection = 10
	digestText       = 40
)

// WeeklyDigest is an organizer's Monday message: the coming week's events
// with their answers, plans newly overdue, members who became unreachable,
// branches with no activity yet this quarter, and their own open duties.
// week is the Monday it is for: one a week.
func WeeklyDigest(to uint, week models.Day, d *Digest, now time.Time) Message {
	m := Message{Kind: outbox.KindWeeklyDigest, Slot: week.Format("20060102"), To: models.MembersAudience(to),
		Template: "digest.weekly", NotBefore: now}
	var body []Line
	section := func(header string, n int, line func(i int) Line) {
		if n == 0 {
			return
		}
		var h Args
		h.Int("Count", n)
		body = append(body, Line{Key: header, Args: h})
		for i := 0; i < n; i++ {
			if i == maxDigestSection {
				var more Args
				more.Int("Count", n-i)
				body = append(body, Line{Key: "digest.more", Args: more})
				break
			}
			body = append(body, line(i))
		}
	}
	section("digest.section.events", len(d.Events), func(i int) Line {
		ev := d.Events[i]
		a := EventArgs(ev.Event, ev.Occurrence)
		a.Str("Title", Clip(ev.Event.Title, digestText))
		a.Int("Yes", ev.Counts[string(models.AnswerYes)]).Int("Maybe", ev.Counts[string(models.AnswerMaybe)]).
			Int("No", ev.Counts[string(models.AnswerNo)])
		return Line{Key: "digest.event_line", Args: a}
	})
	section("digest.section.overdue", len(d.Overdue), func(i int) Line {
		it := d.Overdue[i]
		var a Args
		a.Str("Name", Clip(it.Name, digestText)).Text("Kind", clipNames(it.Kind.Names())).Date("DueAt", it.Plan.NextDue)
		return Line{Key: "check.overdue_line", Args: a}
	})
	section("digest.section.unreachable", len(d.Unreachable), func(i int) Line {
		mem := d.Unreachable[i]
		var a Args
		a.Str("Name", Clip(mem.Name, digestText)).Str("Branch", Clip(mem.BranchPath(), digestText))
		return Line{Key: "digest.unreachable_line", Args: a}
	})
	section("digest.section.no_activity", len(d.NoActivity), func(i int) Line {
		var a Args
		a.Str("Branch", Clip(d.NoActivity[i], digestText))
		return Line{Key: "digest.branch_line", Args: a}
	})
	section("digest.section.duties", len(d.Duties), func(i int) Line {
		p := d.Duties[i]
		var a Args
		a.Text("Kind", clipNames(p.Kind.Names())).Date("DueAt", p.NextDue)
		return Line{Key: "digest.duty_line", Args: a}
	})
	section("digest.section.surveys", len(d.Surveys), func(i int) Line {
		sv := d.Surveys[i]
		var a Args
		a.Str("Title", Clip(sv.Title, digestText)).Int("Answered", sv.Answered).Int("Asked", sv.Asked)
		if sv.Asked > 0 {
			a.Int("Rate", (100*sv.Answered+sv.Asked/2)/sv.Asked)
		}
		return Line{Key: "digest.survey_line", Args: a}
	})
	if n := d.VisitsDone + d.VisitsMissed; n > 0 {
		section("digest.section.visits", 1, func(int) Line {
			var a Args
			a.Int("Done", d.VisitsDone).Int("Missed", d.VisitsMissed).Int("Rate", (100*d.VisitsDone+n/2)/n)
			return Line{Key: "digest.visits_line", Args: a}
		})
	}
	m.Args.Date("Week", week).List("Body", body)
	return m
}

// DigestHour is when on Monday the weekly digest goes out
// (SpecWeeklyDigest).
const DigestHour = 9

// DigestDue reports whether the weekly digest is due at now (a Monday from
// 09:00 in loc, as SpecWeeklyDigest runs it), and for which Monday.
func DigestDue(now time.Time, loc *time.Location) (models.Day, bool) {
	local := now.In(loc)
	return models.DayOf(local, loc), local.Weekday() == time.Monday && local.Hour() >= DigestHour
}
