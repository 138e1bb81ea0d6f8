package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// The schema's history, one frozen definition per version and dialect:
// SQL files under migrations/<dialect>/, and Go for data that SQL cannot
// convert (migrate_v5.go). A released version is never edited; a change is
// a new version. pressly/goose applies them, each in a transaction, and
// records them in goose_db_version.
//
//go:embed migrations
var migrationFiles embed.FS

const (
	versionTable = "goose_db_version"
	// legacyTable is where assocbot recorded versions 1–3 before goose.
	legacyTable = "schema_migrations"
	// migrateLockID is the PostgreSQL advisory lock that keeps two replicas
	// starting together from migrating at once.
	migrateLockID = 7305001
)

// goMigrations are the versions written in Go, by dialect.
func goMigrations(dialect string) []*goose.Migration {
	return []*goose.Migration{goose.NewGoMigration(5, &goose.GoFunc{RunTx: v5ConvertOutbox(dialect)}, nil)}
}

func (s *Store) provider() (*goose.Provider, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	files, err := fs.Sub(migrationFiles, path.Join("migrations", s.dialect))
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{
		goose.WithTableName(versionTable),
		goose.WithGoMigrations(goMigrations(s.dialect)...),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(slog.New(slog.DiscardHandler)),
	}
	dialect := goose.DialectSQLite3
	if s.dialect == "postgres" {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrateLockID))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, sqlDB, files, opts...)
}

// LatestVersion is the schema version this binary writes.
func LatestVersion() int {
	latest := 0
	for _, m := range goMigrations("") {
		latest = max(latest, int(m.Version))
	}
	_ = fs.WalkDir(migrationFiles, "migrations", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if v, err := strconv.Atoi(strings.SplitN(path.Base(p), "_", 2)[0]); err == nil {
				latest = max(latest, v)
			}
		}
		return nil
	})
	return latest
}

// SchemaVersion returns the database's schema version (0 for an empty
// database) and this binary's. It fails with ErrSchemaTooNew when the
// database was migrated by a newer assocbot. It writes nothing.
func (s *Store) SchemaVersion(ctx context.Context) (db, binary int, err error) {
	binary = LatestVersion()
	m := s.db.WithContext(ctx).Migrator()
	switch {
	case m.HasTable(versionTable):
		var v sql.NullInt64
		if err := s.db.WithContext(ctx).Raw("SELECT MAX(version_id) FROM " + versionTable + " WHERE is_applied").Scan(&v).Error; err != nil {
			return 0, binary, fmt.Errorf("store: schema version: %w", err)
		}
		db = int(v.Int64)
	case m.HasTable(legacyTable):
		if db, err = s.legacyVersion(ctx); err != nil {
			return 0, binary, err
		}
	}
	if db > binary {
		return db, binary, fmt.Errorf("%w: database is at version %d, this assocbot knows up to %d; upgrade assocbot", ErrSchemaTooNew, db, binary)
	}
	return db, binary, nil
}

func (s *Store) legacyVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := s.db.WithContext(ctx).Raw("SELECT MAX(version) FROM " + legacyTable).Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return int(v.Int64), nil
}

// Migrate applies the pending migrations and returns how many it applied.
// A database that is current is only read.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	return s.MigrateTo(ctx, LatestVersion())
}

// MigrateTo applies the pending migrations up to version (tests build old
// databases with it).
func (s *Store) MigrateTo(ctx context.Context, version int) (int, error) {
	current, _, err := s.SchemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	if current >= version {
		return 0, nil
	}
	if err := s.adoptLegacy(ctx); err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	p, err := s.provider()
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	results, err := p.UpTo(ctx, int64(version))
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	return len(results), nil
}

// adoptLegacy records in goose's table the versions a database migrated
// before goose has (its schema is the same as versions 1–3 here), so that
// goose goes on from there.
func (s *Store) adoptLegacy(ctx context.Context) error {
	m := s.db.WithContext(ctx).Migrator()
	if m.HasTable(versionTable) || !m.HasTable(legacyTable) {
		return nil
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	dialect := database.DialectSQLite3
	if s.dialect == "postgres" {
		dialect = database.DialectPostgres
	}
	vs, err := database.NewStore(dialect, versionTable)
	if err != nil {
		return err
	}
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.dialect == "postgres" {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockID); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, "SELECT to_regclass($1) IS NOT NULL", versionTable).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil // another replica adopted it meanwhile
		}
	}
	var legacy sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT MAX(version) FROM "+legacyTable).Scan(&legacy); err != nil {
		return err
	}
	if err := vs.CreateVersionTable(ctx, tx); err != nil {
		return err
	}
	for v := int64(0); v <= legacy.Int64; v++ {
		if err := vs.Insert(ctx, tx, database.InsertRequest{Version: v}); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}
