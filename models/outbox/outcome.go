package outbox

// Verdict is what became of one attempt to send a row, as its channel
// sorted the answer (the Telegram edge's Classify, for one). A channel
// waits out its provider's "too fast" answers itself: no verdict asks the
// dispatcher to.
type Verdict int

// The verdicts.
const (
	Delivered    Verdict = iota
	Retry                // 5xx, timeouts, network: back off, bounded
	Unreachable          // blocked, chat not found: nothing more to this chat
	Fail                 // another refusal: this message cannot be sent
	Interrupted          // our own shutdown: give the message back
	Unchanged            // an edit to what the message already says: done
	TokenRefused         // the provider refuses our credentials; nothing can be sent until they are fixed
	Uneditable           // an edit of a message that can no longer be edited (deleted, too old): send it anew, or let it be
	CalledOff            // its turn came and the sender called it off (Message.Ready): nothing left
	Deferred             // the channel could not take a turn (its own state failed): later, no attempt counted
)

// Outcome is one sorted answer.
type Outcome struct {
	Verdict Verdict
	Reason  Reason
}
