package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/bot/bottest"
	"github.com/assocbot/assocbot/locales"
)

// demoSession drives `assocbot demo` as a person at the terminal does: each
// line is typed once what it answers is on the screen, and a button is
// typed by the label the screen shows for it, as a reader finds it.
type demoSession struct {
	t    *testing.T
	in   *io.PipeWriter
	out  *bottest.SyncBuffer
	mark int // where the screen stood when the last line was typed
	code chan int
}

func startDemo(t *testing.T, args ...string) *demoSession {
	t.Helper()
	r, w := io.Pipe()
	s := &demoSession{t: t, in: w, out: &bottest.SyncBuffer{}, code: make(chan int, 1)}
	errOut := &bottest.SyncBuffer{}
	go func() {
		s.code <- run(context.Background(), append([]string{"demo"}, args...), r, s.out, errOut, noEnv, testClock)
		r.Close()
	}()
	t.Cleanup(func() { w.Close() })
	return s
}

// typeLine types line and Enter.
func (s *demoSession) typeLine(line string) {
	s.t.Helper()
	s.mark = len(s.out.String())
	if _, err := fmt.Fprintln(s.in, line); err != nil {
		s.t.Fatalf("typing %q: %v\n%s", line, err, s.out.String())
	}
}

// waitMatch waits until the screen since the last typed line matches re,
// and returns the last match.
func (s *demoSession) waitMatch(re *regexp.Regexp) []string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		screen := s.out.String()
		if ms := re.FindAllStringSubmatch(screen[s.mark:], -1); len(ms) > 0 {
			return ms[len(ms)-1]
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %v after the last line typed:\n%s", re, screen)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// expect waits until the screen shows want since the last typed line.
func (s *demoSession) expect(want string) {
	s.t.Helper()
	s.waitMatch(regexp.MustCompile(regexp.QuoteMeta(want)))
}

// press types the button labelled label, the last one shown: "c1".
func (s *demoSession) press(label string) {
	s.t.Helper()
	m := s.waitMatch(regexp.MustCompile(`\[([a-z]+[0-9]+)\] ` + regexp.QuoteMeta(label)))
	s.typeLine(m[1])
}

// end closes the terminal's input (Ctrl-D) and waits for the demo to end.
func (s *demoSession) end() (code int, screen string) {
	s.t.Helper()
	s.in.Close()
	select {
	case code = <-s.code:
	case <-time.After(20 * time.Second):
		s.t.Fatalf("the demo did not end on Ctrl-D:\n%s", s.out.String())
	}
	return code, s.out.String()
}

// TestDemoInAllThreeLanguages: a new user at the terminal reads the help as
// members in the three languages, sees the meeting announced at the start
// in Li Wei's own time (Berlin), asks to join as a visitor, approves the
// request as the organizer, and, a member now, answers an event with one
// tap and mutes reminders from the language menu.
func TestDemoInAllThreeLanguages(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes a few seconds")
	}
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	cat.Home = shanghai // as the demo: Li Wei reads his time and Beijing's
	started := time.Now()
	d := startDemo(t)
	d.expect(cat.T(locales.ZhHans, "demo.now_as", "Name", "王芳"))
	d.expect("[王芳] > ")

	// The console's link, as printed, opens the organizer's dashboard.
	link := d.waitMatch(regexp.MustCompile(`(http://127\.0\.0\.1:\d+/app/)#tgWebAppData=(\S+)`))
	initData, err := url.QueryUnescape(link[2])
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, link[1]+"api/stats", nil)
	req.Header.Set("Authorization", "tma "+initData)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"path":"东城镇"`) {
		t.Fatalf("the demo's console: %d %s", resp.StatusCode, body)
	}

	d.typeLine("/help")
	d.expect(firstLine(cat.T(locales.ZhHans, "help.member")))
	d.typeLine("/as chan")
	d.typeLine("/help")
	d.expect(firstLine(cat.T(locales.ZhHant, "help.member")))

	// The meeting, announced at the start for 14:00 in Shanghai eight days
	// on, came to Li Wei while someone else was at the keyboard; it shows
	// when he takes it, in his time.
	meeting := time.Date(started.In(shanghai).Year(), started.In(shanghai).Month(), started.In(shanghai).Day()+8, 14, 0, 0, 0, shanghai)
	d.typeLine("/as li")
	d.expect(firstLine(cat.T(locales.En, "event.announce", "Icon", "🗓", "Title", "协会会员大会")) + "\n   🕘 " +
		cat.DateTime(locales.En, meeting, berlin, started))
	d.typeLine("/help")
	d.expect(firstLine(cat.T(locales.En, "help.member")))

	d.typeLine("/as visitor")
	d.expect(firstLine(cat.T(locales.ZhHans, "start.stranger", "Name", "Visitor")))
	d.typeLine("2") // 🙋 Request to join: the second key of a stranger's keyboard
	d.expect(cat.T(locales.ZhHans, "join.choose_branch"))
	d.press("东城镇 ›")
	d.press("李家村")
	d.expect(firstLine(cat.T(locales.ZhHans, "join.ask_name", "Branch", "东城镇/李家村", "Share", cat.T(locales.ZhHans, "menu.share_phone"))))
	d.typeLine("刘明") // the name goes with the request (issue 16 item 9)
	d.expect(cat.T(locales.ZhHans, "join.sent", "Branch", "东城镇/李家村"))
	d.typeLine("/as organizer")
	d.press("✅ 同意")
	d.expect("✅ 已由 张组长 同意")

	d.typeLine("/as visitor")
	d.expect(cat.T(locales.ZhHans, "join.approved", "Name", "刘明", "Branch", "东城镇/李家村"))
	d.typeLine("1") // 📅 My events, now a member: the activity day and the meeting
	d.expect("🎉 会员活动日：家庭健康讲座")
	d.press("✅ 参加")
	d.expect("💬 " + cat.T(locales.ZhHans, "rsvp.answer.yes"))
	d.typeLine("5") // 🌐 Language, where reminders are muted
	d.press("🔕 暂停提醒")
	d.expect("💬 " + cat.T(locales.ZhHans, "mute.on_button"))
	d.typeLine("3") // 📰 Notices: none yet for a new member
	d.expect(cat.T(locales.ZhHans, "received.none"))
	// A question: the frequent one first, then to the organizers.
	d.typeLine("请问孕前检查在哪里做？")
	d.expect(firstLine(cat.T(locales.ZhHans, "inquiry.offer_faq")))
	send := d.waitMatch(regexp.MustCompile(`\[([a-z]+[0-9]+)\] ` + regexp.QuoteMeta(cat.T(locales.ZhHans, "inquiry.button.send"))))[1]
	d.press("❓ 孕前优生健康检查在哪里做？")
	d.expect("在镇卫生院二楼，周一至周五上午，免费。")
	d.typeLine(send) // the offer's 📨, a message above
	d.expect(cat.T(locales.ZhHans, "inquiry.sent"))
	d.typeLine("/as organizer")
	d.expect("❓ 刘明（东城镇/李家村）")
	d.press(cat.T(locales.ZhHans, "inquiry.button.reply", "Name", "刘明"))
	d.typeLine("镇卫生院二楼，带身份证。")
	d.expect(cat.T(locales.ZhHans, "inquiry.answer_sent", "Name", "刘明"))
	d.typeLine("/as visitor")
	d.expect("镇卫生院二楼，带身份证。")

	code, screen := d.end()
	if code != 0 || !strings.Contains(screen, firstLine(cat.T(locales.ZhHans, "demo.bye"))) {
		t.Fatalf("the demo ended with %d:\n%s", code, screen)
	}
}

// fileLine matches the demo's line for a file the bot sent (demo.file):
// its name, size and where it was saved.
func fileLine(cat *locales.Catalog, l locales.Lang) *regexp.Regexp {
	pattern := regexp.QuoteMeta(cat.T(l, "demo.file", "Name", "\x01", "Size", "\x02", "Path", "\x03"))
	pattern = strings.NewReplacer("\x01", `(\S+)`, "\x02", `([0-9.]+ K?B)`, "\x03", `(\S+)`).Replace(pattern)
	return regexp.MustCompile(pattern)
}

// savedFile checks that a file line names a file saved in dir with the size
// it says.
func savedFile(t *testing.T, m []string, dir, ext string) {
	t.Helper()
	name, size, path := m[1], m[2], m[3]
	info, err := os.Stat(path)
	if err != nil || filepath.Dir(path) != dir || filepath.Base(path) != name || !strings.HasSuffix(name, ext) {
		t.Fatalf("file line %q: %v (want a %s file in %s)", m[0], err, ext, dir)
	}
	if size != fileSize(int(info.Size())) {
		t.Fatalf("%s is %d bytes, the demo said %s", path, info.Size(), size)
	}
}

// TestDemoFilesAndCommands (issue 16 item 15), as a newcomer meets them:
// /assign is the bot's command, not /as with "sign"; a calendar file and
// an export show their name and size and are saved in the folder the demo
// names (and kept after it ends); /file sends a member list the bot checks
// and imports, /photo a certificate; 赵大爷, an older man, has the annual
// health check, not the quarterly check-up (三查); the village's activity
// day of a few days ago waits for its record in /records, with the two
// who came.
func TestDemoFilesAndCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes a few seconds")
	}
	t.Setenv("TMPDIR", t.TempDir()) // the demo's folders go where the test cleans up
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	zh := func(key string, kv ...any) string { return cat.T(locales.ZhHans, key, kv...) }
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	d := startDemo(t)
	dirLine := regexp.MustCompile(regexp.QuoteMeta(zh("demo.files_dir", "Dir", "\x00")[:len(zh("demo.files_dir", "Dir", "\x00"))-1]) + `(\S+)`)
	dir := d.waitMatch(dirLine)[1]
	d.expect("[王芳] > ")
	files := fileLine(cat, locales.ZhHans)

	d.typeLine("/calendar")
	savedFile(t, d.waitMatch(files), dir, ".ics")

	d.typeLine("/as organizer")
	d.expect("[张组长] > ")
	d.typeLine("/assign")
	d.expect(zh("assign.ask_kind"))
	if strings.Contains(d.out.String()[d.mark:], zh("demo.unknown_person", "Name", "sign")) {
		t.Fatal("/assign was taken as /as sign")
	}
	d.typeLine("/records")
	held := pastActivity(time.Now(), shanghai)
	d.expect(zh("records.missing_line", "Date", held.Format("01-02"), "Title", "会员活动日：健康知识讲座", "Came", 2))
	d.typeLine("/export")
	d.press(zh("export.button.members"))
	savedFile(t, d.waitMatch(files), dir, ".xlsx")

	list := filepath.Join(t.TempDir(), "新会员.csv")
	csv := []byte("姓名,手机,分会\n刘阿姨,13800000011,东城镇/李家村\n")
	if err := os.WriteFile(list, csv, 0o644); err != nil {
		t.Fatal(err)
	}
	d.typeLine("/file " + list)
	d.expect(zh("demo.sent_file", "Name", "新会员.csv", "Size", fmt.Sprintf("%d B", len(csv))))
	d.expect(zh("import.checked", "Rows", 1, "New", 1, "Updated", 0, "Unchanged", 0, "Branches", 0, "Plans", 0))
	d.typeLine("/file " + list + ".missing")
	d.expect(zh("demo.file_unreadable", "Path", list+".missing", "Err", ""))

	// 赵大爷, not on Telegram yet, has the announcements by SMS and
	// answers the latest with a digit.
	if screen := d.out.String(); !strings.Contains(screen, "📲 发给赵大爷的短信：【东城镇计生协会】") || !strings.Contains(screen, "回复1参加") {
		t.Fatalf("赵大爷 got no SMS:\n%s", screen)
	}
	d.typeLine("/as zhao")
	d.typeLine("/sms 1")
	d.expect(zh("demo.sms_sent", "Text", "1"))
	// The latest of the two announcements, whichever went last.
	d.waitMatch(regexp.MustCompile(`已收到您关于“(协会会员大会|会员活动日：家庭健康讲座)”的回复：参加。`))
	// Words by SMS are a question: the organizer answers with ↩️, and the
	// answer comes back by SMS.
	d.typeLine("/sms 体检要带什么？")
	d.typeLine("/as organizer")
	d.expect("❓ 赵大爷 📱138 0000 0005（东城镇/李家村）")
	d.press(zh("inquiry.button.reply", "Name", "赵大爷"))
	d.typeLine("带身份证，空腹。")
	d.expect("📲 发给赵大爷的短信：【东城镇计生协会】李家村计生协会回复您的提问：带身份证，空腹。")
	d.typeLine("/as zhao")
	d.typeLine("/sms")
	d.expect(zh("demo.sms_usage"))
	d.typeLine("1") // 📱 Share my phone number
	d.expect(zh("start.linked", "Name", "赵大爷", "Branch", "东城镇/李家村"))
	d.typeLine("2") // 🩺 My checks
	d.expect("🩺 年度健康检查 — ")
	if strings.Contains(d.out.String()[d.mark:], "季度孕检") {
		t.Fatalf("赵大爷 has the quarterly check-up:\n%s", d.out.String()[d.mark:])
	}

	cert := filepath.Join(t.TempDir(), "cert.png")
	if err := os.WriteFile(cert, tinyPNG(), 0o644); err != nil {
		t.Fatal(err)
	}
	d.typeLine("/as li")
	d.typeLine("2") // 🩺 My checks
	d.press(cat.T(locales.En, "check.button.certificate"))
	d.expect(cat.T(locales.En, "checks.send_photo"))
	d.typeLine("/photo " + cert)
	d.expect(cat.T(locales.En, "checks.photo_received"))

	code, screen := d.end()
	if code != 0 || !strings.Contains(screen, zh("demo.files_kept", "Dir", dir)) {
		t.Fatalf("the demo ended with %d:\n%s", code, screen)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the files were not kept: %v", err)
	}
}

// tinyPNG is a 1×1 picture, a certificate's photo.
func tinyPNG() []byte {
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}
