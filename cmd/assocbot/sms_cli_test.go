package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/bot/smsprovider/fakesms"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// TestRunSMSConfigErrorsNameTheVariable: each wrong SMS setting stops
// `assocbot run` at start, naming its variable and never the secret.
func TestRunSMSConfigErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ASSOCBOT_SMS_PROVIDER": "twilio"}, "ASSOCBOT_SMS_PROVIDER"},
		{map[string]string{"ASSOCBOT_SMS_PROVIDER": "tencent", "ASSOCBOT_SMS_KEY_ID": "AKID", "ASSOCBOT_SMS_APP_ID": "1400000000",
			"ASSOCBOT_SMS_SIGN": "协会", "ASSOCBOT_SMS_CALLBACK_KEY": "0123456789abcdef"}, "ASSOCBOT_SMS_KEY_SECRET"},
		{map[string]string{"ASSOCBOT_SMS_PROVIDER": "aliyun", "ASSOCBOT_SMS_KEY_ID": "LTAI", "ASSOCBOT_SMS_KEY_SECRET": "very-secret-value",
			"ASSOCBOT_SMS_SIGN": "协会", "ASSOCBOT_SMS_CALLBACK_KEY": "0123456789abcdef", "ASSOCBOT_SMS_ENDPOINT": "http://sms.example.com"}, "ASSOCBOT_SMS_ENDPOINT"},
		{map[string]string{"ASSOCBOT_SMS_PROVIDER": "aliyun", "ASSOCBOT_SMS_KEY_ID": "LTAI", "ASSOCBOT_SMS_KEY_SECRET": "very-secret-value",
			"ASSOCBOT_SMS_SIGN": "协会", "ASSOCBOT_SMS_CALLBACK_KEY": "short"}, "ASSOCBOT_SMS_CALLBACK_KEY"},
		{map[string]string{"ASSOCBOT_SMS_KEY_ID": "LTAI"}, "ASSOCBOT_SMS_PROVIDER"},
		{map[string]string{"ASSOCBOT_SMS_MONTHLY": "-1"}, "ASSOCBOT_SMS_MONTHLY"},
		{map[string]string{"ASSOCBOT_SMS_MONTHLY": "lots"}, "ASSOCBOT_SMS_MONTHLY"},
	}
	for _, c := range cases {
		c.env["ASSOCBOT_TOKEN"] = bottest.Token
		code, _, errOut := runCLI(t, func(k string) string { return c.env[k] }, "", "run")
		if code != 2 || !strings.Contains(errOut, c.want) || strings.Contains(errOut, "very-secret-value") {
			t.Errorf("%v: exit %d, %q (want %s named, no secret)", c.env, code, errOut, c.want)
		}
	}
	// --help shows no secret from the environment.
	secret := map[string]string{"ASSOCBOT_SMS_KEY_SECRET": "very-secret-value", "ASSOCBOT_SMS_CALLBACK_KEY": "callback-secret-value", "ASSOCBOT_TOKEN": bottest.Token}
	_, out, errOut := runCLI(t, func(k string) string { return secret[k] }, "", "run", "--help")
	for _, s := range []string{"very-secret-value", "callback-secret-value", strings.Split(bottest.Token, ":")[1]} {
		if strings.Contains(out+errOut, s) {
			t.Errorf("--help shows a secret:\n%s", out+errOut)
		}
	}
	if !strings.Contains(out+errOut, "ASSOCBOT_SMS_PROVIDER") {
		t.Errorf("--help does not list the SMS settings:\n%s", out+errOut)
	}
}

