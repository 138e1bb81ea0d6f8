package budget

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Doer is an HTTP client (go-telegram/bot's HttpClient).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Client is an HTTP client for the Bot API through which every send and
// edit takes its turn from the budget, and one answered 429 waits its
// retry_after and goes again, as often as it takes, until the request's
// context ends: a reply is never dropped for going too fast.
// Calls that are not messages (getUpdates, answerCallbackQuery, getMe …) go
// straight through.
type Client struct {
	Base   Doer
	Budget *Budget
	Class  Class
}

// Do sends req, taking a turn first when it is a message.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if c.Budget == nil || !Counts(path.Base(req.URL.Path)) {
		return c.Base.Do(req)
	}
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	chat := ChatOf(req.Header.Get("Content-Type"), body)
	ctx := req.Context()
	for {
		t, err := c.Budget.Take(ctx, c.Class, chat)
		if err != nil {
			return nil, err
		}
		sctx, cancel := context.WithTimeout(ctx, SendTimeout)
		r := req.Clone(sctx)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		resp, err := c.Base.Do(r)
		if err != nil {
			cancel()
			t.Done(true) // it may have arrived
			return nil, err
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Done(true)
			resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}
		wait := retryAfter(resp)
		cancel()
		t.Done(true)
		c.Budget.Pause(ctx, wait)
		if err := sleepFull(ctx, wait); err != nil {
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
