package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// cmdBranchList is `assocbot branch list`: the branches as a tree, each
// with its members (not counting those who left).
func cmdBranchList(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		bs, err := st.BranchesIn(ctx, models.Scope{Admin: true})
		if err != nil {
			return err
		}
		counts, err := st.MembersPerBranch(ctx)
		if err != nil {
			return err
		}
		if len(bs) == 0 {
			fmt.Fprintln(c.stdout, "no branches yet")
			return nil
		}
		for _, b := range bs {
			depth := strings.Count(b.Path, "/")
			fmt.Fprintf(c.stdout, "%s%s (%d)\n", strings.Repeat("  ", depth), b.Name, counts[b.ID])
		}
		return nil
	}
}

// cmdBranchAdd is `assocbot branch add Town/Village`: the branch and any
// missing above it, each said on a line of its own.
func cmdBranchAdd(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	return func(ctx context.Context, args []string) error {
		paths, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		if len(paths) != 1 {
			return usageError{"branch add needs one branch path: assocbot branch add 东城镇/李家村"}
		}
		if err := checkBranchPath("branch", paths[0]); err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		created, err := st.MissingBranches(ctx, paths[0])
		if err != nil {
			return err
		}
		if len(created) == 0 {
			clean, _ := models.CleanBranchPath(paths[0])
			fmt.Fprintf(c.stdout, "branch %s exists already\n", clean)
			return nil
		}
		if _, err := st.EnsureBranch(ctx, paths[0]); err != nil {
			return err
		}
		for _, p := range created {
			fmt.Fprintf(c.stdout, "new branch: %s\n", p)
		}
		return nil
	}
}

// checkBranchPath refuses, naming the flag, a path models.CleanBranchPath
// refuses.
func checkBranchPath(flag, path string) error {
	if err := checkText(flag, path, false); err != nil {
		return err
	}
	if _, err := models.CleanBranchPath(path); err != nil {
		return usageError{fmt.Sprintf("--%s %q: parts are separated by / and none may be empty", flag, path)}
	}
	return nil
}

// branchesToCreate are the branches a member's --branch path would create:
// none when it exists. A path that does not exist is refused with the
// nearest names (a typo is the usual cause: 东城镇/李佳村 for 东城镇/李家村)
// unless --new-branch asks for it.
func branchesToCreate(ctx context.Context, st *store.Store, path string, create bool) ([]string, error) {
	missing, err := st.MissingBranches(ctx, path)
	if err != nil || len(missing) == 0 || create {
		return missing, err
	}
	return nil, unknownBranch(ctx, st, path, "(to create it, add --new-branch)")
}

// unknownBranch is the bad argument for a branch that does not exist: the
// nearest existing ones, then hint (or where to see them all).
func unknownBranch(ctx context.Context, st *store.Store, path, hint string) error {
	bs, err := st.BranchesIn(ctx, models.Scope{Admin: true})
	if err != nil {
		return err
	}
	paths := make([]string, len(bs))
	for i, b := range bs {
		paths[i] = b.Path
	}
	msg := fmt.Sprintf("there is no branch %q", path)
	if near := models.Nearest(path, paths); len(near) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", strings.Join(near, ", "))
	} else if hint == "" {
		hint = "(assocbot branch list shows them)"
	}
	if hint != "" {
		msg += " " + hint
	}
	return usageError{msg}
}

// checkAudience refuses, as a bad argument, a branch that does not exist
// (naming the nearest ones: a typo is the usual cause) and, for a notice
// (reach), an audience that reaches nobody on Telegram.
func checkAudience(ctx context.Context, st *store.Store, aud models.Audience, reach bool) error {
	paths, _ := aud.IsBranches()
	if path, ok := aud.IsBranch(); ok {
		paths = []string{path}
	}
	for _, path := range paths {
		if _, err := st.BranchByPath(ctx, path); errors.Is(err, store.ErrNotFound) {
			return unknownBranch(ctx, st, path, "")
		} else if err != nil {
			return err
		}
	}
	if reach {
		n, err := st.CountAudience(ctx, aud)
		if err != nil {
			return err
		}
		if n == 0 {
			return usageError{fmt.Sprintf("%s reaches nobody: no member there has linked Telegram", aud)}
		}
	}
	return nil
}

// cmdBranchSet is `assocbot branch set PATH --care-june yes|no`.
func cmdBranchSet(fs *flag.FlagSet, c cli) runner {
	db := dbFlag(fs, c.getenv)
	june := fs.String("care-june", "", "yes: its families in difficulty are visited before 六一 (1 June) too, as before the Spring Festival; no: not")
	return func(ctx context.Context, args []string) error {
		paths, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		if len(paths) != 1 {
			return usageError{"branch set needs one branch path: assocbot branch set 东城镇/李家村 --care-june yes"}
		}
		yes, err := yesNoFlag("care-june", *june)
		if err != nil {
			return err
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		clean, _ := models.CleanBranchPath(paths[0])
		if err := st.SetCareJune(ctx, clean, yes); errors.Is(err, store.ErrNotFound) {
			return usageError{fmt.Sprintf("no branch %s (assocbot branch list)", paths[0])}
		} else if err != nil {
			return err
		}
		word := map[bool]string{true: "visits its families in difficulty before 六一 too", false: "visits its families in difficulty before the Spring Festival only"}[yes]
		fmt.Fprintf(c.stdout, "branch %s %s\n", clean, word)
		return nil
	}
}
