// Command assocbot runs the association's Telegram reminder bot and its
// command-line tools. main only wires: configuration, constructors, signals.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP) // a closed terminal stops the demo (and its temporary database goes)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, getenvOS, time.Now)
	stop()
	os.Exit(code)
}

// env is how the commands read the environment (tests pass their own).
type env func(string) string

// clock is what the commands take as now (tests pass a frozen one).
type clock func() time.Time

// run executes one command line and returns the exit code: 0 ok, 1 a
// failure of the system, 2 bad input. A bad argument is said in a line,
// with the --help that tells more.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env, now clock) int {
	t := build(cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: now})
	err := t.root.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		// ffcli says "error parsing commandline arguments: …"; the flag
		// package's own words say it in fewer.
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		if len(t.at.path) == 0 && strings.HasPrefix(err.Error(), "flag provided but not defined") {
			// assocbot --db x member list: the flags are the command's.
			err = fmt.Errorf("%w: a command's flags go after it, as in assocbot member list --db FILE", err)
		}
		err = flagError{err}
	}
	if err == nil {
		if herr := loadHolidays(getenv("ASSOCBOT_HOLIDAYS")); herr != nil {
			err = usageError{fmt.Sprintf("ASSOCBOT_HOLIDAYS: %v", herr)}
		}
	}
	if err == nil {
		err = t.root.Run(ctx)
	}
	var help helpRequest
	var ue usageError
	var bad quietError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		help.usage(stdout)
		return 0
	case errors.Is(err, flag.ErrHelp):
		t.at.usage(stdout)
		return 0
	case errors.Is(err, noCommand{}):
		t.at.usage(stderr)
		return 2
	case errors.As(err, &bad):
		// Bad input whose report said what is wrong already.
		fmt.Fprintf(stderr, "assocbot: %v\n", err)
		return 2
	case errors.As(err, &ue), isFlagError(err):
		path := t.at.path
		if t.at.cmd != nil && t.at.cmd.name == "help" {
			path = nil // help's arguments are commands: the list of them helps
		}
		fmt.Fprintf(stderr, "assocbot: %v\nsee `%s --help`\n", err, strings.Join(append([]string{"assocbot"}, path...), " "))
		return 2
	default:
		fmt.Fprintf(stderr, "assocbot: %v\n", err)
		return 1
	}
}
