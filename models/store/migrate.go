package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/assocbot/assocbot/models"
)

// schemaMigration records one applied migration.
type schemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB) error
}

// migrations is the schema's history, oldest first. A migration is never
// edited once released; a change is a new entry.
var migrations = []migration{
	{1, "branches, members, invites, join requests", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&models.Branch{}, &models.Member{}, &models.MemberTag{},
			&models.OrganizerScope{}, &models.Invite{}, &models.Visitor{}, &models.JoinRequest{})
	}},
	{2, "outbox, broadcasts, dialogs", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&models.Outbox{}, &models.Broadcast{}, &models.Dialog{})
	}},
	{3, "events and answers", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&models.Event{}, &models.RSVP{})
	}},
}

// LatestVersion is the schema version this binary writes.
func LatestVersion() int { return migrations[len(migrations)-1].version }

// SchemaVersion returns the database's schema version (0 for an empty
// database) and this binary's. It fails with ErrSchemaTooNew when the database
// was migrated by a newer assocbot.
func (s *Store) SchemaVersion(ctx context.Context) (db, binary int, err error) {
	binary = LatestVersion()
	if !s.db.WithContext(ctx).Migrator().HasTable(&schemaMigration{}) {
		return 0, binary, nil
	}
	var v *int
	if err := s.db.WithContext(ctx).Model(&schemaMigration{}).Select("MAX(version)").Scan(&v).Error; err != nil {
		return 0, binary, fmt.Errorf("store: schema version: %w", err)
	}
	if v != nil {
		db = *v
	}
	if db > binary {
		return db, binary, fmt.Errorf("%w: database is at version %d, this assocbot knows up to %d; upgrade assocbot", ErrSchemaTooNew, db, binary)
	}
	return db, binary, nil
}

// Migrate applies the pending migrations in one transaction and returns how
// many it applied. On PostgreSQL an advisory lock keeps two replicas starting
// together from migrating at once.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	applied := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if s.dialect == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7305001)").Error; err != nil {
				return err
			}
		}
		if err := tx.AutoMigrate(&schemaMigration{}); err != nil {
			return err
		}
		var current *int
		if err := tx.Model(&schemaMigration{}).Select("MAX(version)").Scan(&current).Error; err != nil {
			return err
		}
		from := 0
		if current != nil {
			from = *current
		}
		if from > LatestVersion() {
			return fmt.Errorf("%w: database is at version %d, this assocbot knows up to %d", ErrSchemaTooNew, from, LatestVersion())
		}
		for _, m := range migrations {
			if m.version <= from {
				continue
			}
			if err := m.up(tx); err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
			if err := tx.Create(&schemaMigration{Version: m.version, Name: m.name, AppliedAt: time.Now().UTC()}).Error; err != nil {
				return err
			}
			applied++
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrSchemaTooNew) {
			return 0, err
		}
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	return applied, nil
}
