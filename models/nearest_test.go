package models_test

import (
	"slices"
	"testing"

	"github.com/assocbot/assocbot/models"
)

func TestNearest(t *testing.T) {
	branches := []string{"东城镇", "东城镇/李家村", "东城镇/王庄村", "西城社区"}
	for _, c := range []struct {
		typed string
		want  []string
	}{
		{"东城镇/李佳村", []string{"东城镇/李家村", "东城镇/王庄村"}},
		{"东成镇/李家村", []string{"东城镇/李家村", "东城镇/王庄村"}},
		{"东城真", []string{"东城镇"}},
		{"西城社", []string{"西城社区", "东城镇"}}, // two edits are near for a short name
		{"Springfield", nil},
	} {
		if got := models.Nearest(c.typed, branches); !slices.Equal(got, c.want) {
			t.Errorf("Nearest(%q) = %q, want %q", c.typed, got, c.want)
		}
	}
}
