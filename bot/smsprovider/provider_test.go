package smsprovider_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/smsprovider"
	"github.com/assocbot/assocbot/bot/smsprovider/fakesms"
	"github.com/assocbot/assocbot/models/sms"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

var classes = map[dispatch.SMSClass]string{
	dispatch.SMSDelivered: "delivered", dispatch.SMSRetry: "retry", dispatch.SMSLater: "later", dispatch.SMSStopMember: "stop member",
	dispatch.SMSBadTemplate: "bad template", dispatch.SMSPause: "pause", dispatch.SMSFail: "fail", dispatch.SMSInterrupted: "interrupted",
}

var tpl = sms.Template{ID: "1234567", Params: []sms.Param{sms.Title, sms.Time}}
var values = []sms.Value{{Name: sms.Title, Value: "5·29会员日"}, {Name: sms.Time, Value: "5月29日09:00"}}

// TestTencentAnswersAreSortedOverHTTP sends through the real SDK to the
// fake gateway, which answers each of Tencent's documented error codes, per
// number (SendStatusSet) or for the whole call (Response.Error).
func TestTencentAnswersAreSortedOverHTTP(t *testing.T) {
	g, err := fakesms.Start("AKIDtest")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	p, err := smsprovider.New(smsprovider.Config{Provider: "tencent", Endpoint: g.URL(), KeyID: "AKIDtest", KeySecret: "secret",
		AppID: "1400000000", Sign: "计生协会", CallbackKey: "0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	ch := smsprovider.NewChannel(p)
	cases := []struct {
		code string
		want dispatch.SMSClass
	}{
		{"", dispatch.SMSDelivered},
		{"LimitExceeded.PhoneNumberDailyLimit", dispatch.SMSLater},
		{"LimitExceeded.PhoneNumberThirtySecondLimit", dispatch.SMSLater},
		{"InvalidParameterValue.IncorrectPhoneNumber", dispatch.SMSStopMember},
		{"FailedOperation.PhoneNumberInBlacklist", dispatch.SMSStopMember},
		{"FailedOperation.TemplateIncorrectOrUnapproved", dispatch.SMSBadTemplate},
		{"InvalidParameterValue.TemplateParameterLengthLimit", dispatch.SMSBadTemplate},
		{"FailedOperation.InsufficientBalanceInSmsPackage", dispatch.SMSPause},
		{"FailedOperation.SignatureIncorrectOrUnapproved", dispatch.SMSPause},
		{"FailedOperation.ContainSensitiveWord", dispatch.SMSFail},
		{"Whole.AuthFailure.SignatureFailure", dispatch.SMSPause},
		{"Whole.UnauthorizedOperation.ServiceSuspendDueToArrears", dispatch.SMSPause},
		{"Whole.InternalError.Timeout", dispatch.SMSRetry},
		{"Whole.RequestLimitExceeded", dispatch.SMSRetry},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			if c.code != "" {
				g.FailNext("", c.code)
				if c.code == "Whole.RequestLimitExceeded" {
					g.FailNext("", c.code, c.code, c.code, c.code, c.code, c.code)
				}
			}
			before := g.Requests()
			res := ch.Send(context.Background(), dispatch.SMS{Phone: "+8613800000001", Template: tpl, Values: values, Timeout: 2 * time.Second})
			if res.Class != c.want {
				t.Fatalf("%s sorted as %s (%s, %v), want %s", c.code, classes[res.Class], res.Code, res.Err, classes[c.want])
			}
			if c.want == dispatch.SMSDelivered && res.ProviderID == "" {
				t.Fatal("delivered without the provider's id")
			}
			if c.code == "Whole.RequestLimitExceeded" && g.Requests()-before < 2 {
				t.Fatalf("a throttled call was not tried again within the timeout (%d calls)", g.Requests()-before)
			}
		})
	}
	// The SMS that went carries the template and its parameters in order.
	sent := g.Sent()
	if len(sent) != 1 || sent[0].Template != "1234567" || strings.Join(sent[0].Params, "|") != "5·29会员日|5月29日09:00" || sent[0].Sign != "计生协会" {
		t.Fatalf("sent %+v", sent)
	}
	// No answer at all: retried.
	g.Close()
	res := ch.Send(context.Background(), dispatch.SMS{Phone: "+8613800000001", Template: tpl, Values: values, Timeout: time.Second})
	if res.Class != dispatch.SMSRetry || res.Code != smsprovider.CodeNetwork {
		t.Fatalf("a closed gateway sorted as %s %s", classes[res.Class], res.Code)
	}
}

