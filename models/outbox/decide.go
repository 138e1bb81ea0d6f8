package outbox

import (
	"slices"
	"time"

	"github.com/assocbot/assocbot/models"
)

// Reachable are the statuses of the members a kind of message goes to by
// Telegram: the active, and the muted too for what muting does not stop.
func (k Kind) Reachable() []models.Status {
	if k.Mutable() {
		return []models.Status{models.StatusActive}
	}
	return []models.Status{models.StatusActive, models.StatusMuted}
}

// Reaches reports whether a message of kind k goes to member m by Telegram
// (nil: the member was removed), and when not, why: the member is gone, has
// left, blocked the bot, or muted the kind.
func Reaches(k Kind, m *models.Member) (bool, Reason) {
	switch {
	case m == nil:
		return false, ReasonNoMember
	case slices.Contains(k.Reachable(), m.Status):
		return true, ReasonNone
	case m.Status == models.StatusUnreachable:
		return false, ReasonUnreachable
	case m.Status == models.StatusLeft:
		return false, ReasonLeft
	case m.Status == models.StatusMuted:
		return false, ReasonMuted
	}
	return false, ReasonUnreachable // a status this rule does not know reaches no one
}

// Route is the one rule of the channel a message of kind k takes to member
// m now (SPEC C12), for the store as it plans and the dispatcher as it
// sends: Telegram when the member is linked and reachable and not set to
// SMS; else SMS when the deployment has it (sms), the kind may go by SMS,
// and the member has a phone, has not stopped SMS, is not set to Telegram
// only, and has not left or muted the kind; else none, with why. A member
// who blocked the bot (unreachable) is reached by SMS.
func Route(k Kind, m *models.Member, sms bool) (Channel, Reason) {
	if m == nil {
		return "", ReasonNoMember
	}
	ok, why := Reaches(k, m)
	if ok && m.ChatID != nil && m.Channel != models.ChannelSMS {
		return ByTelegram, ReasonNone
	}
	if why == ReasonLeft || why == ReasonMuted || why == ReasonNoMember {
		return "", why
	}
	switch {
	case !sms || !k.SMS() || m.Phone == nil || m.Channel == models.ChannelTelegram:
	case m.SMSStopped():
		return "", ReasonSMSStopped
	default:
		return BySMS, ReasonNone
	}
	if why == ReasonNone {
		why = ReasonNoChannel // linked to nothing this kind can take
	}
	return "", why
}

// Action is what becomes of a row when its time comes.
type Action int

// The actions.
const (
	Send   Action = iota // it goes out now
	Hold                 // it waits until Decision.Until (quiet hours)
	Skip                 // it is never sent (Decision.Reason says why)
	Expire               // it is past its expiry: stale, never sent
)

func (a Action) String() string {
	return [...]string{"send", "hold", "skip", "expire"}[a]
}

// Decision is the fate of a row at one moment.
type Decision struct {
	Action  Action
	Channel Channel   // for Send: how it goes (Route), Telegram for a row without a member
	Until   time.Time // for Hold: when it may go
	Reason  Reason    // for Skip and Expire
}

// Status is the row's status after the decision (Send: still to be sent).
func (d Decision) Status() Status {
	switch d.Action {
	case Skip:
		return Skipped
	case Expire:
		return Stale
	}
	return Pending
}

// Withdrawn is the fate of a row withdrawn with its subject (an event
// cancelled or moved, a check done, a notice called off): skipped, never
// sent. Decide gives it to a row claimed before; the store writes it on
// the rows still waiting (store.withdraw).
var Withdrawn = Decision{Action: Skip, Reason: ReasonWithdrawn}

// Rules are the deployment's settings the decision applies.
type Rules struct {
	Quiet QuietHours
	Zone  *time.Location // the association's zone; a member's own zone comes first
	SMS   bool           // the deployment sends SMS (a provider is configured)
}

// Decide is the one rule of what becomes of a row at now, for the
// dispatcher as it sends and for a preview of what will be sent alike:
// past its expiry it is stale; to a member no channel reaches now (removed,
// left, muted for a kind that muting stops, blocked with no SMS) or
// withdrawn with its subject it is skipped; it goes by the channel Route
// gives now (a member who blocked the bot since it was planned gets it by
// SMS); in the member's quiet hours a row that is not
// urgent holds until they end; else it goes. member is the row's member as
// of now (nil for a row without one, or a member removed since: see
// Row.MemberID).
func (r Rules) Decide(row *Row, member *models.Member, withdrawn bool, now time.Time) Decision {
	if row.ExpiresAt != nil && !now.Before(*row.ExpiresAt) {
		return Decision{Action: Expire, Reason: ReasonStale}
	}
	channel := ByTelegram
	if row.MemberID != nil {
		var reason Reason
		if channel, reason = r.route(row, member); channel == "" {
			return Decision{Action: Skip, Reason: reason}
		}
	}
	if withdrawn {
		return Withdrawn
	}
	if !row.Urgent {
		zone := r.Zone
		if zone == nil {
			zone = time.UTC
		}
		if local := now.In(member.Zone(zone)); r.Quiet.Contains(local) {
			return Decision{Action: Hold, Until: r.Quiet.End(local)}
		}
	}
	return Decision{Action: Send, Channel: channel}
}

// route is the channel of a member's row now: Route's, except that an
// edit in place of a Telegram message stays on Telegram or goes nowhere
// (an edit cannot become an SMS).
func (r Rules) route(row *Row, m *models.Member) (Channel, Reason) {
	c, why := Route(Kind(row.Kind), m, r.SMS)
	if c == BySMS && row.EditMessageID != 0 && !row.SendIfUneditable {
		return "", ReasonUnreachable
	}
	return c, why
}
