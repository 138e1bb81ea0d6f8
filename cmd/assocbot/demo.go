package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	_ "image/gif" // the formats of the photos the demo saves
	_ "image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/bot"
	"github.com/assocbot/assocbot/bot/console"
	"github.com/assocbot/assocbot/bot/fakeapi"
	"github.com/assocbot/assocbot/bot/telegram"
	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/scheduler"
	"github.com/assocbot/assocbot/scheduler/dispatch"
	"golang.org/x/sync/errgroup"
)

// demoPerson is someone the demo lets you be.
type demoPerson struct {
	user   fakeapi.User
	phone  string // what "Share my phone number" shares
	alias  string // a short name for /as
	member *store.NewMember
	linked bool
}

// demoPeople is the demo's cast: an organizer, members in each language, a
// member not yet linked, a stranger, and the association's admin (who
// confirms the checks of a branch without an organizer, Li Wei's).
func demoPeople() []*demoPerson {
	return []*demoPerson{
		{alias: "organizer", user: fakeapi.User{ID: 1000, FirstName: "张组长", LanguageCode: "zh-hans"}, phone: "13800000001", linked: true,
			member: &store.NewMember{Name: "张组长", Phone: "13800000001", Branch: "东城镇", Role: models.RoleOrganizer, Lang: "zh-Hans"}},
		{alias: "wang", user: fakeapi.User{ID: 1001, FirstName: "王芳", LanguageCode: "zh-hans"}, phone: "13800000002", linked: true,
			member: &store.NewMember{Name: "王芳", Phone: "13800000002", Branch: "东城镇/李家村", Tags: []string{"volunteer"}, Lang: "zh-Hans"}},
		{alias: "chan", user: fakeapi.User{ID: 1002, FirstName: "陳美玲", LanguageCode: "zh-hant"}, phone: "13800000003", linked: true,
			member: &store.NewMember{Name: "陳美玲", Phone: "13800000003", Branch: "东城镇/王庄村", Lang: "zh-Hant"}},
		{alias: "li", user: fakeapi.User{ID: 1003, FirstName: "Li", LastName: "Wei", LanguageCode: "en"}, phone: "13800000004", linked: true,
			member: &store.NewMember{Name: "Li Wei", Phone: "13800000004", Branch: "西城社区", Tags: []string{"away"}, TZ: "Europe/Berlin", Lang: "en"}},
		{alias: "zhao", user: fakeapi.User{ID: 1004, FirstName: "赵大爷", LanguageCode: "zh"}, phone: "13800000005",
			member: &store.NewMember{Name: "赵大爷", Phone: "13800000005", Branch: "东城镇/李家村"}},
		{alias: "visitor", user: fakeapi.User{ID: 1005, FirstName: "Visitor"}, phone: "13900000009"},
		{alias: "admin", user: fakeapi.User{ID: 1006, FirstName: "刘会长", LanguageCode: "zh-hans"}, phone: "13800000006", linked: true,
			member: &store.NewMember{Name: "刘会长", Phone: "13800000006", Role: models.RoleAdmin, Lang: "zh-Hans"}},
	}
}

// loc0 is the demo's time zone.
func loc0() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.UTC
}

// demoPlans gives the demo people checks and a duty due in a few days, so
// that their first reminders come within the minute and 🩺 My checks has
// something to show: the quarterly check-up (三查) for the two women, the
// annual health check for 赵大爷, an older man, the certificate of those
// working away, and the organizer's weekly report.
func demoPlans(ctx context.Context, st *store.Store, ids map[string]uint, loc *time.Location) error {
	soon := models.DayOf(time.Now(), loc).AddDate(0, 0, 3)
	for _, a := range []struct {
		kind     string
		audience models.Audience
	}{
		{"quarterly_check", models.MembersAudience(ids["wang"], ids["chan"])},
		{"annual_check", models.MembersAudience(ids["zhao"])},
		{"away_certificate", models.TagAudience("away")},
		{"weekly_report", models.BranchAudience("东城镇")},
	} {
		k, err := st.PlanKindByKey(ctx, a.kind)
		if err != nil {
			return err
		}
		first := &soon
		if k.For == models.ForDuty {
			first = nil // a duty's own date: the next Friday
		}
		if _, err := st.AssignPlans(ctx, k, a.audience, first, nil, loc, time.Now()); err != nil {
			return err
		}
	}
	return nil
}

