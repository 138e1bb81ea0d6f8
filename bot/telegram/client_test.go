package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/models/budget"
)

// TestClientRetriesA429: a reply answered 429 waits retry_after and goes
// again with the same body; calls that are not messages are not counted.
func TestClientRetriesA429(t *testing.T) {
	var calls atomic.Int32
	var bodies []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(raw))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/sendMessage") && calls.Add(1) == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`)
			return
		}
		io.WriteString(w, `{"ok":true,"result":{}}`)
	}))
	defer srv.Close()
	b := budget.New(budget.NewMemory(30, time.Millisecond, time.Minute), nil)
	c := &telegram.Client{Base: srv.Client(), Budget: b, Class: budget.Reply}
	body, ctype := multipartBody(t, map[string]string{"chat_id": "42", "text": "你好"})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/botT/sendMessage", bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ OK bool }
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if !out.OK || calls.Load() != 2 {
		t.Fatalf("after a 429: ok=%v, %d calls", out.OK, calls.Load())
	}
	if d := time.Since(start); d < time.Second {
		t.Fatalf("sent again %v after a 429 with retry_after 1", d)
	}
	if bodies[0] != bodies[1] || !strings.Contains(bodies[1], "你好") {
		t.Fatal("the retry did not carry the same body")
	}
	// getUpdates passes straight through, even while the budget is paused.
	b.Pause(context.Background(), 5*time.Second)
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/botT/getUpdates", nil)
	start = time.Now()
	if resp, err := c.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("getUpdates waited %v for the send budget", d)
	}
}

func multipartBody(t testing.TB, fields map[string]string) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

func TestChatOf(t *testing.T) {
	body, ctype := multipartBody(t, map[string]string{"text": "x", "chat_id": "-100123"})
	form := url.Values{"chat_id": {"77"}}.Encode()
	for _, c := range []struct {
		ctype string
		body  string
		want  int64
	}{
		{ctype, string(body), -100123},
		{"application/x-www-form-urlencoded", form, 77},
		{"application/json", `{"chat_id": 123456789, "text": "x"}`, 123456789},
		{"application/json", `{"chat_id": "55"}`, 55},
		{"application/json", `{"chat_id": "@channel"}`, 0},
		{"application/json", `{"inline_message_id": "abc"}`, 0},
		{"text/plain", "chat_id=5", 0},
		{"multipart/form-data; boundary=x", "garbage", 0},
	} {
		if got := telegram.ChatOf(c.ctype, []byte(c.body)); got != c.want {
			t.Errorf("ChatOf(%q, %q) = %d, want %d", c.ctype, c.body, got, c.want)
		}
	}
	for _, m := range []struct {
		method string
		counts bool
	}{{"sendMessage", true}, {"sendPhoto", true}, {"editMessageText", true}, {"copyMessage", true},
		{"sendChatAction", false}, {"answerCallbackQuery", false}, {"getUpdates", false}, {"setWebhook", false}} {
		if telegram.Counts(m.method) != m.counts {
			t.Errorf("Counts(%s) = %v", m.method, !m.counts)
		}
	}
}

// FuzzChatOf: no body or content type makes the parser panic.
func FuzzChatOf(f *testing.F) {
	body, ctype := multipartBody(f, map[string]string{"chat_id": "42"})
	f.Add(ctype, body)
	f.Add("application/json", []byte(`{"chat_id":1}`))
	f.Add("application/x-www-form-urlencoded", []byte("chat_id=1&text=%E4"))
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		_ = telegram.ChatOf(ctype, body)
	})
}
