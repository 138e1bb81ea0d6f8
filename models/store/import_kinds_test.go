package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestImportNamesKindsAsOrganizersSeeThem: a kind of check is named by its
// key or its name in any of the three languages (full-width brackets or
// not); a wrong one is answered with the kinds there are; an interval is
// said in words; a last check after today is refused; a row with several
// problems reports each; a member with two checks takes two lines.
func TestImportNamesKindsAsOrganizersSeeThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 12, 3, 10, 0, 0, 0, sh)
		opt := store.ImportOptions{Scope: models.Scope{Admin: true}, Location: sh, Now: now}
		cat, err := locales.New()
		if err != nil {
			t.Fatal(err)
		}
		good := "姓名,手机,分会,检查类型,检查间隔,上次检查\n" +
			"甲,13800000001,镇/村,季度孕检（三查）,3个月,2026-10-01\n" +
			"乙,13800000002,镇/村,季度孕檢(三查),,\n" +
			"丙,13800000003,镇/村,Quarterly check-up,3 months,\n" +
			"丁,13800000004,镇/村,quarterly_check,,2026/9/1\n" +
			"丁,13800000004,镇/村,孕前优生健康检查,,\n" // a second check of 丁
		rows, problems, _ := roster.Parse(strings.NewReader(good), roster.DefaultLimits())
		rep, err := st.ImportRoster(ctx, rows, problems, opt)
		if err != nil || !rep.Applied() || rep.New != 4 || rep.Plans != 5 {
			t.Fatalf("kinds by name: %+v %v\n%s", rep, err, rep.Text(cat, locales.En))
		}
		bad := "name,phone,branch,check_kind,check_interval,last_check\n" +
			"A,13800000011,Town,季度体检,,\n" + // no such kind
			"B,13800000012,Town,quarterly_check,6m,\n" + // its interval is 3 months
			"C,13800000013,Town,quarterly_check,,2026-12-04\n" + // tomorrow
			"D,not a phone,Town,no such kind,,\n" // two problems in one row
		rows, problems, _ = roster.Parse(strings.NewReader(bad), roster.DefaultLimits())
		rep, err = st.ImportRoster(ctx, rows, problems, opt)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range rep.Problems {
			got = append(got, string(p.Reason))
		}
		if strings.Join(got, ",") != "unknown_kind,bad_interval,future_date,bad_phone,unknown_kind" {
			t.Fatalf("problems %v", got)
		}
		for l, want := range map[locales.Lang][]string{
			locales.En:     {"due every 3 months", "Quarterly check-up (quarterly_check, every 3 months)", "2026-12-04 is after today"},
			locales.ZhHans: {"间隔是 3个月", "季度孕检（三查）（quarterly_check，每 3个月）"},
		} {
			text := rep.Text(cat, l)
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("%s report lacks %q:\n%s", l, w, text)
				}
			}
		}
		if n, _ := st.CountForTest(ctx, "members"); n != 4 {
			t.Fatalf("%d members after a refused import", n)
		}
	})
}
