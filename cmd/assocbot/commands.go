package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/assocbot/assocbot/models/store"
)

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
	name    string
	aliases []string // other spellings (--version for version)
	args    string   // what follows the name, as the usage shows it
	about   string   // what it does, in a line
	run     func(ctx context.Context, c cli, args []string) error
	subs    []*command
}

// commands is the command line: run dispatches by it, and the usage and
// every --help are written from it, so a command added here is in them.
func commands() *command {
	return &command{subs: []*command{
		{name: "run", args: "[flags]", about: "run the bot (flags override the ASSOCBOT_* variables)",
			run: func(ctx context.Context, c cli, args []string) error { return cmdRun(ctx, args, c.stderr, c.getenv) }},
		{name: "demo", args: "[--lang L]", about: "chat with the bot in this terminal: no token, no network",
			run: func(ctx context.Context, c cli, args []string) error {
				return cmdDemo(ctx, args, c.stdin, c.stdout, c.stderr, c.getenv)
			}},
		{name: "member", about: "the roster", subs: []*command{
			{name: "add", args: "--name N --phone P [--branch Town/Village [--new-branch]] [--role member|organizer|admin] [--lang L] [--tags a,b] [--tz Zone]",
				about: "put a person on the roster; a branch that does not exist is refused (with the nearest names) unless --new-branch", run: cmdMemberAdd},
			{name: "edit", args: "PHONE [--name N] [--phone NEWPHONE] [--branch Town/Village [--new-branch]] [--role R] [--tags a,b] [--lang L] [--tz Zone]",
				about: "change the given fields of a member, the others kept (--tags replaces the tags; --lang \"\" and --tz \"\" clear them)", run: cmdMemberEdit},
			{name: "list", about: "the whole roster", run: cmdMemberList},
			{name: "remove", args: "PHONE", about: "mark a member as left: history kept, nothing more sent", run: cmdMemberRemove},
		}},
		{name: "branch", about: "the branches", subs: []*command{
			{name: "add", args: "Town/Village", about: "create a branch, and any missing above it", run: cmdBranchAdd},
			{name: "list", about: "the branches as a tree, with their members", run: cmdBranchList},
		}},
		{name: "invite", args: "PHONE", about: "print a member's invitation link (needs ASSOCBOT_TOKEN)",
			run: func(ctx context.Context, c cli, args []string) error {
				return cmdInvite(ctx, args, c.stdout, c.stderr, c.getenv, c.now)
			}},
		{name: "broadcast", args: `--audience all|branch:Town/Village|branches:Town/A|Town/B|tag:T --text "..." [--at "2026-12-01 09:00"]`,
			about: "enqueue a notice; a running assocbot run sends it",
			run: func(ctx context.Context, c cli, args []string) error {
				return cmdBroadcast(ctx, args, c.stdout, c.stderr, c.getenv, c.now)
			}},
		{name: "event", about: "events", subs: []*command{
			{name: "add", args: `--kind activity_day|meeting|health_check_session|training|other --title T --start "YYYY-MM-DD HH:MM" [--end ...] [--location L] ` +
				`[--audience all|branch:P|tag:T] [--capacity N] [--guests] [--rsvp-deadline ...] [--rrule R] [--no-rsvp]`,
				about: "create an event and announce it", run: cmdEventAdd},
			{name: "list", about: "every event, with its next time", run: cmdEventList},
		}},
		{name: "plan", about: "health checks and organizers' duties", subs: []*command{
			{name: "kind", about: "kinds of check and duty", subs: []*command{
				{name: "add", args: "--key K --for member|duty --name-zh-hans N --name-zh-hant N --name-en N (--every 3m|90d | --rrule R) [--offsets -7,0,3,7] [--certificate]",
					about: "a new kind of check (for members) or duty (for organizers)", run: cmdPlanKindAdd},
				{name: "list", about: "the kinds", run: cmdPlanKindList},
			}},
			{name: "assign", args: "--kind K --audience branch:Town/Village|tag:T|all|members:ID,ID [--first-due YYYY-MM-DD]",
				about: "give a kind to an audience's members; a duty to the organizers of branch:P (or listed organizers, members:ID)", run: cmdPlanAssign},
			{name: "done", args: "--phone P --kind K [--date YYYY-MM-DD]", about: "record a member's check done", run: cmdPlanDone},
			{name: "list", args: "[--overdue]", about: "every plan, or the overdue ones", run: cmdPlanList},
		}},
		{name: "import", args: "FILE [--dry-run] [--lang L] [--max-mb N]",
			about: "a member list, CSV or XLSX (columns name, phone, branch, tags, role, language, check_kind, check_interval, last_check, or 姓名, 手机, 分会 …), all or nothing; a dry run names the branches it would create",
			run: func(ctx context.Context, c cli, args []string) error {
				return cmdImport(ctx, args, c.stdout, c.stderr, c.getenv, c.now)
			}},
		{name: "export", args: "members|overdue|records|event ID [--quarter 2026Q4] [--format xlsx|csv] [--lang L] -o FILE",
			about: "a table as an XLSX or CSV file",
			run: func(ctx context.Context, c cli, args []string) error {
				return cmdExport(ctx, args, c.stdout, c.stderr, c.getenv, c.now)
			}},
		{name: "migrate", args: "[--from FILE.db --to postgres://…]",
			about: "bring the database schema up to date; with --from and --to, copy a SQLite database into an empty PostgreSQL one",
			run: func(ctx context.Context, c cli, args []string) error {
				return cmdMigrate(ctx, args, c.stdout, c.stderr, c.getenv)
			}},
		{name: "backup", args: "FILE", about: "a consistent copy of the SQLite database, taken while it is in use",
			run: func(ctx context.Context, c cli, args []string) error {
				return cmdBackup(ctx, args, c.stdout, c.stderr, c.getenv)
			}},
		{name: "version", aliases: []string{"--version", "-v"}, about: "the version and the database schema it writes", run: cmdVersion},
		{name: "help", args: "[COMMAND]", about: "what a command does, and its flags", run: cmdHelp},
	}}
}

