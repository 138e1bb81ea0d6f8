package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/assocbot/assocbot/bot/console"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

var ctx = context.Background()

// chromium is the headless browser's path, or the test skips saying how
// to get it (.ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on a CI machine: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("no Chromium here: apt-get install chromium (.ci/run does) to run the console in a browser")
	return ""
}

// TestConsoleInABrowser opens the console at a phone's size (360×740) in
// headless Chromium, as an organizer in Simplified and Traditional Chinese
// and in English:
// the dashboard of a seeded database shows the store's figures (read from
// the page), the four quarters' chart is drawn with its bars, and a
// screenshot of each is kept ($ASSOCBOT_ARTIFACTS, else the test's
// directory).
func TestConsoleInABrowser(t *testing.T) {
	browser := chromium(t)
	st, _ := storetest.New(t)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now()
	const token = "777:console-browser"
	org, err := st.AddMember(ctx, store.NewMember{Name: "张组长", Phone: "13900000001", Branch: "东城镇", Role: models.RoleOrganizer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LinkByPhone(ctx, "13900000001", 601, 601); err != nil {
		t.Fatal(err)
	}
	for i, b := range []string{"东城镇/李家村", "东城镇/李家村", "东城镇/王庄村"} {
		phone := "1380000000" + strconv.Itoa(i+1)
		if _, err := st.AddMember(ctx, store.NewMember{Name: "会员" + strconv.Itoa(i+1), Phone: phone, Branch: b}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := st.LinkByPhone(ctx, phone, int64(700+i), int64(700+i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// An activity day held last week in the village, one member checked in.
	held := now.Add(-7 * 24 * time.Hour)
	if models.QuarterOf(held.In(sh)) != models.QuarterOf(now.In(sh)) {
		held = now.Add(-2 * time.Hour)
	}
	e := &models.Event{Kind: models.EventActivityDay, Title: "会员活动日", StartAt: held, DurationMin: 60, Audience: "branch:东城镇/李家村", RSVP: true, CreatedBy: &org.ID}
	if _, err := st.CreateEvent(ctx, e, sh, held.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	m1, _ := st.MemberByPhone(ctx, "13800000001")
	if err := st.SetCheckIn(ctx, e.ID, held, m1.ID, true, org, sh, held.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A meeting of the village in two days: 会员1 will come, 会员2 (not
	// on Telegram) has not answered.
	meeting := &models.Event{Kind: models.EventMeeting, Title: "村民小组会", StartAt: now.Add(48 * time.Hour).Truncate(time.Hour),
		DurationMin: 60, Audience: "branch:东城镇/李家村", RSVP: true, CreatedBy: &org.ID}
	if _, err := st.CreateEvent(ctx, meeting, sh, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetRSVP(ctx, meeting.ID, meeting.StartAt, m1, models.AnswerYes, 0, sh, now); err != nil {
		t.Fatal(err)
	}
	// A survey to the town, and an organizer of another town who may not
	// read it.
	sv := &models.Survey{Title: "活动满意度", Audience: "branch:东城镇", OpensAt: now,
		Questions: []models.SurveyQuestion{{Kind: models.QuestionSatisfaction, Text: "您对本季度的活动满意吗？"}}}
	if _, err := st.CreateSurvey(ctx, sv, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddMember(ctx, store.NewMember{Name: "西组长", Phone: "13900000009", Branch: "西城镇", Role: models.RoleOrganizer}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.LinkByPhone(ctx, "13900000009", 609, 609); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	console.New(st, console.Config{Token: token, Location: sh}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/app/api/surveys", nil)
	req.Header.Set("Authorization", "tma "+console.SignInitData(token, 609, "西组长", "zh", time.Now()))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var other struct{ Surveys []console.Survey }
	_ = json.NewDecoder(resp.Body).Decode(&other)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(other.Surveys) != 0 {
		t.Fatalf("another town's organizer reads %d surveys (%d)", len(other.Surveys), resp.StatusCode)
	}
	scope, err := st.Scope(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	from, to := models.QuarterOf(now.In(sh)).Span(sh)
	want, err := st.StatsFor(ctx, scope, from, to, now, sh)
	if err != nil || len(want) != 1 {
		t.Fatalf("the store's figures %+v %v", want, err)
	}
	artefacts := os.Getenv("ASSOCBOT_ARTIFACTS")
	if artefacts == "" {
		artefacts = t.TempDir()
	}
	if err := os.MkdirAll(artefacts, 0o755); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.WindowSize(360, 740), chromedp.Flag("lang", "zh-CN"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	for _, c := range []struct {
		lang, title, members string
	}{
		{"zh", "分会数据", "会员"},
		{"zh-hant", "分會數據", "會員"},
		{"en", "Branch figures", "Members"},
	} {
		browse, cancel := chromedp.NewContext(alloc)
		browse, cancelTimeout := context.WithTimeout(browse, 60*time.Second)
		link := srv.URL + "/app/#tgWebAppData=" + url.QueryEscape(console.SignInitData(token, 601, "张组长", c.lang, time.Now())) +
			"&tgWebAppThemeParams=" + url.QueryEscape(`{"bg_color":"#ffffff","text_color":"#000000","button_color":"#2481cc"}`)
		err := chromedp.Do(browse,
			chromedp.EmulateViewport(360, 740),
			chromedp.Navigate(link),
			chromedp.WaitVisible(chromedp.CSS(`article.branch`)),
			chromedp.WaitVisible(chromedp.CSS(`figure.history svg rect.qbar`)),
		)
		text := func(sel string) string {
			v, rerr := chromedp.Run(browse, chromedp.Text(chromedp.CSS(sel)))
			if rerr != nil && err == nil {
				err = rerr
			}
			return strings.TrimSpace(v)
		}
		title, members, linked := text(`#title`), text(`[data-figure=members] span`), text(`[data-figure=linked] b`)
		activities, checkedIn := text(`[data-figure=activities] b`), text(`[data-figure=checked_in] b`)
		attr, aerr := chromedp.Run(browse, chromedp.AttributeValue(chromedp.CSS(`article.branch`), "data-branch"))
		bars, berr := chromedp.Run(browse, chromedp.Evaluate[int](`document.querySelectorAll("figure.history rect.qbar").length`))
		children, cerr := chromedp.Run(browse, chromedp.Evaluate[string](`Array.from(document.querySelectorAll(".child")).map(function (c) { return c.dataset.child + "=" + c.querySelector("i").style.width; }).join(",")`))
		if err == nil {
			err = cerr
		}
		surveyLine, serr2 := chromedp.Run(browse, chromedp.Evaluate[string](`(function () { var s = document.querySelector("details.survey summary"); return s ? s.textContent : ""; })()`))
		if err == nil {
			err = serr2
		}
		exports, xerr := chromedp.Run(browse, chromedp.Evaluate[int](`document.querySelectorAll("#exports button").length`))
		if err == nil {
			err = xerr
		}
		// Nothing wider than the phone, and no error shown.
		width, werr := chromedp.Run(browse, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err == nil {
			err = werr
		}
		errorShown, eerr := chromedp.Run(browse, chromedp.Evaluate[bool](`!document.getElementById("error").hidden`))
		if err == nil {
			err = eerr
		}
		shot, serr := chromedp.Run(browse, chromedp.FullScreenshot(100))
		for _, e := range []error{aerr, berr, serr} {
			if err == nil {
				err = e
			}
		}
		// The meeting opens to its answers; the name of the one who has
		// not answered opens their card, as the chat's card reads.
		if err == nil {
			err = chromedp.Do(browse,
				chromedp.Click(chromedp.CSS(`details.event summary`)),
				chromedp.WaitVisible(chromedp.CSS(`.roll button.member`)),
				chromedp.Click(chromedp.CSS(`.roll button.member`)),
				chromedp.WaitVisible(chromedp.CSS(`#card[open] #card-text`)),
			)
		}
		event, roll, unheard := text(`details.event summary`), text(`.roll pre`), text(`.roll button.member`)
		card, cardShot := text(`#card-text`), []byte(nil)
		if err == nil {
			cardShot, err = chromedp.Run(browse, chromedp.FullScreenshot(100))
		}
		// The roster search opens a card too.
		if err == nil {
			err = chromedp.Do(browse,
				chromedp.Click(chromedp.CSS(`#card-close`)),
				chromedp.SendKeys(chromedp.CSS(`#q`), "会员3"),
				chromedp.WaitVisible(chromedp.CSS(`#found button.member`)),
				chromedp.Click(chromedp.CSS(`#found button.member`)),
				chromedp.WaitVisible(chromedp.CSS(`#card[open] #card-text`)),
			)
		}
		found := text(`#card-text`)
		branch := attr.Value
		cancelTimeout()
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", c.lang, err)
		}
		w := want[0]
		pct := strconv.Itoa(100*w.Linked/w.Members) + "%"
		if title != c.title || strings.TrimSpace(members) != c.members || branch != w.Path || linked != pct ||
			activities != strconv.Itoa(w.Activities) || checkedIn != strconv.Itoa(w.CheckedIn) {
			t.Fatalf("%s: the page shows %q %q %q linked %q activities %q check-ins %q; the store: %s, %s linked, %d activities, %d check-ins",
				c.lang, title, members, branch, linked, activities, checkedIn, w.Path, pct, w.Activities, w.CheckedIn)
		}
		if w.Activities != 1 || w.CheckedIn != 1 {
			t.Fatalf("the seeded quarter: %+v", w.Figures)
		}
		// A bar a village: 李家村 has one of its two members on Telegram.
		if children != "东城镇/李家村=50%,东城镇/王庄村=0%" {
			t.Fatalf("%s: the sub-branches' bars %q", c.lang, children)
		}
		if !strings.HasPrefix(surveyLine, "活动满意度 · ") || !strings.HasSuffix(surveyLine, " 0/4") {
			t.Fatalf("%s: the survey's line %q", c.lang, surveyLine)
		}
		if width > 360 || errorShown {
			t.Fatalf("%s: the page is %d px wide at 360; an error shown: %v", c.lang, width, errorShown)
		}
		if exports != 4 {
			t.Fatalf("%s: %d export buttons, want 4", c.lang, exports)
		}
		if !strings.HasSuffix(event, " · 村民小组会") || !strings.Contains(roll, "会员1") || unheard != "会员2 📵" ||
			!strings.Contains(card, "会员2") || !strings.Contains(card, "东城镇/李家村") || !strings.Contains(found, "会员3") {
			t.Fatalf("%s: the event %q answers %q, not answered %q; 会员2's card %q; the search's card %q", c.lang, event, roll, unheard, card, found)
		}
		if err := os.WriteFile(filepath.Join(artefacts, "console-card-"+c.lang+".png"), cardShot, 0o644); err != nil {
			t.Fatal(err)
		}
		if bars != 12 { // four quarters × three series
			t.Fatalf("%s: the chart has %d bars, want 12", c.lang, bars)
		}
		path := filepath.Join(artefacts, "console-"+c.lang+".png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", path, len(shot))
	}
}
