package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/assocbot/assocbot/models"
)

// EnsureBranch returns the branch at path, creating it and any missing parents.
func (s *Store) EnsureBranch(ctx context.Context, path string) (*models.Branch, error) {
	var b *models.Branch
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		b, err = ensureBranch(tx, path)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: ensure branch: %w", err)
	}
	return b, nil
}

func ensureBranch(tx *gorm.DB, path string) (*models.Branch, error) {
	clean, err := models.CleanBranchPath(path)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(clean, "/")
	var parent *models.Branch
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		var b models.Branch
		err := tx.Where("path = ?", p).Take(&b).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			b = models.Branch{Name: parts[i], Path: p}
			if parent != nil {
				b.ParentID = &parent.ID
			}
			err = tx.Create(&b).Error
		}
		if err != nil {
			return nil, err
		}
		parent = &b
	}
	return parent, nil
}

// BranchByPath finds a branch by its full path.
func (s *Store) BranchByPath(ctx context.Context, path string) (*models.Branch, error) {
	clean, err := models.CleanBranchPath(path)
	if err != nil {
		return nil, err
	}
	var b models.Branch
	if err := s.db.WithContext(ctx).Where("path = ?", clean).Take(&b).Error; err != nil {
		return nil, notFound(err)
	}
	return &b, nil
}

// MissingBranches lists the branch at path and those above it that do not
// exist, parents first: what EnsureBranch would create. A path
// models.CleanBranchPath refuses fails with its error.
func (s *Store) MissingBranches(ctx context.Context, path string) ([]string, error) {
	clean, err := models.CleanBranchPath(path)
	if err != nil {
		return nil, err
	}
	paths := models.AncestorPaths(clean)
	var have []string
	if err := s.db.WithContext(ctx).Model(&models.Branch{}).Where("path IN ?", paths).Pluck("path", &have).Error; err != nil {
		return nil, fmt.Errorf("store: missing branches: %w", err)
	}
	var out []string
	for _, p := range paths {
		if !slices.Contains(have, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// BranchByID finds a branch.
func (s *Store) BranchByID(ctx context.Context, id uint) (*models.Branch, error) {
	var b models.Branch
	if err := s.db.WithContext(ctx).Take(&b, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &b, nil
}

// ChildBranches lists the branches directly below parent (nil: the top level),
// ordered by name.
func (s *Store) ChildBranches(ctx context.Context, parent *uint) ([]models.Branch, error) {
	q := s.db.WithContext(ctx).Order("path")
	if parent == nil {
		q = q.Where("parent_id IS NULL")
	} else {
		q = q.Where("parent_id = ?", *parent)
	}
	var bs []models.Branch
	if err := q.Find(&bs).Error; err != nil {
		return nil, fmt.Errorf("store: child branches: %w", err)
	}
	return bs, nil
}