// demoEvents gives the demo people something to answer with one tap: the
// town's quarterly activity day in five days, and an association meeting of
// all members in eight (Li Wei, in Berlin, sees it in his own time and in
// Beijing's). Both are announced when the demo starts, as a new event is.
// The village's last activity day took place a few days ago, with 王芳 and
// 赵大爷 checked in, so that the organizer's /records has its record to
// write, and they are asked its day-after survey.
func demoEvents(ctx context.Context, st *store.Store, ids map[string]uint, loc *time.Location) error {
	org, err := st.MemberByTelegramID(ctx, demoPeople()[0].user.ID)
	if err != nil {
		return err
	}
	held := pastActivity(time.Now(), loc)
	past := &models.Event{Kind: models.EventActivityDay, Title: "会员活动日：健康知识讲座", Location: "李家村文化室", StartAt: held,
		DurationMin: 90, Audience: models.BranchAudience("东城镇/李家村").String(), RSVP: true, CreatedBy: &org.ID}
	// Made as it was a week before it took place: its announcement is
	// long out of date, and never sent.
	if _, err := st.CreateEvent(ctx, past, loc, held.AddDate(0, 0, -7)); err != nil {
		return err
	}
	for _, who := range []string{"wang", "zhao"} {
		if err := st.SetCheckIn(ctx, past.ID, held, ids[who], true, org, loc, held.Add(30*time.Minute)); err != nil {
			return err
		}
	}
	// Its day-after survey asks them now (王芳 by a tap, 赵大爷 by SMS),
	// open for a week from the demo's start.
	sv := planner.EventSurvey(past, held)
	closes := time.Now().Add(7 * 24 * time.Hour)
	sv.ClosesAt = &closes
	if _, err := st.OpenEventSurvey(ctx, sv, time.Now()); err != nil {
		return err
	}
	today := models.DayOf(time.Now(), loc)
	at := func(days, hour int) time.Time {
		return time.Date(today.Year(), today.Month(), today.Day()+days, hour, 0, 0, 0, loc)
	}
	for _, e := range []*models.Event{
		{Kind: models.EventActivityDay, Title: "会员活动日：家庭健康讲座", Location: "李家村文化室", StartAt: at(5, 9),
			DurationMin: 120, Audience: models.BranchAudience("东城镇").String(), RSVP: true, AllowGuests: true,
			RRule: "FREQ=MONTHLY;INTERVAL=3", CreatedBy: &org.ID},
		{Kind: models.EventMeeting, Title: "协会会员大会", Location: "镇文化中心二楼", StartAt: at(8, 14),
			DurationMin: 90, Audience: models.Everyone().String(), RSVP: true, CreatedBy: &org.ID},
	} {
		if _, err := st.CreateEvent(ctx, e, loc, time.Now()); err != nil {
			return err
		}
	}
	return nil
}

// demoFamilies gives 赵大爷's household a grandchild born three days ago,
// looked after by 王芳's centre household: its newborn visit is on 王芳's
// list (which names no more than the family) as the demo starts.
func demoFamilies(ctx context.Context, st *store.Store, ids map[string]uint, loc *time.Location) error {
	now := time.Now()
	born := models.DayOf(now, loc).AddDate(0, 0, -3)
	centre := ids["wang"]
	if _, err := st.SetFamily(ctx, &models.Family{MemberID: ids["zhao"], Household: "0003", CentreID: &centre, BirthOn: &born}, nil, loc, now); err != nil {
		return err
	}
	_, err := (scheduler.Visits{Store: st, Location: loc}).Run(ctx, now)
	return err
}

