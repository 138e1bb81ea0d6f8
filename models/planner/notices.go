package planner

import (
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
)

// Broadcast is an organizer's notice to its audience, in their own words.
func Broadcast(b *models.Broadcast, to models.Audience) Message {
	return Message{Kind: KindBroadcast, Subject: Subject{BroadcastID: b.ID}, To: to,
		Text: b.Text, PhotoFileID: b.PhotoFileID, DocumentFileID: b.DocumentFileID, NotBefore: b.SendAt}
}

// BroadcastProgress is the message the dispatcher keeps editing as a
// broadcast goes out (sent / total), to the organizer who sent it.
func BroadcastProgress(b *models.Broadcast, organizerID uint) Message {
	m := Message{Kind: KindBroadcastProgress, Subject: Subject{BroadcastID: b.ID}, To: models.MembersAudience(organizerID),
		Template: "broadcast.progress", NotBefore: b.SendAt}
	m.Args.Int("Sent", 0).Int("Total", b.Total)
	return m
}

// BroadcastCounts is how a broadcast ended, for its report.
type BroadcastCounts struct {
	Total, Delivered, Blocked, Failed int
}

// BroadcastReport tells the organizer how the broadcast ended: delivered,
// blocked, failed.
func BroadcastReport(b *models.Broadcast, organizerID uint, c BroadcastCounts, now time.Time) Message {
	m := Message{Kind: KindBroadcastReport, Subject: Subject{BroadcastID: b.ID}, To: models.MembersAudience(organizerID),
		Template: "broadcast.report", NotBefore: now}
	m.Args.Int("Total", c.Total).Int("Delivered", c.Delivered).Int("Blocked", c.Blocked).Int("Failed", c.Failed)
	return m
}

// JoinRequest asks the organizers who decide for the branch (at path) to
// approve or decline a stranger's request.
func JoinRequest(jr *models.JoinRequest, path, username string, now time.Time) Message {
	m := Message{Kind: KindJoinRequest, Subject: Subject{JoinRequestID: jr.ID}, To: models.OrganizersAudience(path),
		Template: "join.ask_organizer", NotBefore: now}
	m.Args.Str("Name", jr.Name).Str("Username", username).Str("Branch", path)
	if jr.Phone != nil {
		m.Args.Str("Phone", *jr.Phone)
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
	m := Message{Kind: KindJoinDecision, Subject: Subject{JoinRequestID: jr.ID}, NotBefore: now}
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

// RecordAsk asks the organizer who made a branch activity (or those who
// decide for its branch) to complete its record, the day after.
func RecordAsk(e *models.Event, occ time.Time, branch string, attendance int, now time.Time) Message {
	to := models.OrganizersAudience(branch)
	if e.CreatedBy != nil {
		to = models.MembersAudience(*e.CreatedBy)
	}
	m := Message{Kind: KindRecordAsk, Subject: Subject{EventID: e.ID, Occurrence: occ}, To: to, Template: "record.ask",
		Args: EventArgs(e, occ), NotBefore: now}
	m.Args.Int("Came", attendance)
	m.Markup = Markup{Inline: [][]models.ButtonSpec{{{Key: "record.button.write",
		Data: models.Callback{Action: models.ActRecord, Event: e.ID, Occ: occ, Op: "s"}.Encode()}}}}
	expires := occ.Add(14 * 24 * time.Hour).UTC()
	m.ExpiresAt = &expires
	return m
}
