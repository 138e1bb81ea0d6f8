package budget_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/budget"
)

var ctx = context.Background()

// TestNoSecondHoldsMoreThanTheRate: many senders through three slots; every
// send is stamped when it leaves and when its answer comes. A slot is used
// again only a second after its answer, so no window of one second holds
// more than three departures-after-answers.
func TestNoSecondHoldsMoreThanTheRate(t *testing.T) {
	b := budget.New(budget.NewMemory(3, time.Millisecond, time.Minute), nil)
	var mu sync.Mutex
	var left []time.Time
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < 9; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tk, err := b.Take(ctx, budget.Bulk, int64(100+i))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			left = append(left, time.Now())
			mu.Unlock()
			time.Sleep(20 * time.Millisecond) // the send
			tk.Done(true)
		}(i)
	}
	wg.Wait()
	sort.Slice(left, func(i, j int) bool { return left[i].Before(left[j]) })
	for i := 3; i < len(left); i++ {
		if gap := left[i].Sub(left[i-3]); gap < time.Second {
			t.Fatalf("sends %d and %d left %v apart: four within a second through three slots", i-3, i, gap)
		}
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("nine sends through three slots took %v (about two seconds expected)", took)
	}
}

// TestAChatWaitsItsGap: two messages to one chat leave a gap apart, counted
// from the first one's answer; another chat does not wait.
func TestAChatWaitsItsGap(t *testing.T) {
	b := budget.New(budget.NewMemory(30, 300*time.Millisecond, time.Minute), nil)
	tk, _ := b.Take(ctx, budget.Reply, 7)
	time.Sleep(50 * time.Millisecond)
	answered := time.Now()
	tk.Done(true)
	other := time.Now()
	tk2, _ := b.Take(ctx, budget.Reply, 8)
	if d := time.Since(other); d > 100*time.Millisecond {
		t.Fatalf("another chat waited %v", d)
	}
	tk2.Done(true)
	tk3, _ := b.Take(ctx, budget.Reply, 7)
	if d := time.Since(answered); d < 300*time.Millisecond {
		t.Fatalf("the same chat went again %v after the answer, gap 300 ms", d)
	}
	tk3.Done(true)
}

// TestRepliesGoFirst: with the only slot busy and broadcasts queued for
// it, a reply asking later still gets the next turn.
func TestRepliesGoFirst(t *testing.T) {
	b := budget.New(budget.NewMemory(1, time.Millisecond, time.Minute), nil)
	first, _ := b.Take(ctx, budget.Bulk, 1)
	var order []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	take := func(class budget.Class, chat int64, name string) {
		defer wg.Done()
		tk, err := b.Take(ctx, class, chat)
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		order = append(order, name)
		mu.Unlock()
		tk.Done(true)
	}
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go take(budget.Bulk, int64(10+i), fmt.Sprint("bulk", i))
	}
	time.Sleep(100 * time.Millisecond) // the broadcasts are queued
	wg.Add(1)
	go take(budget.Reply, 99, "reply")
	time.Sleep(100 * time.Millisecond)
	first.Done(true)
	wg.Wait()
	// One broadcast already holds the turn (asking the slots); the reply
	// comes right after it, before the other two.
	if len(order) != 4 || order[1] != "reply" {
		t.Fatalf("order %v: the reply should be first or second", order)
	}
}

// TestASlotNeverGivenBackFreesAfterTheSendTimeout: a sender that died
// mid-send holds its slot only until the longest send would have ended, and
// its late answer does not free the slot someone else holds now.
func TestASlotNeverGivenBackFreesAfterTheSendTimeout(t *testing.T) {
	b := budget.New(budget.NewMemory(1, time.Millisecond, 500*time.Millisecond), nil)
	lost, _ := b.Take(ctx, budget.Bulk, 1)
	start := time.Now()
	next, err := b.Take(ctx, budget.Bulk, 2)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 1500*time.Millisecond {
		t.Fatalf("a slot never given back was reused after %v (stale 500 ms + 1 s)", d)
	}
	// Late: must not free next's slot. Had it, the slot would free a
	// second from now; held by next, not before its stale time and a
	// second (1.5 s).
	lost.Done(true)
	cctx, cancel := context.WithTimeout(ctx, 1200*time.Millisecond)
	defer cancel()
	if _, err := b.Take(cctx, budget.Bulk, 3); err == nil {
		t.Fatal("a late answer freed the slot another send holds")
	}
	next.Done(true)
}

// TestPauseStopsEverySend: after a 429 nothing leaves before retry_after.
func TestPauseStopsEverySend(t *testing.T) {
	b := budget.New(budget.NewMemory(30, time.Millisecond, time.Minute), nil)
	b.Pause(ctx, 400*time.Millisecond)
	start := time.Now()
	tk, err := b.Take(ctx, budget.Reply, 5)
	if err != nil {
		t.Fatal(err)
	}
	tk.Done(true)
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Fatalf("a reply left %v into a 400 ms pause", d)
	}
}

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
	c := &budget.Client{Base: srv.Client(), Budget: b, Class: budget.Reply}
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
	b.Pause(ctx, 5*time.Second)
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
		if got := budget.ChatOf(c.ctype, []byte(c.body)); got != c.want {
			t.Errorf("ChatOf(%q, %q) = %d, want %d", c.ctype, c.body, got, c.want)
		}
	}
	for _, m := range []struct {
		method string
		counts bool
	}{{"sendMessage", true}, {"sendPhoto", true}, {"editMessageText", true}, {"copyMessage", true},
		{"sendChatAction", false}, {"answerCallbackQuery", false}, {"getUpdates", false}, {"setWebhook", false}} {
		if budget.Counts(m.method) != m.counts {
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
		_ = budget.ChatOf(ctype, body)
	})
}

// TestOnlyTheHolderFreesAChat: a give-back by someone not holding the chat
// changes nothing.
func TestOnlyTheHolderFreesAChat(t *testing.T) {
	m := budget.NewMemory(5, time.Millisecond, time.Minute)
	if ok, _, _ := m.TakeChat(ctx, 7, 100); !ok {
		t.Fatal("a free chat was not taken")
	}
	// Not sent: a wrong give-back would leave no gap to hide behind.
	m.ChatDone(ctx, 7, 200, false, time.Now())
	if ok, _, _ := m.TakeChat(ctx, 7, 300); ok {
		t.Fatal("a stranger's give-back freed the chat")
	}
	m.ChatDone(ctx, 7, 100, true, time.Now())
	time.Sleep(30 * time.Millisecond)
	if ok, _, _ := m.TakeChat(ctx, 7, 300); !ok {
		t.Fatal("the holder's give-back did not free the chat")
	}
}