// demoQuestions gives the association frequent questions in each
// language, so that a question typed in the demo (请问孕前检查在哪里做？)
// is offered its answer before it goes to the organizers, and switches on
// the Spring Festival greetings of the association's year.
func demoQuestions(ctx context.Context, st *store.Store, cat *locales.Catalog, loc *time.Location) error {
	now := time.Now()
	for _, f := range []models.FAQ{
		{Lang: "zh-Hans", Question: "孕前优生健康检查在哪里做？", Answer: "在镇卫生院二楼，周一至周五上午，免费。请带身份证和结婚证。", Keywords: "孕前检查,孕检,优生"},
		{Lang: "zh-Hant", Question: "孕前優生健康檢查在哪裡做？", Answer: "在鎮衛生院二樓，週一至週五上午，免費。請帶身分證和結婚證。", Keywords: "孕前檢查,孕檢,優生"},
		{Lang: "en", Question: "Where is the free pre-pregnancy check-up?", Answer: "At the town clinic, 2nd floor, weekday mornings, free. Bring your ID and marriage certificate.", Keywords: "pre-pregnancy,check-up"},
		{Lang: "zh-Hans", Question: "会员活动日是哪天？", Answer: "每年5月29日是计生协会会员活动日，各分会还有季度活动，请看 📅 我的活动。", Keywords: "会员日,活动日,5·29"},
	} {
		if err := st.AddFAQ(ctx, &f, now); err != nil {
			return err
		}
	}
	e, _ := models.YearEntryByKey("spring_festival")
	_, err := st.SetYearEntry(ctx, e, nil, yearTexts(cat, e.Key), true, loc, now)
	return err
}

// demoConsole serves the organizers' console on 127.0.0.1 and returns a
// link that opens it as organizer u, with init data signed by the demo's
// token as Telegram signs it (valid for a day), and the server's stop.
func demoConsole(st *store.Store, cat *locales.Catalog, token string, u fakeapi.User, loc *time.Location) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("demo console: %w", err)
	}
	mux := http.NewServeMux()
	console.New(st, console.Config{Token: token, Location: loc, Catalog: cat}).Register(mux)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String() + "/app/#tgWebAppData=" + url.QueryEscape(console.SignInitData(token, u.ID, u.FirstName, u.LanguageCode, time.Now())), stop, nil
}

// pastActivity is when the demo's past activity day took place: 09:00 a
// week ago, or on the first day of this quarter when the quarter began
// less than a week ago (so that /records, which shows this quarter, lists
// it), unless that is not yet over.
func pastActivity(now time.Time, loc *time.Location) time.Time {
	now = now.In(loc)
	at := time.Date(now.Year(), now.Month(), now.Day()-7, 9, 0, 0, 0, loc)
	first := time.Date(now.Year(), time.Month(3*((int(now.Month())-1)/3)+1), 1, 9, 0, 0, 0, loc)
	if at.Before(first) && first.Add(2*time.Hour).Before(now) {
		at = first
	}
	return at
}

func (p *demoPerson) name() string {
	if p.member != nil {
		return p.member.Name
	}
	return p.user.FirstName
}

