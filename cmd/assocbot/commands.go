package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// The command line is github.com/peterbourgon/ff/v3's ffcli: a tree of
// commands over the standard library's flag.FlagSet, so that every flag
// keeps the spelling it always had (-o, --db=x, --db x) and a command's
// flags are declared where the tree is built, which is what writes its
// --help. It is small and stable; cobra would bring pflag's GNU flags
// (which refuse -db) and a help and completion machinery we do not need.

// runner runs a command with the arguments its flags left.
type runner func(ctx context.Context, args []string) error

// cli is what a command reads and writes.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         env
	now            clock
}

// command is one command of the command line: a group of subcommands
// (subs) or a command that runs (run).
type command struct {
	name  string
	args  string                               // what follows the name, as the usage shows it
	about string                               // what it does, in a line
	flags func(fs *flag.FlagSet, c cli) runner // declares its flags; the runner runs it
	subs  []*command
}

// commands is the command line: run builds the ffcli tree from it, and
// the usage and every --help are written from it, so a command added here
// is in them.
func commands() *command {
	return &command{subs: []*command{
		{name: "run", args: "[flags]", about: "run the bot (flags override the ASSOCBOT_* variables)",
			flags: cmdRun},
		{name: "demo", args: "[--lang L]", about: "chat with the bot in this terminal: no token, no network",
			flags: cmdDemo},
		{name: "member", about: "the roster", subs: []*command{
			{name: "add", args: "--name N --phone P [--branch Town/Village [--new-branch]] [--role member|organizer|admin] [--lang L] [--tags a,b] [--tz Zone]",
				about: "put a person on the roster; a branch that does not exist is refused (with the nearest names) unless --new-branch", flags: cmdMemberAdd},
			{name: "edit", args: "PHONE [--name N] [--phone NEWPHONE] [--branch Town/Village [--new-branch]] [--role R] [--tags a,b] [--lang L] [--tz Zone] [--channel auto|telegram|sms] [--sms-health yes|no] [--sms-resume] [--household H] [--centre PHONE] [--birth YYYY-MM-DD] [--expected YYYY-MM] [--difficulty yes|no]",
				about: "change the given fields of a member, the others kept (--tags replaces the tags; --lang \"\" and --tz \"\" clear them)", flags: cmdMemberEdit},
			{name: "list", about: "the whole roster", flags: cmdMemberList},
			{name: "remove", args: "PHONE", about: "mark a member as left: history kept, nothing more sent", flags: cmdMemberRemove},
		}},
		{name: "branch", about: "the branches", subs: []*command{
			{name: "add", args: "Town/Village", about: "create a branch, and any missing above it", flags: cmdBranchAdd},
			{name: "list", about: "the branches as a tree, with their members", flags: cmdBranchList},
			{name: "set", args: "Town/Village --care-june yes|no", about: "whether its families in difficulty are visited before 六一 too", flags: cmdBranchSet},
		}},
		{name: "invite", args: "PHONE", about: "print a member's invitation link (needs ASSOCBOT_TOKEN)",
			flags: cmdInvite},
		{name: "broadcast", args: `--audience all|branch:Town/Village|branches:Town/A|Town/B|tag:T --text "..." [--at "2026-12-01 09:00"]`,
			about: "enqueue a notice; a running assocbot run sends it",
			flags: cmdBroadcast},
		{name: "notice", about: "recurring notices: yearly on a date or a lunar date, monthly, weekly", subs: []*command{
			{name: "add", args: `--audience A --text T [--text-en T …] (--rrule RRULE | --lunar MM-DD) [--at HH:MM] [--before 3d]`,
				about: "a notice sent on each date of its rule; prints its id and next three dates", flags: cmdNoticeAdd},
			{name: "list", about: "the recurring notices switched on, with their next dates", flags: cmdNoticeList},
			{name: "remove", args: "ID", about: "stop a recurring notice (a calendar entry is switched off)", flags: cmdNoticeRemove},
		}},
		{name: "calendar", about: "the association's year (3·8, 5·29, 六一, 9·25, 元旦, 春节 …), each entry off until switched on", subs: []*command{
			{name: "list", about: "the entries, their dates, audiences and whether they are on", flags: cmdCalendarList},
			{name: "enable", args: "KEY [--audience A] [--text-file F [--lang L]]", about: "switch an entry on, with its default texts in three languages or yours", flags: cmdCalendarEnable},
			{name: "disable", args: "KEY", about: "switch an entry off", flags: cmdCalendarDisable},
		}},
		{name: "faq", about: "frequent questions, offered to members before their question goes to the organizers", subs: []*command{
			{name: "add", args: "--question Q --answer A [--lang zh-Hans|zh-Hant|en] [--keywords k1,k2]", about: "a question with its answer", flags: cmdFAQAdd},
			{name: "list", about: "the frequent questions", flags: cmdFAQList},
			{name: "remove", args: "ID", about: "remove a frequent question", flags: cmdFAQRemove},
		}},
		{name: "event", about: "events", subs: []*command{
			{name: "add", args: `--kind activity_day|meeting|health_check_session|training|other --title T --start "YYYY-MM-DD HH:MM" [--end ...] [--location L] ` +
				`[--audience all|branch:P|tag:T] [--capacity N] [--guests] [--rsvp-deadline ...] [--rrule R] [--no-rsvp] [--on-holiday]`,
				about: "create an event and announce it (one on a statutory holiday needs --on-holiday)", flags: cmdEventAdd},
			{name: "list", about: "every event, with its next time", flags: cmdEventList},
		}},
		{name: "plan", about: "health checks and organizers' duties", subs: []*command{
			{name: "kind", about: "kinds of check and duty", subs: []*command{
				{name: "add", args: "--key K --for member|duty --name-zh-hans N --name-zh-hant N --name-en N (--every 3m|90d | --rrule R) [--offsets -7,0,3,7] [--certificate] [--figures \"KEY:名称:name:名稱,…\"] [--workdays]",
					about: "a new kind of check (for members) or duty (for organizers)", flags: cmdPlanKindAdd},
				{name: "list", about: "the kinds", flags: cmdPlanKindList},
			}},
			{name: "assign", args: "--kind K --audience branch:Town/Village|tag:T|all|members:ID,ID [--first-due YYYY-MM-DD] [--once --due YYYY-MM-DD]",
				about: "give a kind to an audience's members; a duty to the organizers of branch:P (or listed organizers, members:ID)", flags: cmdPlanAssign},
			{name: "done", args: "--phone P --kind K [--date YYYY-MM-DD]", about: "record a member's check done", flags: cmdPlanDone},
			{name: "list", args: "[--overdue]", about: "every plan, or the overdue ones", flags: cmdPlanList},
		}},
		{name: "import", args: "FILE [--dry-run] [--lang L] [--max-mb N]",
			about: "a member list, CSV or XLSX (columns name, phone, branch, tags, role, language, check_kind, check_interval, last_check, or 姓名, 手机, 分会 …), all or nothing; a dry run names the branches it would create",
			flags: cmdImport},
		{name: "export", args: "members|overdue|records|visits|event ID [--quarter 2026Q4] [--format xlsx|csv] [--lang L] -o FILE",
			about: "a table as an XLSX or CSV file",
			flags: cmdExport},
		{name: "survey", about: "surveys and the satisfaction rate (满意率)", subs: []*command{
			{name: "add", args: `--title T --audience A --question "TEXT" [--question …] [--kind satisfaction|choice|yesno …] [--options "a|b|c" …] [--comment N …] [--anonymous] [--closes "YYYY-MM-DD HH:MM"] [--remind-hours 24]`,
				about: "ask an audience; prints the survey's id", flags: cmdSurveyAdd},
			{name: "list", about: "every survey, with how many answered", flags: cmdSurveyList},
			{name: "close", args: "ID", about: "close a survey: no more answers", flags: cmdSurveyClose},
			{name: "results", args: "ID [--format text|csv|xlsx] [-o FILE] [--lang L]",
				about: "the response rate, each question's counts, the satisfaction rate, per branch", flags: cmdSurveyResults},
		}},
		{name: "report", about: "report duties' figures", subs: []*command{
			{name: "figures", args: "--kind K [--period 2026-12|2026Q4] [--format text|csv|xlsx] [-o FILE] [--lang L]",
				about: "the figures per branch for a period, against the one before; the branches that have not reported", flags: cmdReportFigures},
		}},
		{name: "visit", about: "home visits to families (newborn, care, follow-up, one-off)", subs: []*command{
			{name: "kind", about: "the kinds of visit", subs: []*command{
				{name: "list", about: "the kinds and when each is due", flags: cmdVisitKindList},
			}},
			{name: "assign", args: "--kind newborn|care|followup|once (--family PHONE | --tag T) [--to PHONE] [--due YYYY-MM-DD] [--every N]",
				about: "plan a visit to a family; prints the visit's id", flags: cmdVisitAssign},
			{name: "list", args: "[--branch B] [--overdue] [--all]", about: "the visits to make (or missed, or all)", flags: cmdVisitList},
			{name: "done", args: `ID [--note T] [--gave T]`, about: "record a visit made today", flags: cmdVisitDone},
			{name: "cancel", args: "ID", about: "cancel a visit no longer wanted", flags: cmdVisitCancel},
		}},
		{name: "sms", about: "SMS for members without Telegram (ASSOCBOT_SMS_PROVIDER)", subs: []*command{
			{name: "template", about: "the provider's approved templates, one per kind of message and language", subs: []*command{
				{name: "list", about: "every kind that can go by SMS, its parameters, and the template set for it", flags: cmdSMSTemplateList},
				{name: "set", args: "--kind KIND --template ID [--lang L] [--params a,b]",
					about: "set the approved template of a kind (in a language, or any); --params the order of its variables", flags: cmdSMSTemplateSet},
			}},
		}},
		{name: "migrate", args: "[--from FILE.db --to postgres://…]",
			about: "bring the database schema up to date; with --from and --to, copy a SQLite database into an empty PostgreSQL one",
			flags: cmdMigrate},
		{name: "backup", args: "FILE", about: "a consistent copy of the SQLite database, taken while it is in use",
			flags: cmdBackup},
		{name: "version", about: "the version and the database schema it writes", flags: cmdVersion},
		{name: "help", args: "[COMMAND]", about: "what a command does, and its flags", flags: cmdHelp},
	}}
}

