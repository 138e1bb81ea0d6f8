package smsprovider

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// Channel is SMS as the dispatcher's channel: one template to one phone
// through the provider, the provider's "too fast" answers waited out here
// (like Telegram's 429 in bot/telegram), the final answer sorted by the
// provider's classifier.
type Channel struct {
	p Provider
}

// NewChannel makes the channel.
func NewChannel(p Provider) *Channel { return &Channel{p: p} }

// MaxParam implements dispatch.SMSChannel.
func (c *Channel) MaxParam() int { return c.p.MaxParam() }

// Send implements dispatch.SMSChannel.
func (c *Channel) Send(ctx context.Context, m dispatch.SMS) dispatch.SMSSent {
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	deadline := time.Now().Add(timeout)
	for wait := 500 * time.Millisecond; ; wait *= 2 {
		if ctx.Err() != nil {
			return dispatch.SMSSent{Class: dispatch.SMSInterrupted, Err: ctx.Err()}
		}
		left := time.Until(deadline)
		if left <= 0 {
			return dispatch.SMSSent{Class: dispatch.SMSRetry, Code: CodeNetwork}
		}
		id, code, err := c.p.Send(ctx, m.Phone, m.Template, m.Values, left)
		if code == "" {
			return dispatch.SMSSent{Class: dispatch.SMSDelivered, ProviderID: id}
		}
		res := dispatch.SMSSent{Class: c.p.Classify(code), Code: code, Err: err}
		if res.Class == dispatch.SMSLater {
			res.RetryAfter = retryAfter(code)
		}
		if !c.p.Throttled(code) || time.Until(deadline) < wait {
			return res
		}
		select {
		case <-ctx.Done():
			return dispatch.SMSSent{Class: dispatch.SMSInterrupted, Err: ctx.Err()}
		case <-time.After(wait):
		}
	}
}

// retryAfter is how long a number's limit lasts, by its code's words.
func retryAfter(code string) time.Duration {
	switch code {
	case "LimitExceeded.PhoneNumberThirtySecondLimit":
		return time.Minute
	case "LimitExceeded.PhoneNumberOneHourLimit", "isv.BUSINESS_LIMIT_CONTROL":
		return time.Hour
	}
	return 6 * time.Hour // a daily limit
}
