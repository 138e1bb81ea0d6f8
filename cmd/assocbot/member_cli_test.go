package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// cliDB is a migrated database for CLI tests and the environment naming it.
func cliDB(t *testing.T) (string, env) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "cli.db")
	getenv := func(k string) string {
		return map[string]string{"ASSOCBOT_DB": db, "ASSOCBOT_TZ": "Asia/Shanghai"}[k]
	}
	if code, _, errOut := runCLI(t, getenv, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	return db, getenv
}

// everyRow renders every row of every table, so that a test can say a
// refused command changed none.
func everyRow(t *testing.T, db string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	tables, err := storetest.Tables(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := storetest.Dump(ctx, db, "SELECT * FROM "+table+" ORDER BY 1")
		if err != nil {
			t.Fatal(err)
		}
		out[table] = strings.Split(rows, "\n")
	}
	return out
}

func sameRowsAs(t *testing.T, what string, before, after map[string][]string) {
	t.Helper()
	for table, rows := range before {
		if !slices.Equal(rows, after[table]) {
			t.Errorf("%s changed %s: %d rows before, %d after", what, table, len(rows), len(after[table]))
		}
	}
}

// mustCLI runs a command that must succeed and returns its stdout.
func mustCLI(t *testing.T, getenv env, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, getenv, "", args...)
	if code != 0 {
		t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
	}
	return out
}

// refused runs a command that must be refused as bad input: exit 2, a line
// holding each of want and the --help to read, and no row changed.
func refused(t *testing.T, db string, getenv env, want []string, args ...string) {
	t.Helper()
	before := everyRow(t, db)
	code, out, errOut := runCLI(t, getenv, "", args...)
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if code != 2 || out != "" || len(lines) != 2 || !strings.HasPrefix(lines[1], "see `assocbot ") || strings.Contains(errOut, "store:") {
		t.Errorf("%v: exit %d, want 2 with one line and its --help\nstdout: %q\nstderr: %q", args, code, out, errOut)
	}
	for _, w := range want {
		if !strings.Contains(lines[0], w) {
			t.Errorf("%v: %q does not say %q", args, lines[0], w)
		}
	}
	sameRowsAs(t, strings.Join(args, " "), before, everyRow(t, db))
}

// TestMemberAddMakesNoBranchFromATypo: a branch that does not exist is
// refused with the nearest names (a village or a whole town misspelt), and
// no branch or member is written; --new-branch (or branch add) makes it.
func TestMemberAddMakesNoBranchFromATypo(t *testing.T) {
	db, env := cliDB(t)
	if out := mustCLI(t, env, "member", "add", "--name", "张组长", "--phone", "13800000001", "--branch", "东城镇/李家村", "--new-branch", "--role", "organizer"); out !=
		"new branch: 东城镇\nnew branch: 东城镇/李家村\nadded member 1: 张组长 138 0000 0001 (东城镇/李家村, organizer)\n" {
		t.Fatalf("member add --new-branch: %q", out)
	}
	for _, typo := range []string{"东城镇/李佳村", "东成镇/李家村"} {
		refused(t, db, env, []string{`there is no branch "` + typo + `"`, "did you mean 东城镇/李家村?", "--new-branch"},
			"member", "add", "--name", "王芳", "--phone", "13800000002", "--branch", typo)
	}
	refused(t, db, env, []string{"--new-branch goes with --branch"}, "member", "add", "--name", "王芳", "--phone", "13800000002", "--new-branch")
	if tables := tableCounts(t, db); tables["branches"] != 2 || tables["members"] != 1 {
		t.Fatalf("after the typos: %v", tables)
	}
	if out := mustCLI(t, env, "member", "add", "--name", "王芳", "--phone", "13800000002", "--branch", "东城镇/李佳村", "--new-branch"); out !=
		"new branch: 东城镇/李佳村\nadded member 2: 王芳 138 0000 0002 (东城镇/李佳村, member)\n" {
		t.Fatalf("a new village on purpose: %q", out)
	}
	if out := mustCLI(t, env, "member", "add", "--name", "Li Wei", "--phone", "13800000003", "--branch", "东城镇/李家村", "--new-branch"); out !=
		"added member 3: Li Wei 138 0000 0003 (东城镇/李家村, member)\n" {
		t.Fatalf("--new-branch for a branch there is: %q", out)
	}
	if out := mustCLI(t, env, "branch", "add", "西城社区/南街"); out != "new branch: 西城社区\nnew branch: 西城社区/南街\n" {
		t.Fatalf("branch add: %q", out)
	}
	if out := mustCLI(t, env, "branch", "add", "西城社区"); out != "branch 西城社区 exists already\n" {
		t.Fatalf("branch add again: %q", out)
	}
	mustCLI(t, env, "member", "add", "--name", "陳美玲", "--phone", "13800000004", "--branch", "西城社区/南街")
	if tables := tableCounts(t, db); tables["branches"] != 5 || tables["members"] != 4 {
		t.Fatalf("at the end: %v", tables)
	}
}

// TestTakenPhoneNamesItsHolder: member add, and member edit to a phone
// someone has, say who has it (name, branch, role: the CLI's user is an
// admin) and write nothing.
func TestTakenPhoneNamesItsHolder(t *testing.T) {
	db, env := cliDB(t)
	mustCLI(t, env, "member", "add", "--name", "张组长", "--phone", "13800000001", "--branch", "东城镇", "--new-branch", "--role", "organizer")
	mustCLI(t, env, "member", "add", "--name", "王芳", "--phone", "13800000002", "--branch", "东城镇")
	holder := []string{"138 0000 0001 is already the phone of 张组长 (member 1, 东城镇, organizer)"}
	refused(t, db, env, holder, "member", "add", "--name", "李四", "--phone", "+86 138-0000-0001", "--branch", "东城镇")
	refused(t, db, env, holder, "member", "edit", "13800000002", "--phone", "138 0000 0001", "--name", "王芳芳")
}