// aliyunServer answers SendSms as Alibaba's API does: business codes with
// 200 in the body's Code, the API's own errors with a 4xx or 5xx.
type aliyunServer struct {
	mu     sync.Mutex
	next   []string
	params []map[string]string
	phones []string
}

func (a *aliyunServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	a.mu.Lock()
	code := "OK"
	if len(a.next) > 0 {
		code, a.next = a.next[0], a.next[1:]
	}
	if r.Form.Get("Action") != "SendSms" || r.Form.Get("AccessKeyId") != "LTAItest" || r.Form.Get("Signature") == "" {
		code = "http400:InvalidAccessKeyId.NotFound"
	}
	var p map[string]string
	_ = json.Unmarshal([]byte(r.Form.Get("TemplateParam")), &p)
	if code == "OK" {
		a.params = append(a.params, p)
		a.phones = append(a.phones, r.Form.Get("PhoneNumbers"))
	}
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if status, c, ok := strings.Cut(code, ":"); ok {
		w.WriteHeader(map[string]int{"http400": 400, "http404": 404, "http503": 503}[status])
		_ = json.NewEncoder(w).Encode(map[string]string{"Code": c, "Message": "refused", "RequestId": "r1", "HostId": "dysmsapi.aliyuncs.com"})
		return
	}
	out := map[string]string{"Code": code, "Message": "OK", "RequestId": "r1"}
	if code == "OK" {
		out["BizId"] = "900619746936498440^0"
	}
	_ = json.NewEncoder(w).Encode(out)
}