// cmdDemo runs the real bot against an in-process fake Bot API and a fresh
// database, and lets the terminal user chat as any of the demo people.
func cmdDemo(fs *flag.FlagSet, c cli) runner {
	stdin, stdout, stderr, getenv := c.stdin, c.stdout, c.stderr, c.getenv
	defLang := getenv("ASSOCBOT_LANG")
	if defLang == "" {
		defLang = string(locales.ZhHans)
	}
	langFlag := fs.String("lang", defLang, "language of the demo and the bot's default: zh-Hans, zh-Hant or en (ASSOCBOT_LANG)")
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		lang, ok := locales.Parse(*langFlag)
		if !ok {
			return usageError{fmt.Sprintf("--lang must be zh-Hans, zh-Hant or en, got %q", *langFlag)}
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()

		dir, err := os.MkdirTemp("", "assocbot-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		st, err := openStore(ctx, filepath.Join(dir, "demo.db"))
		if err != nil {
			return err
		}
		defer st.Close()
		people := demoPeople()
		ids := map[string]uint{}
		for _, p := range people {
			if p.member == nil {
				continue
			}
			m, err := st.AddMember(ctx, *p.member)
			if err != nil {
				return fmt.Errorf("demo data: %w", err)
			}
			ids[p.alias] = m.ID
			if p.linked {
				if _, err := st.LinkByPhone(ctx, p.phone, p.user.ID, p.user.ID); err != nil {
					return fmt.Errorf("demo data: %w", err)
				}
			}
		}

		// SMS before the data: 赵大爷, not on Telegram, gets the
		// announcements by SMS from the start.
		var wakeDispatcher func()
		smsDemo, smsCfg, err := startDemoSMS(ctx, st, slog.New(slog.DiscardHandler), func() {
			if wakeDispatcher != nil {
				wakeDispatcher()
			}
		})
		if err != nil {
			return fmt.Errorf("demo sms: %w", err)
		}
		defer smsDemo.close()
		if err := demoPlans(ctx, st, ids, loc0()); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if err := demoEvents(ctx, st, ids, loc0()); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if err := demoFamilies(ctx, st, ids, loc0()); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}

		const token = "123456:demo-token-not-secret"
		api := fakeapi.New(token)
		defer api.Close()
		for _, p := range people {
			if p.linked {
				api.Meet(p.user)
			}
		}
		events, unsubscribe := api.Subscribe()
		defer unsubscribe()
		cat, err := locales.New()
		if err != nil {
			return err
		}
		if err := demoQuestions(ctx, st, cat, loc0()); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		loc := loc0()
		cat.Home = loc // Li Wei, in Berlin, reads his time and the association's
		// The bot's own log goes to a file, so the chat stays readable.
		logFile, err := os.Create(filepath.Join(dir, "bot.log"))
		if err != nil {
			return err
		}
		defer logFile.Close()
		// One send budget for replies and the dispatcher, as in `assocbot run`
		// on SQLite; the demo's own Telegram has no one-a-second rule per chat,
		// and a person typing fast should not wait for it.
		sends := budget.New(budget.NewMemory(budget.DefaultRate, time.Millisecond, budget.SendTimeout), nil)
		jobs := scheduler.Jobs(st, loc, nil)
		preview := &scheduler.Previewer{Store: st, Entries: jobs, Location: loc, DefaultLang: lang}
		b, err := bot.New(ctx, bot.Config{Token: token, APIURL: api.URL(), DefaultLang: lang, Location: loc, Preview: preview.Preview,
			PollTimeout: 5 * time.Second, Logger: slog.New(slog.NewTextHandler(logFile, nil)), Budget: sends}, st, cat, nil)
		if err != nil {
			return err
		}
		// The same dispatcher and planner as `assocbot run`, so that broadcasts,
		// announcements and reminders reach the demo people.
		sender, err := telegram.NewChannel(telegram.ChannelConfig{Token: token, APIURL: api.URL(), Budget: sends}, cat)
		if err != nil {
			return err
		}
		disp := dispatch.New(dispatch.Config{Rate: budget.DefaultRate, Location: loc, DefaultLang: lang, Poll: 200 * time.Millisecond,
			Logger: slog.New(slog.NewTextHandler(logFile, nil)), SMS: smsCfg}, st, sender, cat, nil)
		b.OnEnqueue(disp.Wake)
		wakeDispatcher = disp.Wake
		sched := scheduler.New(loc, &scheduler.Runner{Log: slog.New(slog.NewTextHandler(logFile, nil))})
		if err := sched.AddAll(jobs); err != nil {
			return err
		}
		// The parts run until the demo ends; it waits for them to finish
		// what they hold before its temporary database goes.
		var parts errgroup.Group
		parts.Go(func() error { return disp.Run(ctx) })
		parts.Go(func() error { sched.Run(ctx); return nil })
		parts.Go(func() error {
			if err := b.Poll(ctx); err != nil {
				fmt.Fprintln(stderr, err)
			}
			return nil
		})
		defer func() { cancel(); _ = parts.Wait() }()

		// The files the bot sends (calendars, exports, the preview) are saved
		// where the reader can open them, and kept after the demo.
		files, err := os.MkdirTemp("", "assocbot-demo-files-")
		if err != nil {
			return err
		}
		d := &demoChat{out: stdout, cat: cat, lang: lang, api: api, people: people, current: people[1], files: files, sms: smsDemo}
		defer d.closeFiles()
		// The organizers' console on a local port, opened with the demo
		// organizer's init data signed as Telegram would (SPEC C16).
		consoleLink, stopConsole, err := demoConsole(st, cat, token, people[0].user, loc)
		if err != nil {
			return err
		}
		defer stopConsole()
		d.say("demo.intro")
		d.listPeople()
		d.say("demo.files_dir", "Dir", files)
		d.say("demo.console", "Link", consoleLink)
		d.say("demo.now_as", "Name", d.current.name())
		d.open(d.current)

		lines := make(chan string)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(stdin)
			for sc.Scan() {
				select {
				case lines <- sc.Text():
				case <-ctx.Done():
					return
				}
			}
		}()
		// Each input waits for the bot to go quiet before the next is read, so a
		// piped script sees every reply in order.
		d.drain(events, 800*time.Millisecond)
		d.prompt()
		for {
			select {
			case <-ctx.Done():
				fmt.Fprintln(stdout)
				d.say("demo.bye")
				return nil
			case ev := <-events:
				d.show(ev)
				d.drain(events, 300*time.Millisecond)
				d.prompt()
			case s := <-smsDemo.sent:
				d.showSMS(s)
				d.prompt()
			case line, ok := <-lines:
				if !ok {
					fmt.Fprintln(stdout)
					d.say("demo.bye")
					return nil
				}
				d.input(strings.TrimSpace(line))
				d.drain(events, 600*time.Millisecond)
				d.prompt()
			}
		}
	}
}

