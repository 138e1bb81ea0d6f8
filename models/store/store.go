// Package store is assocbot's database: opening SQLite or PostgreSQL, the
// versioned schema (migrate.go), and every query the bot, the scheduler and
// the CLI make. It resolves an audience with one query (audience.go) and
// writes the outbox rows models/planner builds, in the transaction of what
// causes them. *gorm.DB never leaves this package.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Sentinel errors callers sort on.
var (
	ErrNotFound      = errors.New("store: not found")
	ErrInviteUsed    = errors.New("store: invite already used")
	ErrInviteExpired = errors.New("store: invite expired")
	ErrAccountLinked = errors.New("store: this Telegram account is linked to another member")
	ErrMemberLinked  = errors.New("store: the member is linked to another Telegram account")
	ErrPhoneTaken    = errors.New("store: a member with this phone exists")
	ErrDecided       = errors.New("store: join request already decided")
	ErrSchemaTooNew  = errors.New("store: database schema is newer than this binary")
)

// Store is the database handle shared by every part of assocbot.
type Store struct {
	db *gorm.DB
	// bulk shares db's connections without prepared statements: in a
	// transaction database/sql prepares a statement anew on each use and
	// keeps it until the end, so a transaction of thousands of batched
	// inserts (an import, an assignment to a whole town) would hold
	// hundreds of megabytes of compiled statements.
	bulk    *gorm.DB
	dialect string
	// sms: the deployment sends SMS (SMSOn), so audiences resolve to
	// members reached by SMS too.
	sms bool
}

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLiteDSN turns a file path into a DSN with the settings assocbot relies on:
// WAL, a busy timeout, foreign keys and immediate transactions (a deferred
// transaction that reads then writes fails with SQLITE_BUSY under WAL).
func SQLiteDSN(path string) string {
	dsn := path
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	want := []string{"_journal_mode=WAL", "_busy_timeout=30000", "_foreign_keys=1", "_txlock=immediate", "_synchronous=NORMAL"}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	for _, p := range want {
		key := p[:strings.IndexByte(p, '=')+1]
		if strings.Contains(dsn, key) {
			continue
		}
		dsn += sep + p
		sep = "&"
	}
	return dsn
}

// Open connects to dsn (a SQLite path or a postgres:// URL) and checks that the
// schema is not newer than this binary. It does not migrate: call Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg := &gorm.Config{Logger: logger.Discard, TranslateError: true,
		// Times are written in UTC: SQLite compares them as text.
		NowFunc: func() time.Time { return time.Now().UTC() },
		// Prepared statements save SQLite a parse per message; the cache is
		// bounded (IN lists of different lengths are different statements).
		PrepareStmt: true, PrepareStmtMaxSize: 2000, PrepareStmtTTL: time.Hour}
	var (
		db      *gorm.DB
		err     error
		dialect string
	)
	if IsPostgres(dsn) {
		dialect = "postgres"
		db, err = gorm.Open(postgres.Open(dsn), cfg)
	} else {
		dialect = "sqlite"
		db, err = gorm.Open(sqlite.Open(SQLiteDSN(dsn)), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, redactErr(err, dsn))
	}
	s := &Store{db: db, dialect: dialect}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	bulkCfg := *cfg
	bulkCfg.PrepareStmt = false
	if dialect == "postgres" {
		s.bulk, err = gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &bulkCfg)
	} else {
		s.bulk, err = gorm.Open(&sqlite.Dialector{Conn: sqlDB}, &bulkCfg)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if _, _, err := s.SchemaVersion(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// redactErr keeps a password in a DSN out of error messages.
func redactErr(err error, dsn string) error {
	if i := strings.Index(dsn, "@"); i > 0 && IsPostgres(dsn) {
		return errors.New(strings.ReplaceAll(err.Error(), dsn[:i], "postgres://***"))
	}
	return err
}

// Ping checks the connection.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close releases the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// notFound maps gorm's record-not-found to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// ErrNotSQLite refuses what only a SQLite database does.
var ErrNotSQLite = errors.New("store: only for SQLite (on PostgreSQL use pg_dump)")

// Backup writes a consistent copy of a SQLite database to path while it is
// in use (VACUUM INTO: one read transaction; writers go on).
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != "sqlite" {
		return ErrNotSQLite
	}
	if err := s.db.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}