// TestAliyunAnswersAreSortedOverHTTP sends through Alibaba's SDK to a
// server that answers each of Alibaba's documented codes.
func TestAliyunAnswersAreSortedOverHTTP(t *testing.T) {
	srv := &aliyunServer{}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	p, err := smsprovider.New(smsprovider.Config{Provider: "aliyun", Endpoint: hs.URL, KeyID: "LTAItest", KeySecret: "secret",
		Sign: "计生协会", CallbackKey: "0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	ch := smsprovider.NewChannel(p)
	cases := []struct {
		code string
		want dispatch.SMSClass
	}{
		{"OK", dispatch.SMSDelivered},
		{"isv.BUSINESS_LIMIT_CONTROL", dispatch.SMSLater},
		{"isv.DAY_LIMIT_CONTROL", dispatch.SMSLater},
		{"isv.MOBILE_NUMBER_ILLEGAL", dispatch.SMSStopMember},
		{"isv.BLACK_KEY_CONTROL_LIMIT", dispatch.SMSStopMember},
		{"isv.SMS_TEMPLATE_ILLEGAL", dispatch.SMSBadTemplate},
		{"isv.TEMPLATE_MISSING_PARAMETERS", dispatch.SMSBadTemplate},
		{"isv.PARAM_LENGTH_LIMIT", dispatch.SMSBadTemplate},
		{"isv.AMOUNT_NOT_ENOUGH", dispatch.SMSPause},
		{"isv.OUT_OF_SERVICE", dispatch.SMSPause},
		{"isv.SMS_SIGNATURE_ILLEGAL", dispatch.SMSPause},
		{"isv.SMS_CONTENT_ILLEGAL", dispatch.SMSFail},
		{"http404:InvalidAccessKeyId.NotFound", dispatch.SMSPause},
		{"http400:SignatureDoesNotMatch", dispatch.SMSPause},
		{"http503:ServiceUnavailable", dispatch.SMSRetry},
		{"isp.SYSTEM_ERROR", dispatch.SMSRetry},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			srv.mu.Lock()
			srv.next = []string{c.code}
			srv.mu.Unlock()
			res := ch.Send(context.Background(), dispatch.SMS{Phone: "+8613800000002", Template: tpl, Values: values, Timeout: 2 * time.Second})
			if res.Class != c.want {
				t.Fatalf("%s sorted as %s (%s, %v), want %s", c.code, classes[res.Class], res.Code, res.Err, classes[c.want])
			}
		})
	}
	// Throttled: waited out and sent again within the timeout.
	srv.mu.Lock()
	srv.next = []string{"http400:Throttling.User", "http400:Throttling.User"}
	srv.mu.Unlock()
	res := ch.Send(context.Background(), dispatch.SMS{Phone: "+8613800000002", Template: tpl, Values: values, Timeout: 5 * time.Second})
	if res.Class != dispatch.SMSDelivered {
		t.Fatalf("after throttling: %s %s %v", classes[res.Class], res.Code, res.Err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	// Alibaba's parameters are named; a mainland number goes without +86.
	if len(srv.params) != 2 || srv.params[0]["title"] != "5·29会员日" || srv.params[0]["time"] != "5月29日09:00" || srv.phones[0] != "13800000002" {
		t.Fatalf("sent %v to %v", srv.params, srv.phones)
	}
}

// TestConfigNamesTheBadVariable: each wrong setting is refused naming its
// variable, never its value when secret.
func TestConfigNamesTheBadVariable(t *testing.T) {
	good := smsprovider.Config{Provider: "tencent", KeyID: "AKID", KeySecret: "topsecret-value", AppID: "1400000000", Sign: "协会", CallbackKey: "0123456789abcdef"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		change func(*smsprovider.Config)
		want   string
	}{
		{func(c *smsprovider.Config) { c.Provider = "twilio" }, "ASSOCBOT_SMS_PROVIDER"},
		{func(c *smsprovider.Config) { c.KeySecret = "" }, "ASSOCBOT_SMS_KEY_SECRET"},
		{func(c *smsprovider.Config) { c.KeyID = " " }, "ASSOCBOT_SMS_KEY_ID"},
		{func(c *smsprovider.Config) { c.Sign = "" }, "ASSOCBOT_SMS_SIGN"},
		{func(c *smsprovider.Config) { c.AppID = "" }, "ASSOCBOT_SMS_APP_ID"},
		{func(c *smsprovider.Config) { c.AppID = "app-1" }, "ASSOCBOT_SMS_APP_ID"},
		{func(c *smsprovider.Config) { c.Endpoint = "http://sms.example.com" }, "ASSOCBOT_SMS_ENDPOINT"},
		{func(c *smsprovider.Config) { c.Endpoint = "ftp://127.0.0.1" }, "ASSOCBOT_SMS_ENDPOINT"},
		{func(c *smsprovider.Config) { c.Endpoint = "https://h/path" }, "ASSOCBOT_SMS_ENDPOINT"},
		{func(c *smsprovider.Config) { c.CallbackKey = "short" }, "ASSOCBOT_SMS_CALLBACK_KEY"},
	}
	for _, c := range cases {
		cfg := good
		c.change(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "topsecret-value") {
			t.Errorf("%+v: %v (want %s named)", cfg, err, c.want)
		}
	}
	for _, ok := range []string{"http://127.0.0.1:9000", "http://localhost:1", "https://sms.tencentcloudapi.com", "sms.internal:443"} {
		cfg := good
		cfg.Endpoint = ok
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	// Alibaba has no app id.
	ali := good
	ali.Provider, ali.AppID = "aliyun", ""
	if err := ali.Validate(); err != nil {
		t.Fatal(err)
	}
}
