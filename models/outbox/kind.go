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
)

type kindInfo struct {
	urgent  bool // goes out in quiet hours too
	mutable bool // a muted member does not get it
}

// kinds: reminders and notices wait for the morning and respect a mute;
// what someone is waiting for (a decision, a report, a freed place, a
// change or a cancellation) comes at once and reaches muted members too.
var kinds = map[Kind]kindInfo{
	KindEventAnnounce:     {mutable: true},
	KindEventReminder:     {mutable: true},
	KindEventDeadline:     {mutable: true},
	KindEventNudge:        {mutable: true},
	KindEventRating:       {mutable: true},
	KindEventChanged:      {urgent: true},
	KindEventCancelled:    {urgent: true},
	KindEventEdit:         {urgent: true}, // an edit rings no bell; its stand-in notice is a change's
	KindPromoted:          {urgent: true},
	KindBroadcast:         {mutable: true},
	KindBroadcastProgress: {urgent: true},
	KindBroadcastReport:   {urgent: true},
	KindJoinRequest:       {},
	KindJoinDecision:      {urgent: true},
	KindCheckReminder:     {mutable: true},
	KindCheckSubmitted:    {},
	KindCheckDecision:     {},
	KindCheckOverdue:      {},
	KindRecordAsk:         {},
	KindWeeklyDigest:      {},
}

// Urgent reports whether messages of the kind ignore quiet hours.
func (k Kind) Urgent() bool { return kinds[k].urgent }

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