// TestCLISMSTemplatesChannelAndBroadcast: templates are listed and set
// (typos answered), a member's channel and consent set, and a notice from
// the CLI says how it will go.
func TestCLISMSTemplatesChannelAndBroadcast(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	sms := map[string]string{"ASSOCBOT_DB": db, "ASSOCBOT_SMS_PROVIDER": "tencent"}
	getenv := func(k string) string { return sms[k] }
	must := func(args ...string) string { t.Helper(); return mustCLI(t, getenv, args...) }
	out := must("sms", "template", "list")
	if !strings.Contains(out, "broadcast") || !strings.Contains(out, "check.private") || !strings.Contains(out, "14 kinds have no template") {
		t.Fatalf("list:\n%s", out)
	}
	if out := must("sms", "template", "set", "--kind", "broadcast", "--template", "1400001", "--params", "text,branch"); out != "broadcast (any language): template 1400001, parameters text,branch\n" {
		t.Fatalf("set: %q", out)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"sms", "template", "set", "--kind", "brodcast", "--template", "1"}, "did you mean broadcast?"},
		{[]string{"sms", "template", "set", "--kind", "broadcast"}, "--template is needed"},
		{[]string{"sms", "template", "set", "--kind", "broadcast", "--template", "1", "--lang", "fr"}, "--lang \"fr\""},
		{[]string{"sms", "template", "set", "--kind", "broadcast", "--template", "1", "--params", "text,when"}, "\"when\" is not a parameter of broadcast"},
		{[]string{"sms", "templat"}, "did you mean template?"},
		{[]string{"member", "edit", "13800000005", "--channel", "fax"}, "--channel \"fax\": auto, telegram or sms"},
		{[]string{"member", "edit", "13800000005", "--sms-health", "maybe"}, "--sms-health \"maybe\": yes or no"},
	} {
		code, _, errOut := runCLI(t, getenv, "", bad.args...)
		if code != 2 || !strings.Contains(errOut, bad.want) {
			t.Errorf("%v: exit %d %q, want %q", bad.args, code, errOut, bad.want)
		}
	}
	if out := must("sms", "template", "list"); !strings.Contains(out, "1400001 (any language)") {
		t.Fatalf("list after set:\n%s", out)
	}
	must("member", "add", "--name", "赵大爷", "--phone", "13800000005", "--branch", "东城镇/李家村", "--new-branch")
	must("member", "add", "--name", "钱奶奶", "--phone", "13800000006", "--branch", "东城镇/李家村", "--lang", "en")
	if out := must("member", "edit", "13800000005", "--channel", "sms", "--sms-health", "yes"); !strings.Contains(out, "by sms") || !strings.Contains(out, "health reminders by SMS") {
		t.Fatalf("edit: %q", out)
	}
	out = must("broadcast", "--audience", "branch:东城镇/李家村", "--text", "明天停水")
	if !strings.Contains(out, "2 recipients (0 by Telegram, 2 by SMS; 0 reach nobody)") {
		t.Fatalf("broadcast: %q", out)
	}
	// Without SMS, the same members reach nobody.
	delete(sms, "ASSOCBOT_SMS_PROVIDER")
	code, _, errOut := runCLI(t, getenv, "", "broadcast", "--audience", "branch:东城镇/李家村", "--text", "明天停水")
	if code != 2 || !strings.Contains(errOut, "nobody") {
		t.Fatalf("without SMS: exit %d %q", code, errOut)
	}
}