// demoChat is the terminal side of the demo.
type demoChat struct {
	out     io.Writer
	cat     *locales.Catalog
	lang    locales.Lang
	api     *fakeapi.Server
	people  []*demoPerson
	current *demoPerson
	choices []demoChoice
	letters map[[2]int64]string // the letter of each message with buttons, by chat and message
	shown   map[[2]int64]bool   // the messages shown, by chat and message
	opened  map[int64]bool      // the chats opened with /start
	files   string              // where the files the bot sends are saved
	saved   map[[2]int64]string // the file saved of each message, by chat and message
	sms     *demoSMS
}

// closeFiles removes the files folder when the bot sent nothing, else says
// where the files are kept.
func (d *demoChat) closeFiles() {
	if len(d.saved) == 0 {
		os.Remove(d.files)
		return
	}
	d.say("demo.files_kept", "Dir", d.files)
}

// saveFile saves the document or photo of message m in the files folder,
// once, and says after indent what it is and where it went.
func (d *demoChat) saveFile(m fakeapi.Message, indent string) {
	f, key := m.Document, "demo.file"
	if f == nil {
		f, key = m.Photo, "demo.photo"
	}
	if f == nil {
		return
	}
	if d.saved == nil {
		d.saved = map[[2]int64]string{}
	}
	id := [2]int64{m.ChatID, m.ID}
	path, ok := d.saved[id]
	if !ok {
		path = d.freePath(f.Name, m.ID, f.Data)
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			d.say("demo.file_unreadable", "Path", path, "Err", err)
			return
		}
		d.saved[id] = path
	}
	fmt.Fprintf(d.out, "%s%s\n", indent, d.cat.T(d.lang, key, "Name", f.Name, "Size", fileSize(len(f.Data)), "Path", path))
}

// freePath is a path in the files folder for a file named name (a photo
// has none: photo-<message>, named by its format): a second file of the
// same name gets -2, and so on.
func (d *demoChat) freePath(name string, messageID int64, data []byte) string {
	name = filepath.Base(name)
	if name == "." || name == "/" || name == "" {
		ext := ".jpg"
		if _, format, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && format != "jpeg" {
			ext = "." + format
		}
		name = fmt.Sprintf("photo-%d%s", messageID, ext)
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	path := filepath.Join(d.files, name)
	for i := 2; ; i++ {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			return path
		}
		path = filepath.Join(d.files, fmt.Sprintf("%s-%d%s", stem, i, ext))
	}
}

