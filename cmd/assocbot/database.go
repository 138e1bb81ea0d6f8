package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/assocbot/assocbot/models/store"
)

// openStore opens and migrates the database.
func openStore(ctx context.Context, dsn string) (*store.Store, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func cmdMigrate(fs *flag.FlagSet, c cli) runner {
	stdout, getenv := c.stdout, c.getenv
	db := dbFlag(fs, getenv)
	from := fs.String("from", "", "copy this SQLite database …")
	to := fs.String("to", "", "… into this empty PostgreSQL one (postgres://…)")
	return func(ctx context.Context, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		if *from != "" || *to != "" {
			return copyDatabase(ctx, *from, *to, stdout)
		}
		st, err := store.Open(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		n, err := st.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "schema at version %d (%d migration(s) applied)\n", store.LatestVersion(), n)
		return nil
	}
}

// cmdBackup is `assocbot backup FILE`: an online, consistent copy of the
// SQLite database (a running `assocbot run` goes on serving).
func cmdBackup(fs *flag.FlagSet, c cli) runner {
	stdout, getenv := c.stdout, c.getenv
	db := dbFlag(fs, getenv)
	return func(ctx context.Context, args []string) error {
		files, err := parseInterspersed(fs, args)
		if err != nil {
			return err
		}
		if len(files) != 1 {
			return usageError{"backup needs the file to write: assocbot backup /var/backups/assocbot-2026-11-29.db"}
		}
		if _, err := os.Stat(files[0]); err == nil {
			return usageError{fmt.Sprintf("%s exists already; a backup does not overwrite", files[0])}
		}
		if store.IsPostgres(*db) {
			return usageError{"backup copies a SQLite database; for PostgreSQL use pg_dump"}
		}
		st, err := openStore(ctx, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		start := time.Now()
		if err := st.Backup(ctx, files[0]); err != nil {
			return err
		}
		info, err := os.Stat(files[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "backup written to %s (%d KB) in %s\n", files[0], info.Size()/1024, time.Since(start).Round(time.Millisecond))
		return nil
	}
}

// copyDatabase is `assocbot migrate --from FILE.db --to postgres://…`: both
// are brought to the latest schema, and in one transaction the target is
// checked empty, every row is copied and the two are compared.
func copyDatabase(ctx context.Context, from, to string, stdout io.Writer) error {
	switch {
	case from == "" || to == "":
		return usageError{"migrate --from FILE.db --to postgres://… needs both"}
	case store.IsPostgres(from) || !store.IsPostgres(to):
		return usageError{"migrate --from takes a SQLite file and --to a postgres:// URL"}
	}
	if _, err := os.Stat(from); err != nil {
		return usageError{fmt.Sprintf("cannot read %s", from)}
	}
	src, err := openStore(ctx, from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openStore(ctx, to)
	if err != nil {
		return err
	}
	defer dst.Close()
	start := time.Now()
	rep, err := src.CopyTo(ctx, dst, func(table string, rows int) {
		fmt.Fprintf(stdout, "%-18s %d rows\n", table, rows)
	})
	var full *store.TargetNotEmptyError
	if errors.As(err, &full) {
		return usageError{fmt.Sprintf("the PostgreSQL database is not empty: it holds %s; nothing was copied: copy into a new, empty one", full.Held())}
	}
	if errors.Is(err, store.ErrNULByte) {
		return usageError{fmt.Sprintf("%v; nothing was copied", err)}
	}
	if err != nil {
		// One transaction: whatever failed, the target is as it was.
		return fmt.Errorf("%w; nothing was copied", err)
	}
	total := 0
	for _, n := range rep.Rows {
		total += n
	}
	fmt.Fprintf(stdout, "copied %d rows in %s; every table's count and %d rows compared value by value: equal\n",
		total, time.Since(start).Round(time.Millisecond), rep.Sampled)
	return nil
}

// openStoreSMS opens the store for a command that plans messages: when the
// deployment sends SMS (ASSOCBOT_SMS_PROVIDER), members without Telegram
// get them by SMS, as from `assocbot run`.
func openStoreSMS(ctx context.Context, dsn string, getenv func(string) string) (*store.Store, error) {
	st, err := openStore(ctx, dsn)
	if err == nil {
		st.SMSOn(getenv("ASSOCBOT_SMS_PROVIDER") != "")
	}
	return st, err
}
