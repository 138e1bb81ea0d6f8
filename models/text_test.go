package models_test

import (
	"errors"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
)

func TestValidText(t *testing.T) {
	for _, c := range []struct {
		name      string
		s         string
		single    bool // valid as a name, branch, tag, place or title
		multiline bool // valid as a description, broadcast or summary
	}{
		{"empty", "", true, true},
		{"chinese name", "王芳", true, true},
		{"traditional", "陳美玲", true, true},
		{"english with space", "Li Wei", true, true},
		{"branch path", "东城镇/新村", true, true},
		{"formula is text", `=HYPERLINK("http://x","点击查看")`, true, true},
		{"emoji", "会员日 🎉", true, true},
		{"left-to-right mark", "a\u200eb", true, true},
		{"replacement char", "a\ufffdb", true, true},
		{"nul", "王\x00芳", false, false},
		{"nul alone", "\x00", false, false},
		{"escape", "\x1b[31m红", false, false},
		{"bell", "a\x07", false, false},
		{"backspace", "a\bb", false, false},
		{"unit separator", "a\x1fb", false, false},
		{"newline", "第一行\n第二行", false, true},
		{"tab", "a\tb", false, true},
		{"crlf", "a\r\nb", false, true},
		{"carriage return", "a\rb", false, true},
		{"del", "a\x7fb", false, false},
		{"c1 next line", "a\u0085b", false, false},
		{"c1 csi", "a\u009bb", false, false},
		{"c1 first", "a\u0080b", false, false},
		{"c1 last", "a\u009fb", false, false},
		{"latin-1 after c1", "Zoë\u00a0", true, true},
		{"line separator", "a\u2028b", false, true},
		{"paragraph separator", "a\u2029b", false, true},
		{"right-to-left override", "abc\u202edcba", false, false},
		{"left-to-right embedding", "a\u202ab", false, false},
		{"pop directional", "a\u202cb", false, false},
		{"isolate", "a\u2066b\u2069", false, false},
		{"first strong isolate", "a\u2068b", false, false},
		{"invalid utf-8", "a\xffb", false, false},
		{"gbk bytes", "\xc4\xe3\xba\xc3", false, false},
		{"encoded surrogate", "a\xed\xa0\x80b", false, false},
		{"truncated rune", "王"[:2], false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := models.ValidText(c.s, false); got != c.single {
				t.Errorf("ValidText(%q, false) = %v, want %v", c.s, got, c.single)
			}
			if got := models.ValidText(c.s, true); got != c.multiline {
				t.Errorf("ValidText(%q, true) = %v, want %v", c.s, got, c.multiline)
			}
		})
	}
}

// TestTextRuleInEveryValidation: the rules that check an event, a branch
// path, an audience and a kind of plan refuse what ValidText refuses, and
// say so with ErrBadText.
func TestTextRuleInEveryValidation(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, sh)
	event := func(edit func(e *models.Event)) error {
		e := models.Event{Kind: models.EventMeeting, Title: "月度例会", Location: "村委会二楼", Description: "议程：\n一、\t总结",
			StartAt: now.Add(7 * 24 * time.Hour), Audience: "branch:Town"}
		edit(&e)
		return e.Validate(sh, now)
	}
	if err := event(func(*models.Event) {}); err != nil {
		t.Fatalf("a good event with a description of two lines: %v", err)
	}
	for name, edit := range map[string]func(e *models.Event){
		"title nul":          func(e *models.Event) { e.Title = "月度\x00例会" },
		"title newline":      func(e *models.Event) { e.Title = "月度\n例会" },
		"title override":     func(e *models.Event) { e.Title = "\u202e会例度月" },
		"place escape":       func(e *models.Event) { e.Location = "二楼\x1b[0m" },
		"place tab":          func(e *models.Event) { e.Location = "二\t楼" },
		"description nul":    func(e *models.Event) { e.Description = "议程\x00" },
		"description del":    func(e *models.Event) { e.Description = "议程\x7f" },
		"description gbk":    func(e *models.Event) { e.Description = "\xc4\xe3\xba\xc3" },
		"title invalid utf8": func(e *models.Event) { e.Title = "\xff" },
	} {
		if err := event(edit); !errors.Is(err, models.ErrBadText) {
			t.Errorf("event with %s: err = %v, want ErrBadText", name, err)
		}
	}

	for _, p := range []string{"东城镇/\x00", "东城镇\x1b/李家村", "东城镇/李\u0085家村", "Town/\u202eegalliV", "\xc4\xe3"} {
		_, err := models.CleanBranchPath(p)
		if !errors.Is(err, models.ErrBadBranchPath) || !errors.Is(err, models.ErrBadText) {
			t.Errorf("CleanBranchPath(%q): err = %v, want ErrBadBranchPath and ErrBadText", p, err)
		}
		if _, err := models.ParseAudience("branch:" + p); !errors.Is(err, models.ErrBadAudience) {
			t.Errorf("ParseAudience(branch:%q): err = %v, want ErrBadAudience", p, err)
		}
	}
	if p, err := models.CleanBranchPath(" 东城镇 / 李家村 "); err != nil || p != "东城镇/李家村" {
		t.Errorf("a good path: %q, %v", p, err)
	}
	for _, tag := range []string{"a\x00", "志愿者\x1b", "\u2066x"} {
		if _, err := models.ParseAudience("tag:" + tag); !errors.Is(err, models.ErrBadAudience) {
			t.Errorf("ParseAudience(tag:%q): err = %v, want ErrBadAudience", tag, err)
		}
	}

	kind := models.PlanKind{Key: "annual_check", For: models.ForMember, NameZhHans: "年度体检", NameZhHant: "年度體檢", NameEn: "Annual check",
		Every: "12m", Offsets: "-7,0,7"}
	if err := kind.Validate(); err != nil {
		t.Fatalf("a good kind: %v", err)
	}
	kind.NameEn = "Annual\x00check"
	if err := kind.Validate(); !errors.Is(err, models.ErrPlanKindNames) || !errors.Is(err, models.ErrBadText) {
		t.Errorf("a kind named with a NUL: err = %v, want ErrPlanKindNames and ErrBadText", err)
	}
}