// TestRunServesSMSCallbacks starts `assocbot run` with SMS in webhook mode
// as a user does, and the provider's callbacks reach it on
// ASSOCBOT_LISTEN beside the webhook: a delivery report is recorded; a
// survey added by the CLI beside the running service goes out by SMS and
// a reply "2" answers it; a callback with a wrong key is refused and
// changes nothing; a member's TD stops SMS (stored); SIGTERM stops it.
func TestRunServesSMSCallbacks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildAssocbot(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "sms.db")
	ctx := context.Background()
	st, err := openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	st.SMSOn(true)
	zhao, err := st.AddMember(ctx, store.NewMember{Name: "赵大爷", Phone: "13800000005", Branch: "东城镇/李家村"})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range []string{"broadcast", "survey.ask", "sms.ack"} {
		if err := st.SetSMSTemplate(ctx, k, "", "140000"+string(rune('1'+i)), ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CreateBroadcast(ctx, store.NewBroadcast{Audience: models.BranchAudience("东城镇/李家村"), Text: "停水", SendAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	api := fakeapi.New(bottest.Token)
	defer api.Close()
	gw, err := fakesms.Start("AKIDrun")
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	addr := freeAddr(t)
	const key = "run-callback-key-0001"
	env := append(os.Environ(), "ASSOCBOT_TOKEN="+bottest.Token, "ASSOCBOT_API_URL="+api.URL(), "ASSOCBOT_DB="+dbPath,
		"ASSOCBOT_QUIET_HOURS=off", "ASSOCBOT_LISTEN="+addr,
		"ASSOCBOT_WEBHOOK_URL=https://bot.example.org/tg/hook", "ASSOCBOT_WEBHOOK_SECRET=run-webhook-secret",
		"ASSOCBOT_SMS_PROVIDER=tencent", "ASSOCBOT_SMS_ENDPOINT="+gw.URL(), "ASSOCBOT_SMS_KEY_ID=AKIDrun",
		"ASSOCBOT_SMS_KEY_SECRET=run-secret-value", "ASSOCBOT_SMS_APP_ID=1400000000", "ASSOCBOT_SMS_SIGN=计生协会",
		"ASSOCBOT_SMS_CALLBACK_KEY="+key)
	r := startBin(t, bin, env, "run")
	base := "http://" + addr
	r.waitServing(t, base, 30*time.Second)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := api.WaitFor(wctx, func() bool { return len(gw.Sent()) == 1 }); err != nil {
		t.Fatalf("no SMS: %v\n%s", err, r.logs.String())
	}
	// (The report may come before the send is recorded: it waits for it.)
	if err := fakesms.Report(http.DefaultClient, base+"/sms/tencent/status?key="+key, gw.Sent()[0], true); err != nil {
		t.Fatal(err)
	}
	if u, _ := api.Webhook(); u != "https://bot.example.org/tg/hook" {
		t.Fatalf("the webhook was not set: %q", u)
	}
	// A survey from the CLI beside the running service: the service sends
	// it by SMS, and 赵大爷's "2" answers it.
	cliEnv := map[string]string{"ASSOCBOT_DB": dbPath, "ASSOCBOT_SMS_PROVIDER": "tencent"}
	if code, out, errOut := runCLI(t, func(k string) string { return cliEnv[k] }, "", "survey", "add", "--title", "满意度",
		"--audience", "branch:东城镇/李家村", "--question", "您满意吗？"); code != 0 || !strings.HasPrefix(out, "survey 1: 1 questions to 1 members") {
		t.Fatalf("survey add beside the service: %d %q %q", code, out, errOut)
	}
	if err := api.WaitFor(wctx, func() bool { return len(gw.Sent()) == 2 }); err != nil {
		t.Fatalf("the survey was not sent by SMS: %v\n%s", err, r.logs.String())
	}
	if err := api.WaitFor(wctx, func() bool {
		st, err := openStore(ctx, dbPath)
		if err != nil {
			return false
		}
		defer st.Close()
		rows, _ := st.Outbox(ctx, store.OutboxQuery{Kind: "survey.ask", Status: "sent"})
		return len(rows) == 1
	}); err != nil {
		t.Fatal("the survey's SMS was not recorded sent")
	}
	if err := fakesms.Reply(http.DefaultClient, base+"/sms/tencent/reply?key="+key, "+8613800000005", "2", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/sms/tencent/reply?key=wrong-key", "application/json", strings.NewReader(`{"mobile":"13800000005","nationcode":"86","text":"TD","time":1}`))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong key: %v %v", resp, err)
	}
	resp, err = http.Get(base + "/sms/tencent/reply?key=" + key)
	if err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("a GET: %v %v", resp, err)
	}
	if err := fakesms.Reply(http.DefaultClient, base+"/sms/tencent/reply?key="+key, "+8613800000005", "退订", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := r.stop(t, syscall.SIGTERM, 20*time.Second); err != nil {
		t.Fatalf("exit: %v\n%s", err, r.logs.String())
	}
	st, err = openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, _ := st.MemberByID(ctx, zhao.ID)
	if !m.SMSStopped() {
		t.Fatal("退订 did not stop SMS")
	}
	rows, _ := st.Outbox(ctx, store.OutboxQuery{MemberID: zhao.ID, Kind: "broadcast"})
	if len(rows) != 1 || rows[0].Delivery != "delivered" {
		t.Fatalf("rows %+v", rows)
	}
	sv, err := st.SurveyByID(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if named, err := st.NamedSurveyAnswers(ctx, sv); err != nil || len(named) != 1 || named[0].Choice != 2 {
		t.Fatalf("the SMS answer: %+v %v", named, err)
	}
	if logs := r.logs.String(); strings.Contains(logs, "run-secret-value") || strings.Contains(logs, key) || strings.Contains(logs, "13800000005") {
		t.Fatalf("a secret or the member's phone in the logs:\n%s", logs)
	}
}
