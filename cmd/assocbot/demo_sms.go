package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/bot/smsprovider"
	"github.com/assocbot/assocbot/bot/smsprovider/fakesms"
	"github.com/assocbot/assocbot/models/sms"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// demoTemplates are the demo's approved templates: what a phone shows,
// with {1}, {2} … for the parameters in the kind's order (the provider
// holds these texts; assocbot sends only the id and the parameters).
var demoTemplates = map[string]string{
	"broadcast":       "{1}计生协会通知：{2}",
	"event.announce":  "{1}将于{2}在{3}举行。回复1参加，2不参加，3待定。",
	"event.reminder":  "提醒：{1}于{2}在{3}举行。回复1参加，2不参加，3待定。",
	"event.deadline":  "{1}（{2}）报名将于{3}截止，回复1参加，2不参加。",
	"event.nudge":     "{1}（{2}）您还未回复，回复1参加，2不参加，3待定。",
	"event.changed":   "变更：{1}改为{2}在{3}举行。回复1参加，2不参加。",
	"event.cancelled": "取消：{1}（原定{2}）取消，请相互转告。",
	"rsvp.promoted":   "{1}（{2}）有空位了，您已报上名。",
	"check.reminder":  "您的{1}应于{2}前完成，完成后回复1。",
	sms.Private:       "您有一项协会提醒，请联系{1}计生专干。",
	"sms.ack":         "已收到您关于“{1}”的回复：{2}。",
	"survey.ask":      "{1}：{2} 请回复数字：{3}",
	"survey.remind":   "{1}即将截止，您还没有答完：{2} 请回复数字：{3}",
	"inquiry.answer":  "{1}计生协会回复您的提问：{2}",
}

// demoSMS is the demo's SMS: a fake Tencent gateway in the process, the
// real SDK and channel to it, and the callbacks a provider would post.
type demoSMS struct {
	gateway   *fakesms.Gateway
	callbacks *http.Server
	url       string // the callbacks' base URL
	key       string
	ids       map[string]string // template id → key
	sent      chan fakesms.SMS
}

// startDemoSMS seeds the templates and starts the gateway and the
// callbacks; the returned config is the dispatcher's.
func startDemoSMS(ctx context.Context, st *store.Store, log *slog.Logger, wake func()) (*demoSMS, dispatch.SMSConfig, error) {
	d := &demoSMS{key: "demo-callback-key-0001", ids: map[string]string{}, sent: make(chan fakesms.SMS, 64)}
	for i, key := range sms.Keys() {
		id := strconv.Itoa(1400100 + i)
		d.ids[id] = key
		if err := st.SetSMSTemplate(ctx, key, "", id, ""); err != nil {
			return nil, dispatch.SMSConfig{}, err
		}
	}
	g, err := fakesms.Start("AKIDdemo")
	if err != nil {
		return nil, dispatch.SMSConfig{}, err
	}
	d.gateway = g
	g.OnSend(func(s fakesms.SMS) {
		select {
		case d.sent <- s:
		default:
		}
	})
	cfg := smsprovider.Config{Provider: smsprovider.Tencent, Endpoint: g.URL(), KeyID: "AKIDdemo", KeySecret: "demo-secret",
		AppID: "1400000000", Sign: "东城镇计生协会", CallbackKey: d.key}
	p, err := smsprovider.New(cfg)
	if err != nil {
		g.Close()
		return nil, dispatch.SMSConfig{}, err
	}
	cb := &smsprovider.Callbacks{Provider: smsprovider.Tencent, Key: d.key,
		Inbox: &smsprovider.Inbox{Store: st, Location: loc0(), Now: time.Now, Log: log, Wake: wake}}
	mux := http.NewServeMux()
	for _, path := range cb.Paths() {
		mux.Handle(path, cb)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		g.Close()
		return nil, dispatch.SMSConfig{}, err
	}
	d.callbacks = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	d.url = "http://" + ln.Addr().String()
	go func() { _ = d.callbacks.Serve(ln) }()
	st.SMSOn(true)
	return d, dispatch.SMSConfig{Channel: smsprovider.NewChannel(p)}, nil
}

func (d *demoSMS) close() {
	d.gateway.Close()
	d.callbacks.Close()
}

// text is what the member's phone shows: the sign and the template filled.
func (d *demoSMS) text(s fakesms.SMS) string {
	t, ok := demoTemplates[d.ids[s.Template]]
	if !ok {
		return fmt.Sprintf("【%s】(template %s) %s", s.Sign, s.Template, strings.Join(s.Params, " | "))
	}
	for i, p := range s.Params {
		t = strings.ReplaceAll(t, "{"+strconv.Itoa(i+1)+"}", p)
	}
	return "【" + s.Sign + "】" + t
}

// deliver posts the SMS's delivery report, as the provider does.
func (d *demoSMS) deliver(s fakesms.SMS) error {
	return fakesms.Report(http.DefaultClient, d.url+"/sms/tencent/status?key="+d.key, s, true)
}

// reply posts a member's SMS, as the provider does.
func (d *demoSMS) reply(phone, text string) error {
	return fakesms.Reply(http.DefaultClient, d.url+"/sms/tencent/reply?key="+d.key, phone, text, time.Now())
}

// showSMS prints an SMS as the member's phone shows it, and reports it
// delivered as the provider would.
func (d *demoChat) showSMS(s fakesms.SMS) {
	name := s.Phone
	for _, p := range d.people {
		if "+86"+p.phone == s.Phone {
			name = p.name()
		}
	}
	fmt.Fprintln(d.out)
	d.say("demo.sms", "Name", name, "Text", d.sms.text(s))
	if err := d.sms.deliver(s); err != nil {
		d.say("demo.sms_failed", "Err", err.Error())
	}
}

// sendSMS sends an SMS from the current person's phone to the bot's
// number, as the provider hands it on.
func (d *demoChat) sendSMS(text string) {
	if text == "" {
		d.say("demo.sms_usage")
		return
	}
	d.say("demo.sms_sent", "Text", text)
	if err := d.sms.reply("+86"+d.current.phone, text); err != nil {
		d.say("demo.sms_failed", "Err", err.Error())
	}
}