// helpWords ask a group for its usage.
var helpWords = []string{"-h", "-help", "--help", "help"}

// sub is the subcommand named name, or nil.
func (c *command) sub(name string) *command {
	for _, s := range c.subs {
		if s.name == name || slices.Contains(s.aliases, name) {
			return s
		}
	}
	return nil
}

// find walks args down the table: the deepest command they name, its
// path, and the arguments left for it.
func (c *command) find(args []string) (*command, []string, []string) {
	var path []string
	for len(args) > 0 && c.subs != nil {
		s := c.sub(args[0])
		if s == nil {
			break
		}
		c, path, args = s, append(path, s.name), args[1:]
	}
	return c, path, args
}

// exec runs a found command with what is left of the command line. A
// group answers its usage, or says which subcommands it has.
func (c *command) exec(ctx context.Context, cl cli, path, args []string) error {
	if c.subs == nil {
		err := c.run(ctx, cl, args)
		var h helpRequest
		if errors.As(err, &h) && h.cmd == nil {
			h.cmd, h.path = c, path
			return h
		}
		return err
	}
	switch {
	case len(args) == 0:
		names := make([]string, len(c.subs))
		for i, s := range c.subs {
			names[i] = s.name
		}
		return usageError{fmt.Sprintf("%s needs %s", strings.Join(path, " "), orList(names))}
	case slices.Contains(helpWords, args[0]):
		return helpRequest{cmd: c, path: path}
	case len(path) == 0:
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	return usageError{fmt.Sprintf("unknown %s command %q", strings.Join(path, " "), args[0])}
}

// orList is "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// helpRequest is a --help: the command's usage goes to stdout, and the
// exit code is 0. Commands return it from parseFlags; exec says which
// command it is.
type helpRequest struct {
	fs   *flag.FlagSet // the command's flags, if it has any
	cmd  *command
	path []string
}

func (helpRequest) Error() string { return "help requested" }
func (helpRequest) Unwrap() error { return flag.ErrHelp }

// usage writes the command's usage: every command under it, with what it
// does, or a command's own with its flags.
func (h helpRequest) usage(w io.Writer) {
	if len(h.path) == 0 {
		fmt.Fprint(w, "assocbot — the association's Telegram reminder bot\n\n")
	}
	fmt.Fprint(w, "Usage:\n")
	if h.cmd.subs != nil {
		h.cmd.list(w, h.path)
		what := "CMD"
		if len(h.path) > 0 {
			what = strings.Join(h.path, " ") + " CMD"
		}
		fmt.Fprintf(w, "\nCommands that use the database take --db (default ASSOCBOT_DB); `assocbot %s --help` shows a command's flags.\n", what)
		return
	}
	fmt.Fprintf(w, "  %s\n\n%s\n", synopsis(h.path, h.cmd), capitalize(h.cmd.about))
	if h.fs == nil {
		return
	}
	flags := 0
	h.fs.VisitAll(func(*flag.Flag) { flags++ })
	if flags > 0 {
		fmt.Fprint(w, "\nFlags:\n")
		h.fs.SetOutput(w)
		h.fs.PrintDefaults()
		h.fs.SetOutput(io.Discard)
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

// cmdVersion is `assocbot version`.
func cmdVersion(ctx context.Context, c cli, args []string) error {
	fs := newFlags("version", c.stderr)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "assocbot %s (schema %d)\n", version, store.LatestVersion())
	return nil
}

// cmdHelp is `assocbot help [COMMAND]`: COMMAND's usage, as
// `assocbot COMMAND --help` writes it.
func cmdHelp(ctx context.Context, c cli, args []string) error {
	fs := newFlags("help", c.stderr)
	names, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	cmd, path, rest := commands().find(names)
	if len(rest) > 0 {
		if len(path) == 0 {
			return usageError{fmt.Sprintf("unknown command %q", rest[0])}
		}
		return usageError{fmt.Sprintf("unknown %s command %q", strings.Join(path, " "), rest[0])}
	}
	if cmd.subs != nil {
		return helpRequest{cmd: cmd, path: path}
	}
	// A command's flags are made where it runs: it is asked for its help.
	return cmd.exec(ctx, c, path, []string{"--help"})
}