// TestMemberEdit: each field changes alone, the rest kept; an organizer's
// scope follows a move or a promotion (as the import's does); each bad
// input, checked as member add checks it, is exit 2 and changes no row.
func TestMemberEdit(t *testing.T) {
	db, env := cliDB(t)
	mustCLI(t, env, "member", "add", "--name", "张组长", "--phone", "13800000001", "--branch", "东城镇", "--new-branch", "--role", "organizer")
	mustCLI(t, env, "member", "add", "--name", "王芳", "--phone", "13800000002", "--branch", "东城镇/李家村", "--new-branch", "--tags", "volunteer")
	scopes := func(phone string) []string {
		t.Helper()
		st, err := store.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		m, err := st.MemberByPhone(context.Background(), phone)
		if err != nil {
			t.Fatal(err)
		}
		bs, err := st.OrganizedBranches(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, b := range bs {
			out = append(out, b.Path)
		}
		return out
	}

	for _, c := range []struct {
		want []string
		args []string
	}{
		{[]string{"--name", "control character"}, []string{"--name", "王\x1b[2J芳"}},
		{[]string{"--name may not be empty"}, []string{"--name", " "}},
		{[]string{"--phone", "not a valid phone number"}, []string{"--phone", "12"}},
		{[]string{"--branch", "none may be empty"}, []string{"--branch", "东城镇//李家村"}},
		{[]string{"--branch may not be empty"}, []string{"--branch", ""}},
		{[]string{`there is no branch "东城镇/李佳村"`, "did you mean 东城镇/李家村?"}, []string{"--branch", "东城镇/李佳村", "--role", "organizer"}},
		{[]string{"--role must be"}, []string{"--role", "boss"}},
		{[]string{"--lang must be"}, []string{"--lang", "fr"}},
		{[]string{"--tz", "not a time zone"}, []string{"--tz", "Mars/Olympus"}},
		{[]string{"--tags", "control character"}, []string{"--tags", "away,a\u202eb"}},
		{[]string{"--new-branch goes with --branch"}, []string{"--new-branch", "--name", "王芳芳"}},
		{[]string{"needs what to change"}, nil},
		{[]string{"flag provided but not defined: -status"}, []string{"--status", "left"}},
	} {
		refused(t, db, env, c.want, append([]string{"member", "edit", "13800000002"}, c.args...)...)
	}
	refused(t, db, env, []string{"no member has the phone 13900000009"}, "member", "edit", "13900000009", "--name", "X")
	refused(t, db, env, []string{"needs the member's phone"}, "member", "edit", "--name", "X")

	other := func() string {
		t.Helper()
		for _, row := range everyRow(t, db)["members"] {
			if strings.Contains(row, "name=张组长") {
				return row
			}
		}
		t.Fatal("张组长 is gone")
		return ""
	}
	before := other()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "王芳芳"}, "changed member 2: 王芳芳 138 0000 0002 (东城镇/李家村, member, tags volunteer)\n"},
		{[]string{"--tags", "away,Driver"}, "changed member 2: 王芳芳 138 0000 0002 (东城镇/李家村, member, tags away,driver)\n"},
		{[]string{"--lang", "zh-hant", "--tz", "Europe/Berlin"}, "changed member 2: 王芳芳 138 0000 0002 (东城镇/李家村, member, zh-Hant, Europe/Berlin, tags away,driver)\n"},
		{[]string{"--lang", "", "--tz", "", "--tags", ""}, "changed member 2: 王芳芳 138 0000 0002 (东城镇/李家村, member)\n"},
		{[]string{"--branch", "东城镇"}, "changed member 2: 王芳芳 138 0000 0002 (东城镇, member)\n"},
		{[]string{"--role", "organizer"}, "changed member 2: 王芳芳 138 0000 0002 (东城镇, organizer)\n"},
		{[]string{"--branch", "西城社区", "--new-branch"}, "new branch: 西城社区\nchanged member 2: 王芳芳 138 0000 0002 (西城社区, organizer)\n"},
		{[]string{"--phone", "+86 139-0000-0009"}, "changed member 2: 王芳芳 139 0000 0009 (西城社区, organizer)\n"},
	} {
		phone := "13800000002"
		if out := mustCLI(t, env, append([]string{"member", "edit", phone}, c.args...)...); out != c.want {
			t.Fatalf("edit %v: %q, want %q", c.args, out, c.want)
		}
		switch c.args[0] {
		case "--role":
			if s := scopes(phone); !slices.Equal(s, []string{"东城镇"}) {
				t.Fatalf("made organizer of 东城镇: scopes %v", s)
			}
		case "--branch":
			if s := scopes(phone); len(s) > 0 && !slices.Contains(s, "西城社区") {
				t.Fatalf("an organizer moved to 西城社区: scopes %v", s)
			}
		}
	}
	if s := scopes("13900000009"); !slices.Contains(s, "西城社区") {
		t.Fatalf("scopes after the moves %v", s)
	}
	if after := other(); after != before {
		t.Fatalf("another member changed:\n%s\n%s", before, after)
	}
}