// helpWord asks a group for its usage (-h and --help are flags: the flag
// package answers them).
const helpWord = "help"

// tree is one command line's ffcli tree, and what the parse reached.
type tree struct {
	root *ffcli.Command
	// at is the command the arguments reached: the one a bad flag, a
	// --help or a usage error belongs to. ffcli calls a FlagSet's usage
	// when the flag package fails or is asked for help, and a command's
	// runner when it runs: both set it.
	at node
	// nodes are the tree's commands by path ("" the root, "plan kind add").
	nodes map[string]node
}

// node is a command of the table with where it stands and its flags.
type node struct {
	cmd  *command
	path []string
	fs   *flag.FlagSet
}

// build makes the ffcli tree for one command line read by c.
func build(c cli) *tree {
	t := &tree{nodes: map[string]node{}}
	t.root = t.add(commands(), nil, c)
	return t
}

func (t *tree) add(cmd *command, path []string, c cli) *ffcli.Command {
	n := node{cmd: cmd, path: path, fs: newFlags(strings.Join(path, " "))}
	t.nodes[strings.Join(path, " ")] = n
	fc := &ffcli.Command{
		Name:      cmd.name,
		FlagSet:   n.fs,
		ShortHelp: cmd.about,
		UsageFunc: func(*ffcli.Command) string { t.at = n; return "" },
	}
	if cmd.subs == nil {
		run := cmd.flags(n.fs, c)
		fc.Exec = func(ctx context.Context, args []string) error {
			t.at = n
			err := run(ctx, args)
			var h helpRequest
			if errors.As(err, &h) && h.cmd == nil {
				return helpRequest{n} // a --help after the arguments
			}
			return err
		}
		return fc
	}
	var version *bool
	if path == nil {
		version = n.fs.Bool("version", false, "the version")
		n.fs.BoolVar(version, "v", false, "the version")
	}
	for _, s := range cmd.subs {
		fc.Subcommands = append(fc.Subcommands, t.add(s, append(slices.Clone(path), s.name), c))
	}
	fc.Exec = func(ctx context.Context, args []string) error {
		t.at = n
		switch {
		case version != nil && *version:
			if len(args) > 0 {
				return usageError{fmt.Sprintf("unexpected argument %q", args[0])}
			}
			return printVersion(c)
		case len(args) == 0 && path == nil:
			return noCommand{}
		case len(args) == 0:
			return usageError{fmt.Sprintf("%s needs %s", strings.Join(path, " "), orList(cmd.names()))}
		case args[0] == helpWord:
			return helpRequest{n}
		}
		return cmd.unknown(path, args[0])
	}
	return fc
}

