package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/faq"
)

// ErrFAQ refuses a frequent question without a question or an answer, or
// one too long.
var ErrFAQ = errors.New("store: a frequent question needs a question and an answer, within their lengths")

// AddFAQ records a frequent question with its answer in one language.
func (s *Store) AddFAQ(ctx context.Context, f *models.FAQ, now time.Time) error {
	f.Question, f.Answer = strings.TrimSpace(f.Question), strings.TrimSpace(f.Answer)
	if f.Question == "" || f.Answer == "" || utf8.RuneCountInString(f.Question) > models.MaxFAQQuestion ||
		utf8.RuneCountInString(f.Answer) > models.MaxFAQAnswer || utf8.RuneCountInString(f.Keywords) > 300 ||
		!models.ValidText(f.Question, false) || !models.ValidText(f.Answer, true) || !models.ValidText(f.Keywords, false) {
		return fmt.Errorf("store: add faq: %w", ErrFAQ)
	}
	f.Keywords = strings.Join(f.KeywordList(), ",")
	f.CreatedAt = now.UTC()
	if err := s.db.WithContext(ctx).Create(f).Error; err != nil {
		return fmt.Errorf("store: add faq: %w", err)
	}
	return nil
}

// FAQs lists the frequent questions, of one language ("": all), by id.
func (s *Store) FAQs(ctx context.Context, lang string) ([]models.FAQ, error) {
	q := s.db.WithContext(ctx).Order("id")
	if lang != "" {
		q = q.Where("lang = ?", lang)
	}
	var fs []models.FAQ
	if err := q.Find(&fs).Error; err != nil {
		return nil, fmt.Errorf("store: faqs: %w", err)
	}
	return fs, nil
}

// FAQByID finds a frequent question.
func (s *Store) FAQByID(ctx context.Context, id uint) (*models.FAQ, error) {
	var f models.FAQ
	if err := s.db.WithContext(ctx).Take(&f, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &f, nil
}

// RemoveFAQ deletes a frequent question.
func (s *Store) RemoveFAQ(ctx context.Context, id uint) error {
	res := s.db.WithContext(ctx).Delete(&models.FAQ{}, id)
	if res.Error != nil {
		return fmt.Errorf("store: remove faq: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// MatchFAQs are the frequent questions of lang that text asks, best first,
// at most models.MaxFAQOffered (faq.Match).
func (s *Store) MatchFAQs(ctx context.Context, lang, text string) ([]models.FAQ, error) {
	all, err := s.FAQs(ctx, lang)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	entries := make([]faq.Entry, len(all))
	byID := make(map[uint]models.FAQ, len(all))
	for i, f := range all {
		entries[i] = faq.Entry{ID: f.ID, Question: f.Question, Keywords: f.KeywordList()}
		byID[f.ID] = f
	}
	var out []models.FAQ
	for _, id := range faq.Match(text, entries, models.MaxFAQOffered) {
		out = append(out, byID[id])
	}
	return out, nil
}
