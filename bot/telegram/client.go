package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/models/budget"
)

// Doer is an HTTP client (go-telegram/bot's HttpClient).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Client is the HTTP client under every Bot API call the bot makes: every
// send and edit takes its turn from the send budget (one budget for the
// bot's replies and the dispatcher's sends, on every replica), and a 429 is
// waited out here and only here: the whole budget pauses for its
// retry_after and the message goes again, in a new turn, as often as it
// takes, until the request's context ends. A reply is never dropped for
// going too fast, and no caller handles a 429. A 401 (the token refused)
// holds every send for TokenPause, since all would be refused alike.
// Calls that are not messages (getUpdates, answerCallbackQuery, getMe …)
// go straight through.
type Client struct {
	Base   Doer
	Budget *budget.Budget
	Class  budget.Class
	// TokenPause: after a 401 to a message, how long every send waits (0:
	// no hold).
	TokenPause time.Duration
}

// ErrCalledOff is the error of a message whose sender called it off when
// its turn came (WithReady).
var ErrCalledOff = errors.New("telegram: the send was called off")

// ErrNoTurn is the error of a message that could not take its turn: the
// send budget's store failed.
var ErrNoTurn = errors.New("telegram: no turn to send")

// Turn is what a sender asks of a message's turn (WithTurn).
type Turn struct {
	// Ready is asked when the message's turn has come, just before it
	// leaves: false calls it off (nothing is sent; the call fails with
	// ErrCalledOff). After a 429 pause it is asked again.
	Ready func() bool
	// Timeout bounds the request once it leaves (default
	// budget.SendTimeout, also the most).
	Timeout time.Duration
}

type turnKey struct{}

// WithTurn has the message sent with ctx take its turn as t says.
func WithTurn(ctx context.Context, t Turn) context.Context {
	return context.WithValue(ctx, turnKey{}, t)
}

// Do sends req, taking a turn first when it is a message.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	ctx := req.Context()
	if c.Budget == nil || !Counts(path.Base(req.URL.Path)) {
		return c.other(ctx, req, body)
	}
	chat := ChatOf(req.Header.Get("Content-Type"), body)
	turn, _ := ctx.Value(turnKey{}).(Turn)
	timeout := budget.SendTimeout
	if turn.Timeout > 0 {
		timeout = min(turn.Timeout, timeout)
	}
	for {
		t, err := c.Budget.Take(ctx, c.Class, chat)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", ErrNoTurn, err)
		}
		if turn.Ready != nil && !turn.Ready() {
			t.Done(false)
			return nil, ErrCalledOff
		}
		// A message under way finishes even when its sender stops: cut
		// off, it might have reached Telegram and be sent again.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		r := req.Clone(sctx)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		resp, err := c.Base.Do(r)
		if err != nil {
			cancel()
			t.Done(true) // it may have arrived
			return nil, err
		}
		switch resp.StatusCode {
		case http.StatusTooManyRequests:
			wait := retryAfter(resp)
			cancel()
			t.Done(true)
			c.Budget.Pause(ctx, wait)
			if err := budget.Sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		case http.StatusUnauthorized:
			if c.TokenPause > 0 {
				c.Budget.Hold(ctx, c.TokenPause)
			}
		}
		t.Done(true)
		resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	}
}

// other sends a call that is not a message (or any call, without a
// budget): a 429 to it (setWebhook from replicas starting together) waits
// its retry_after and goes again; nothing else is paused.
func (c *Client) other(ctx context.Context, req *http.Request, body []byte) (*http.Response, error) {
	for {
		r := req.Clone(ctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		resp, err := c.Base.Do(r)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests {
			return resp, err
		}
		if err := budget.Sleep(ctx, retryAfter(resp)); err != nil {
			return nil, err
		}
	}
}

// retryAfter reads parameters.retry_after from a 429's body (1 s when it
// has none), closing the body.
func retryAfter(resp *http.Response) time.Duration {
	defer resp.Body.Close()
	var v struct {
		Parameters struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(raw, &v)
	if v.Parameters.RetryAfter < 1 {
		return time.Second
	}
	return time.Duration(v.Parameters.RetryAfter) * time.Second
}

// Counts reports whether a Bot API method sends or edits a message: those
// are what Telegram limits.
func Counts(method string) bool {
	m := strings.ToLower(method)
	return strings.HasPrefix(m, "send") && m != "sendchataction" ||
		strings.HasPrefix(m, "editmessage") ||
		strings.HasPrefix(m, "copymessage") || strings.HasPrefix(m, "forwardmessage")
}

// ChatOf reads chat_id from a Bot API request body (multipart form, URL
// encoded form or JSON); 0 when it has none or it is a @username.
func ChatOf(contentType string, body []byte) int64 {
	mt, params, _ := mime.ParseMediaType(contentType)
	var raw string
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := r.NextPart()
			if err != nil {
				break
			}
			if p.FormName() == "chat_id" {
				v, _ := io.ReadAll(io.LimitReader(p, 64))
				raw = string(v)
				break
			}
		}
	case mt == "application/x-www-form-urlencoded":
		if q, err := url.ParseQuery(string(body)); err == nil {
			raw = q.Get("chat_id")
		}
	case mt == "application/json":
		var v struct {
			ChatID json.RawMessage `json:"chat_id"`
		}
		if json.Unmarshal(body, &v) == nil {
			raw = strings.Trim(string(v.ChatID), `"`)
		}
	}
	id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// cancelBody ends a send's context once its answer has been read.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