// noCommand is assocbot alone: the usage, on stderr, and exit 2.
type noCommand struct{}

func (noCommand) Error() string { return "no command" }

// names are the names of c's subcommands.
func (c *command) names() []string {
	names := make([]string, len(c.subs))
	for i, s := range c.subs {
		names[i] = s.name
	}
	return names
}

// unknown says that name is none of c's subcommands, and which it may
// have meant.
func (c *command) unknown(path []string, name string) error {
	msg := fmt.Sprintf("unknown command %q", name)
	if len(path) > 0 {
		msg = fmt.Sprintf("unknown %s command %q", strings.Join(path, " "), name)
	}
	if near := models.Nearest(name, c.names()); len(near) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", orList(near))
	}
	return usageError{msg}
}

// find walks names down the tree: the node they name, with its flags, or
// an error that says which one is unknown (spelt as the command line
// may spell them: ffcli matches names whatever their case).
func (t *tree) find(names []string) (node, error) {
	n := t.nodes[""]
	for _, name := range names {
		i := slices.IndexFunc(n.cmd.subs, func(s *command) bool { return strings.EqualFold(s.name, name) })
		if i < 0 {
			return n, n.cmd.unknown(n.path, name)
		}
		n = t.nodes[strings.Join(append(slices.Clone(n.path), n.cmd.subs[i].name), " ")]
	}
	return n, nil
}

