package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagError marks errors from parsing a command's flags.
type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }

func isFlagError(err error) bool {
	var fe flagError
	return errors.As(err, &fe)
}

// newFlags makes the flag set of the command at path ("member add"). It
// prints nothing itself: run says a bad flag in a line, and writes --help
// to stdout.
func newFlags(path string) *flag.FlagSet {
	fs := flag.NewFlagSet(strings.TrimSpace("assocbot "+path), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses and turns a parse failure into a flagError (exit 2),
// and -h or --help into a helpRequest.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return helpRequest{} // run's tree knows whose
		}
		return flagError{err}
	}
	return nil
}

// noArgs refuses the arguments left after the flags of a command that
// takes none, such as the list commands.
func noArgs(args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	return nil
}

// parseInterspersed parses the flags that follow the positional
// arguments (assocbot import FILE --dry-run; those before them are parsed
// already) and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// dbFlag adds --db, defaulting to ASSOCBOT_DB.
func dbFlag(fs *flag.FlagSet, getenv env) *string {
	def := getenv("ASSOCBOT_DB")
	if def == "" {
		def = "assocbot.db"
	}
	return fs.String("db", def, "SQLite file or postgres:// URL (ASSOCBOT_DB)")
}
