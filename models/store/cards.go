package store

import (
	"context"
	"slices"
	"time"

	"github.com/assocbot/assocbot/models"
)

// Card is what a member's card shows their organizers (SPEC C8, C12, C14,
// C15): the member, how messages reach them, their household, their open
// checks and their last questions. The chat's card and the console's are
// both rendered from it (reports.CardText).
type Card struct {
	Member *models.Member
	Family *models.Family
	// Centre is the name of the member at the head of the centre
	// household the member's is registered under ("" when none).
	Centre    string
	Plans     []models.Plan    // not closed, soonest due first
	Questions []models.Inquiry // the last CardQuestions, newest first
}

// CardQuestions is how many of a member's questions the card shows.
const CardQuestions = 3

// CardOf gathers member id's card for a reader who may read it (may: the
// reader's models.Scope.Manages); ErrNotFound both when there is no such
// member and when may refuses, and nothing more is read then.
func (s *Store) CardOf(ctx context.Context, id uint, may func(*models.Member) bool) (*Card, error) {
	m, err := s.MemberByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !may(m) {
		return nil, ErrNotFound
	}
	c := &Card{Member: m}
	if c.Family, err = s.FamilyOf(ctx, id); err != nil {
		return nil, err
	}
	if c.Family.CentreID != nil {
		if centre, err := s.MemberByID(ctx, *c.Family.CentreID); err == nil {
			c.Centre = centre.Name
		}
	}
	if c.Plans, err = s.PlansOf(ctx, id); err != nil {
		return nil, err
	}
	if c.Questions, err = s.InquiriesOf(ctx, id, CardQuestions); err != nil {
		return nil, err
	}
	return c, nil
}

// Occurrence is one occurrence of an event.
type Occurrence struct {
	Event *models.Event
	At    time.Time
}

// ManagedOccurrences are the occurrences in hand (models.OccurrenceInHand)
// at now of the scheduled events org manages (CanManage), up to until,
// soonest first, at most limit: the chat's event picker and the console's
// list of events both.
func (s *Store) ManagedOccurrences(ctx context.Context, org *models.Member, now, until time.Time, loc *time.Location, limit int) ([]Occurrence, error) {
	events, err := s.EventsBetween(ctx, now.Add(-models.InHand), until)
	if err != nil {
		return nil, err
	}
	var out []Occurrence
	for i := range events {
		e := &events[i]
		if e.Status != models.EventScheduled {
			continue
		}
		occ, ok := e.OccurrenceInHand(loc, now)
		if !ok || !occ.Before(until) {
			continue
		}
		if manages, err := s.CanManage(ctx, org, e); err != nil || !manages {
			continue
		}
		out = append(out, Occurrence{Event: e, At: occ})
	}
	slices.SortStableFunc(out, func(a, b Occurrence) int { return a.At.Compare(b.At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