// orList is "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// helpRequest is a --help or a help: the command's usage goes to stdout,
// and the exit code is 0.
type helpRequest struct{ node }

func (helpRequest) Error() string { return "help requested" }
func (helpRequest) Unwrap() error { return flag.ErrHelp }

// usage writes the command's usage: every command under it, with what it
// does, or a command's own with its flags.
func (n node) usage(w io.Writer) {
	if len(n.path) == 0 {
		fmt.Fprint(w, "assocbot — the association's Telegram reminder bot\n\n")
	}
	fmt.Fprint(w, "Usage:\n")
	if n.cmd.subs != nil {
		n.cmd.list(w, n.path)
		what := "CMD"
		if len(n.path) > 0 {
			what = strings.Join(n.path, " ") + " CMD"
		}
		fmt.Fprintf(w, "\nCommands that use the database take --db (default ASSOCBOT_DB); `assocbot %s --help` shows a command's flags.\n", what)
		return
	}
	fmt.Fprintf(w, "  %s\n\n%s\n", synopsis(n.path, n.cmd), capitalize(n.cmd.about))
	flags := 0
	n.fs.VisitAll(func(*flag.Flag) { flags++ })
	if flags > 0 {
		fmt.Fprint(w, "\nFlags:\n")
		n.fs.SetOutput(w)
		n.fs.PrintDefaults()
		n.fs.SetOutput(io.Discard)
	}
}

// list writes the usage line of every command under c.
func (c *command) list(w io.Writer, path []string) {
	for _, s := range c.subs {
		p := append(slices.Clone(path), s.name)
		if s.subs != nil {
			s.list(w, p)
			continue
		}
		fmt.Fprintf(w, "  %s\n      %s\n", synopsis(p, s), s.about)
	}
}

func synopsis(path []string, c *command) string {
	return strings.TrimSpace("assocbot " + strings.Join(path, " ") + " " + c.args)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// cmdVersion is `assocbot version` (and assocbot --version, -v).
func cmdVersion(fs *flag.FlagSet, c cli) runner {
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		return printVersion(c)
	}
}

func printVersion(c cli) error {
	_, err := fmt.Fprintf(c.stdout, "assocbot %s (schema %d)\n", version, store.LatestVersion())
	return err
}

// cmdHelp is `assocbot help [COMMAND]`: COMMAND's usage, as
// `assocbot COMMAND --help` writes it.
func cmdHelp(fs *flag.FlagSet, c cli) runner {
	return func(ctx context.Context, args []string) error {
		names, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		n, err := build(c).find(names)
		if err != nil {
			return err
		}
		return helpRequest{n}
	}
}
