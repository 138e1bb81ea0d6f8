package models_test

import (
	"testing"

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