// fileSize is a size as people read it: 812 B, 6.1 KB, 1.2 MB.
func fileSize(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

// sendFile sends the file at path as the current person: a document, or
// with photo a picture (a certificate).
func (d *demoChat) sendFile(path string, photo bool) {
	if path == "" {
		d.say("demo.file_usage")
		return
	}
	if home, err := os.UserHomeDir(); err == nil && strings.HasPrefix(path, "~/") {
		path = filepath.Join(home, path[2:])
	}
	data, err := os.ReadFile(path)
	if err != nil {
		d.say("demo.file_unreadable", "Path", path, "Err", err)
		return
	}
	if photo {
		d.api.SendPhoto(d.current.user, data, "")
	} else {
		d.api.SendDocument(d.current.user, filepath.Base(path), data, "")
	}
	d.say("demo.sent_file", "Name", filepath.Base(path), "Size", fileSize(len(data)))
}

// demoCommand reads a demo command typed as a whole word ("/as li", "/who"),
// so that /assign is the bot's, not /as with "sign".
func demoCommand(line, name string) (string, bool) {
	if line == name {
		return "", true
	}
	rest, ok := strings.CutPrefix(line, name+" ")
	return strings.TrimSpace(rest), ok
}

// open opens a person's chat with the bot the way Telegram's START button
// does, once.
func (d *demoChat) open(p *demoPerson) {
	if d.opened == nil {
		d.opened = map[int64]bool{}
	}
	if !d.opened[p.user.ID] {
		d.opened[p.user.ID] = true
		d.api.SendText(p.user, "/start")
	}
}

// demoChoice is a button to type: an inline button of a message ("b2":
// message b's second button; a message keeps its letter, so numbers never
// shift), or a key of the reply keyboard ("1").
type demoChoice struct {
	button    fakeapi.Button
	messageID int64 // 0 for a reply-keyboard key
}

func (d *demoChat) prompt() {
	fmt.Fprintf(d.out, "[%s] > ", d.current.name())
}

func (d *demoChat) say(key string, kv ...any) {
	fmt.Fprintln(d.out, d.cat.T(d.lang, key, kv...))
}

func (d *demoChat) listPeople() {
	for _, p := range d.people {
		fmt.Fprintf(d.out, "  /as %-10s %s\n", p.alias, p.name())
	}
}

func (d *demoChat) drain(events <-chan fakeapi.Event, quiet time.Duration) {
	t := time.NewTimer(quiet)
	defer t.Stop()
	for {
		select {
		case ev := <-events:
			d.show(ev)
			t.Reset(quiet / 3)
		case <-t.C:
			return
		}
	}
}

// show prints a message the bot sent or edited, if it is in the current
// chat; for another person's chat it says who got something.
func (d *demoChat) show(ev fakeapi.Event) {
	m := ev.Message
	if ev.Kind == "toast" || ev.Kind == "alert" {
		// The answer to a tap, as Telegram shows it: a toast at the top, or
		// an alert to dismiss.
		if m.ChatID == d.current.user.ID {
			mark := "💬"
			if ev.Kind == "alert" {
				mark = "⚠️"
			}
			fmt.Fprintf(d.out, "   %s %s\n", mark, m.Text)
		}
		return
	}
	if m.ChatID != d.current.user.ID {
		for _, p := range d.people {
			if p.user.ID == m.ChatID {
				d.say("demo.for_other", "Name", p.name(), "Alias", p.alias)
			}
		}
		return
	}
	if d.shown == nil {
		d.shown = map[[2]int64]bool{}
	}
	d.shown[[2]int64{m.ChatID, m.ID}] = true
	prefix := "🤖"
	if ev.Kind == "edit" {
		prefix = "🤖 " + d.cat.T(d.lang, "demo.edited")
	}
	if m.Text != "" || (m.Document == nil && m.Photo == nil) {
		fmt.Fprintf(d.out, "\n%s %s\n", prefix, strings.ReplaceAll(m.Text, "\n", "\n   "))
		d.saveFile(m, "   ")
	} else {
		d.saveFile(m, "\n"+prefix+" ") // a file without a caption is the bubble itself
	}
	if len(m.Inline) > 0 {
		letter := d.letterOf(m.ChatID, m.ID)
		var parts []string
		for _, r := range m.Inline {
			for _, btn := range r {
				parts = append(parts, fmt.Sprintf("[%s%d] %s", letter, len(parts)+1, btn.Text))
			}
		}
		fmt.Fprintf(d.out, "   %s\n", strings.Join(parts, "  "))
	}
	d.renumber()
}

// letterOf is the letter a message's buttons are typed with (a, b, …, z,
// then aa, ab, …), given the first time it is shown.
func (d *demoChat) letterOf(chatID, messageID int64) string {
	if d.letters == nil {
		d.letters = map[[2]int64]string{}
	}
	key := [2]int64{chatID, messageID}
	if l, ok := d.letters[key]; ok {
		return l
	}
	n := 0
	for k := range d.letters {
		if k[0] == chatID {
			n++
		}
	}
	l := string(rune('a' + n%26))
	if n >= 26 {
		l = string(rune('a'+n/26-1)) + l
	}
	d.letters[key] = l
	return l
}

// renumber numbers the keys of the reply keyboard you can press now.
func (d *demoChat) renumber() {
	d.choices = nil
	msgs := d.api.Messages(d.current.user.ID)
	var keyboard [][]fakeapi.Button
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Keyboard != nil || msgs[i].RemoveKeyboard {
			keyboard = msgs[i].Keyboard
			break
		}
	}
	if len(keyboard) > 0 {
		var parts []string
		for _, r := range keyboard {
			for _, btn := range r {
				d.choices = append(d.choices, demoChoice{button: btn})
				parts = append(parts, fmt.Sprintf("[%d] %s", len(d.choices), btn.Text))
			}
		}
		fmt.Fprintf(d.out, "   ⌨ %s\n", strings.Join(parts, "  "))
	}
}

