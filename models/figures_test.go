package models_test

import (
	"testing"

	"github.com/assocbot/assocbot/models"
)

func TestFiguresAndPeriods(t *testing.T) {
	figs, err := models.ParseFigures(" ops:节育手术:operations:節育手術, in:流入:moved in:流入 ")
	if err != nil || len(figs) != 2 || figs[1].Name("en") != "moved in" || figs[0].Name("zh-Hant") != "節育手術" {
		t.Fatalf("%+v %v", figs, err)
	}
	for _, bad := range []string{"ops", "ops:a:b", "OPS:a:b:c", "ops:a:b:c,ops:d:e:f", "ops::b:c"} {
		if _, err := models.ParseFigures(bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
	for in, want := range map[string][2]string{"2026-12": {"2026-12", "2026-11"}, "2026-01": {"2026-01", "2025-12"}, "2026q1": {"2026Q1", "2025Q4"}, "2026Q3": {"2026Q3", "2026Q2"}} {
		p, err := models.ParsePeriod(in)
		if err != nil || p.Label != want[0] || p.Previous().Label != want[1] || !p.Previous().To.Equal(p.From) {
			t.Errorf("%s: %+v %v (previous %+v)", in, p, err, p.Previous())
		}
	}
	for _, bad := range []string{"2026-13", "2026Q5", "Dec", ""} {
		if _, err := models.ParsePeriod(bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
}
