package outbox

import "slices"

// Kind is what a message is. Its string is stored in outbox.kind.
type Kind string

// The kinds of message the association starts.
const (
	KindEventAnnounce     Kind = "event.announce"
	KindEventReminder     Kind = "event.reminder"
	KindEventDeadline     Kind = "event.deadline"
	KindEventNudge        Kind = "event.nudge"
	KindEventRating       Kind = "event.rate"
	KindEventChanged      Kind = "event.changed"
	KindEventCancelled    Kind = "event.cancelled"
	KindEventEdit         Kind = "event.edit" // a copy of an event's message edited in place (CopyEdit, CopyCancel)
	KindPromoted          Kind = "rsvp.promoted"
	KindBroadcast         Kind = "broadcast"
	KindBroadcastProgress Kind = "broadcast.progress"
	KindBroadcastReport   Kind = "broadcast.report"
	KindJoinRequest       Kind = "join.request"
	KindJoinDecision      Kind = "join.decision"
	KindCheckReminder     Kind = "check.reminder"
	KindCheckSubmitted    Kind = "check.submitted"
	KindCheckDecision     Kind = "check.decision"
	KindCheckOverdue      Kind = "check.overdue"
	KindRecordAsk         Kind = "record.ask"
	KindWeeklyDigest      Kind = "digest.weekly"
	KindSMSAck            Kind = "sms.ack"        // to a member who answered by SMS: what was stored
	KindSMSReply          Kind = "sms.reply"      // a member's SMS the bot does not understand, to their organizers
	KindSMSAlert          Kind = "sms.alert"      // to the admins: the SMS cap, balance or a refused template
	KindSurveyAsk         Kind = "survey.ask"     // a survey's question (the first, or by SMS the next)
	KindSurveyRemind      Kind = "survey.remind"  // to those who have not finished, before it closes
	KindVisitList         Kind = "visit.list"     // a cadre's visits to make, one message a day
	KindVisitMissed       Kind = "visit.missed"   // to a branch's organizers: visits not made in their window
	KindInquiry           Kind = "inquiry.ask"    // a member's question, to the organizers who answer it
	KindInquiryAnswer     Kind = "inquiry.answer" // an organizer's answer, to the member who asked
	KindInquiryList       Kind = "inquiry.list"   // to an organizer: questions waiting a day or more
)

type kindInfo struct {
	urgent  bool // goes out in quiet hours too
	mutable bool // a muted member does not get it
	sms     bool // may go by SMS, as an approved template (SPEC C12)
}

// kinds: reminders and notices wait for the morning and respect a mute;
// what someone is waiting for (a decision, a report, a freed place, a
// change or a cancellation) comes at once and reaches muted members too.
var kinds = map[Kind]kindInfo{
	KindEventAnnounce:     {mutable: true, sms: true},
	KindEventReminder:     {mutable: true, sms: true},
	KindEventDeadline:     {mutable: true, sms: true},
	KindEventNudge:        {mutable: true, sms: true},
	KindEventRating:       {mutable: true},
	KindEventChanged:      {urgent: true, sms: true},
	KindEventCancelled:    {urgent: true, sms: true},
	KindEventEdit:         {urgent: true}, // an edit rings no bell; its stand-in notice is a change's
	KindPromoted:          {urgent: true, sms: true},
	KindBroadcast:         {mutable: true, sms: true},
	KindBroadcastProgress: {urgent: true},
	KindBroadcastReport:   {urgent: true},
	KindJoinRequest:       {},
	KindJoinDecision:      {urgent: true},
	KindCheckReminder:     {mutable: true, sms: true},
	KindCheckSubmitted:    {},
	KindCheckDecision:     {},
	KindCheckOverdue:      {},
	KindRecordAsk:         {},
	KindWeeklyDigest:      {},
	KindSMSAck:            {urgent: true, sms: true},
	KindSMSReply:          {},
	KindSMSAlert:          {urgent: true},
	KindSurveyAsk:         {mutable: true, sms: true},
	KindSurveyRemind:      {mutable: true, sms: true},
	KindVisitList:         {},
	KindVisitMissed:       {},
	KindInquiry:           {},
	KindInquiryAnswer:     {urgent: true, sms: true},
	KindInquiryList:       {},
}

// Urgent reports whether messages of the kind ignore quiet hours.
func (k Kind) Urgent() bool { return kinds[k].urgent }

// SMS reports whether messages of the kind may go by SMS: what a member
// is told and can answer by a digit. What organizers act on in the bot
// (requests, reports, digests, edits in place) goes by Telegram only.
func (k Kind) SMS() bool { return kinds[k].sms }

// Mutable reports whether a member who muted reminders is spared the kind.
func (k Kind) Mutable() bool { return kinds[k].mutable }

// WithdrawnWithEvent lists the kinds of message about an event that are
// withdrawn, while still waiting, when the event is cancelled: everything
// but the notices of its changes and of the cancellation itself.
func WithdrawnWithEvent() []Kind {
	return []Kind{KindEventAnnounce, KindEventReminder, KindEventDeadline, KindEventNudge, KindEventRating, KindPromoted}
}

// WithdrawnWithEvent reports whether messages of the kind are withdrawn
// when their event is cancelled.
func (k Kind) WithdrawnWithEvent() bool {
	for _, w := range WithdrawnWithEvent() {
		if k == w {
			return true
		}
	}
	return false
}

// Kinds lists every kind, in order of name.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, ok := kinds[k]; return ok }