// input handles one typed line: /as, /who, a button number, or a message.
func (d *demoChat) input(line string) {
	if path, ok := demoCommand(line, "/file"); ok {
		d.sendFile(path, false)
		return
	}
	if path, ok := demoCommand(line, "/photo"); ok {
		d.sendFile(path, true)
		return
	}
	if text, ok := demoCommand(line, "/sms"); ok {
		d.sendSMS(text)
		return
	}
	who, as := demoCommand(line, "/as")
	switch {
	case line == "":
		return
	case line == "/who":
		d.listPeople()
		return
	case as:
		for _, p := range d.people {
			if who != "" && (strings.EqualFold(who, p.alias) || who == p.name() || strings.EqualFold(who, p.user.FirstName)) {
				d.current = p
				d.choices = nil
				d.say("demo.now_as", "Name", p.name())
				// What came while someone else was at the keyboard, then
				// the last message again when all was seen (its buttons and
				// keyboard are what can be pressed now).
				msgs := d.api.Messages(p.user.ID)
				unseen := 0
				for _, m := range msgs {
					if !d.shown[[2]int64{m.ChatID, m.ID}] {
						d.show(fakeapi.Event{Kind: "message", Message: m})
						unseen++
					}
				}
				if unseen == 0 && len(msgs) > 0 {
					d.show(fakeapi.Event{Kind: "message", Message: msgs[len(msgs)-1]})
				}
				d.open(p)
				return
			}
		}
		d.say("demo.unknown_person", "Name", who)
		d.listPeople()
		return
	}
	if m := buttonRef.FindStringSubmatch(line); m != nil {
		n, _ := strconv.Atoi(m[2])
		if btn, id, ok := d.inlineButton(m[1], n); ok {
			if _, err := d.api.PressButton(d.current.user, d.current.user.ID, id, btn.Text); err != nil {
				d.say("demo.no_button", "Number", line)
			}
		} else {
			d.say("demo.no_button", "Number", line)
		}
		return
	}
	if n, err := strconv.Atoi(line); err == nil {
		if n < 1 || n > len(d.choices) {
			d.say("demo.no_button", "Number", n)
			return
		}
		c := d.choices[n-1]
		switch {
		case c.button.RequestContact:
			d.api.SendContact(d.current.user, fakeapi.Contact{PhoneNumber: d.current.phone, FirstName: d.current.user.FirstName, UserID: d.current.user.ID})
		default:
			d.api.SendText(d.current.user, c.button.Text)
		}
		return
	}
	d.api.SendText(d.current.user, line)
}

// buttonRef is a typed button of a message: its letter and number ("b2").
var buttonRef = regexp.MustCompile(`^([a-z]{1,2})(\d{1,2})$`)

// inlineButton finds button n of the message with the letter, in its
// current state.
func (d *demoChat) inlineButton(letter string, n int) (fakeapi.Button, int64, bool) {
	for key, l := range d.letters {
		id := key[1]
		if l != letter || key[0] != d.current.user.ID {
			continue
		}
		for _, m := range d.api.Messages(d.current.user.ID) {
			if m.ID != id {
				continue
			}
			i := 0
			for _, r := range m.Inline {
				for _, btn := range r {
					if i++; i == n {
						return btn, id, true
					}
				}
			}
		}
	}
	return fakeapi.Button{}, 0, false
}
