package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models/roster/rostertest"
)

// bigRoster writes a member list of n good rows as a town office would
// send it: Chinese headers, 5 towns of 20 villages, tags, languages, and a
// check with its last date for every third member.
func bigRoster(w io.Writer, n int) error {
	surnames := []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
	given := []rune("芳伟娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂")
	langs := []string{"zh-Hans", "zh-Hans", "zh-Hans", "zh-Hant", "en"}
	var b bytes.Buffer
	b.WriteString("姓名,手机,分会,标签,角色,语言,检查类型,上次检查\n")
	for i := 0; i < n; i++ {
		name := string([]rune{surnames[i%len(surnames)], given[(i/len(surnames))%len(given)], given[(i/7)%len(given)]})
		branch := fmt.Sprintf("镇%d/村%02d", i%5+1, (i/5)%20+1)
		tags, kind, last := "", "", ""
		if i%10 == 0 {
			tags = "\"volunteer,away\""
		}
		if i%3 == 0 {
			kind, last = "quarterly_check", fmt.Sprintf("2026-%02d-%02d", i%9+1, i%28+1)
		}
		fmt.Fprintf(&b, "%s,1%010d,%s,%s,member,%s,%s,%s\n", name, 3000000000+i, branch, tags, langs[i%len(langs)], kind, last)
		if b.Len() > 1<<20 {
			if _, err := w.Write(b.Bytes()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// BenchmarkImport100k imports a 100,000-row CSV into a fresh SQLite
// database with `assocbot import` (the CLI's own code), then again (every
// row unchanged). ASSOCBOT_BENCH_N changes the size; ASSOCBOT_BENCH_ROSTER
// keeps the file there (to time the binary: /usr/bin/time -v assocbot
// import FILE).
func BenchmarkImport100k(b *testing.B) {
	n := 100000
	if s := os.Getenv("ASSOCBOT_BENCH_N"); s != "" {
		fmt.Sscan(s, &n)
	}
	file := os.Getenv("ASSOCBOT_BENCH_ROSTER")
	if file == "" {
		file = filepath.Join(b.TempDir(), "roster.csv")
	}
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	if err := bigRoster(f, n); err != nil {
		b.Fatal(err)
	}
	f.Close()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := filepath.Join(b.TempDir(), "big.db")
		env := func(k string) string { return map[string]string{"ASSOCBOT_DB": db}[k] }
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"migrate"}, strings.NewReader(""), &out, &errOut, env, testClock); code != 0 {
			b.Fatalf("migrate: %s", errOut.String())
		}
		runtime.GC()
		b.StartTimer()
		start := time.Now()
		var code int
		peak := rostertest.PeakHeap(func() {
			code = run(context.Background(), []string{"import", file}, strings.NewReader(""), &out, &errOut, env, testClock)
		})
		first := time.Since(start)
		if code != 0 || !strings.Contains(out.String(), fmt.Sprintf("new members: %d", n)) {
			b.Fatalf("import: %d %s %s", code, out.String(), errOut.String())
		}
		out.Reset()
		start = time.Now()
		code = run(context.Background(), []string{"import", file}, strings.NewReader(""), &out, &errOut, env, testClock)
		again := time.Since(start)
		if code != 0 || !strings.Contains(out.String(), fmt.Sprintf("unchanged: %d", n)) {
			b.Fatalf("re-import: %d %s", code, out.String())
		}
		b.ReportMetric(first.Seconds(), "s/import")
		b.ReportMetric(again.Seconds(), "s/reimport")
		b.ReportMetric(float64(peak)/(1<<20), "MB-peak-heap")
	}
}
