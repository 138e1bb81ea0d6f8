package planner

import (
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// The admins' SMS alerts (SPEC C12), each sent once per slot.
const (
	SMSAlertNearCap     = "sms.alert.near_cap"     // 80 % of the month's cap used
	SMSAlertCap         = "sms.alert.cap"          // the cap reached: non-urgent SMS stop until the month ends
	SMSAlertPaused      = "sms.alert.paused"       // the provider refuses every SMS (balance, credentials, sign)
	SMSAlertBadTemplate = "sms.alert.bad_template" // the provider refuses a template
)

// SMSAlert tells the admins about SMS: what (one of the SMSAlert keys),
// once per slot (a month, a day and a code).
func SMSAlert(admins []uint, what, slot string, args Args, now time.Time) Message {
	return Message{Kind: outbox.KindSMSAlert, Slot: what + "." + slot, To: models.MembersAudience(admins...),
		Template: what, Args: args, NotBefore: now}
}

// SMSAck tells a member who answered by SMS what was stored (answer: a
// message key, "sms.ack.yes" …) about what (the question's args: an
// event's Title, a check's Kind), once per callback key.
func SMSAck(memberID uint, answer string, about Args, key string, now time.Time) Message {
	m := Message{Kind: outbox.KindSMSAck, Slot: key, To: models.MembersAudience(memberID), Template: "sms.ack", NotBefore: now}
	m.Args.Key("Answer", answer)
	if t := about.Strings["Title"]; t != "" {
		m.Args.Str("Title", Clip(t, 40))
	} else if k := about.Texts["Kind"]; k != nil {
		m.Args.Text("Title", k)
	}
	return m
}
