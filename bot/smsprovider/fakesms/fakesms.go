// Package fakesms is an SMS gateway in the process that speaks Tencent
// Cloud SMS's API (SendSms, 2021-01-11) and its callbacks, so that the
// demo and the tests run the real SDK's code path: assocbot is pointed at
// it with ASSOCBOT_SMS_ENDPOINT=http://127.0.0.1:PORT.
package fakesms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// SMS is one message the gateway took.
type SMS struct {
	Serial   string
	Phone    string // E.164, as sent
	Template string
	Params   []string
	Sign     string
	At       time.Time
}

// Gateway is the fake provider.
type Gateway struct {
	srv   *http.Server
	ln    net.Listener
	keyID string

	mu       sync.Mutex
	sent     []SMS
	serial   int
	failNext map[string][]string // phone ("" any) → codes for its next sends, in order
	onSend   func(SMS)
	requests int
	latency  time.Duration
}

// SetLatency makes every SendSms answer after d, as a far provider does.
func (g *Gateway) SetLatency(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.latency = d
}

// Start listens on 127.0.0.1 at a free port; keyID is the SecretId the
// client must sign with.
func Start(keyID string) (*Gateway, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &Gateway{ln: ln, keyID: keyID, failNext: map[string][]string{}}
	g.srv = &http.Server{Handler: g, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = g.srv.Serve(ln) }()
	return g, nil
}

// URL is the gateway's endpoint, for ASSOCBOT_SMS_ENDPOINT.
func (g *Gateway) URL() string { return "http://" + g.ln.Addr().String() }

// Close stops the gateway.
func (g *Gateway) Close() error { return g.srv.Close() }

// OnSend calls f for every SMS taken (the demo prints it).
func (g *Gateway) OnSend(f func(SMS)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.onSend = f
}

// FailNext makes the next sends to phone ("" for any phone) answer the
// codes, one per send, in order.
func (g *Gateway) FailNext(phone string, codes ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failNext[phone] = append(g.failNext[phone], codes...)
}

// Sent is every SMS taken, in order.
func (g *Gateway) Sent() []SMS {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]SMS(nil), g.sent...)
}

// To is the SMS taken for phone.
func (g *Gateway) To(phone string) []SMS {
	var out []SMS
	for _, s := range g.Sent() {
		if s.Phone == phone {
			out = append(out, s)
		}
	}
	return out
}

// Requests is how many SendSms calls came (refused ones too).
func (g *Gateway) Requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests
}

type apiError struct {
	Code    string
	Message string
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	reqID := fmt.Sprintf("fake-%d", time.Now().UnixNano())
	answer := func(v any) {
		_ = json.NewEncoder(w).Encode(map[string]any{"Response": v})
	}
	fail := func(code, msg string) {
		answer(map[string]any{"Error": apiError{Code: code, Message: msg}, "RequestId": reqID})
	}
	if r.Method != http.MethodPost {
		fail("UnsupportedOperation", "POST only")
		return
	}
	g.mu.Lock()
	latency := g.latency
	g.mu.Unlock()
	time.Sleep(latency)
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "TC3-HMAC-SHA256 Credential="+g.keyID+"/") || !strings.Contains(auth, "Signature=") {
		fail("AuthFailure.SecretIdNotFound", "the SecretId is not ours")
		return
	}
	if a := r.Header.Get("X-TC-Action"); a != "SendSms" || r.Header.Get("X-TC-Version") != "2021-01-11" {
		fail("InvalidAction", "only SendSms 2021-01-11: "+a)
		return
	}
	var p struct {
		PhoneNumberSet   []string
		SmsSdkAppId      string
		SignName         string
		TemplateId       string
		TemplateParamSet []string
	}
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		fail("FailedOperation.JsonParseFail", err.Error())
		return
	}
	if len(p.PhoneNumberSet) == 0 || len(p.PhoneNumberSet) > 200 || p.SmsSdkAppId == "" || p.TemplateId == "" || p.SignName == "" {
		fail("MissingParameter", "PhoneNumberSet, SmsSdkAppId, SignName and TemplateId are required")
		return
	}
	g.mu.Lock()
	g.requests++
	var statuses []map[string]any
	var taken []SMS
	for _, phone := range p.PhoneNumberSet {
		code := "Ok"
		for _, key := range []string{phone, ""} {
			if q := g.failNext[key]; len(q) > 0 {
				code, g.failNext[key] = q[0], q[1:]
				break
			}
		}
		st := map[string]any{"PhoneNumber": phone, "Code": code, "Message": "send success", "Fee": 1, "IsoCode": "CN", "SessionContext": ""}
		if code == "Ok" {
			g.serial++
			s := SMS{Serial: fmt.Sprintf("2433:%d", 100000+g.serial), Phone: phone, Template: p.TemplateId,
				Params: p.TemplateParamSet, Sign: p.SignName, At: time.Now()}
			g.sent = append(g.sent, s)
			taken = append(taken, s)
			st["SerialNo"] = s.Serial
		} else {
			st["Message"], st["SerialNo"], st["Fee"] = "refused by the fake gateway", "", 0
		}
		statuses = append(statuses, st)
	}
	onSend := g.onSend
	g.mu.Unlock()
	if len(statuses) == 1 && strings.HasPrefix(statuses[0]["Code"].(string), "Whole.") {
		// A test's way to fail the whole call: "Whole.<code>".
		fail(strings.TrimPrefix(statuses[0]["Code"].(string), "Whole."), "refused")
		return
	}
	for _, s := range taken {
		if onSend != nil {
			onSend(s)
		}
	}
	answer(map[string]any{"SendStatusSet": statuses, "RequestId": reqID})
}

// Report posts a delivery report for the SMS to a Tencent status callback
// URL (…/sms/tencent/status?key=…), as Tencent does.
func Report(client *http.Client, url string, s SMS, delivered bool) error {
	status := "SUCCESS"
	if !delivered {
		status = "FAIL"
	}
	nation, mobile := split(s.Phone)
	body, _ := json.Marshal([]map[string]any{{
		"user_receive_time": time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"),
		"nationcode":        nation, "mobile": mobile, "report_status": status, "errmsg": "DELIVRD",
		"description": "用户短信送达成功", "sid": s.Serial,
	}})
	return post(client, url, body)
}

// Reply posts a member's SMS to a Tencent reply callback URL, as Tencent
// does; at is the reply's time (a repeat carries the same).
func Reply(client *http.Client, url, phone, text string, at time.Time) error {
	nation, mobile := split(phone)
	body, _ := json.Marshal(map[string]any{"extend": "", "mobile": mobile, "nationcode": nation, "sign": "", "text": text, "time": at.Unix()})
	return post(client, url, body)
}

func split(e164 string) (nation, mobile string) {
	if rest, ok := strings.CutPrefix(e164, "+86"); ok {
		return "86", rest
	}
	return "", strings.TrimPrefix(e164, "+")
}

func post(client *http.Client, url string, body []byte) error {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Result int `json:"result"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil || out.Result != 0 {
		return fmt.Errorf("callback answered %s", resp.Status)
	}
	return nil
}
