package models

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Family is what the association knows of a member's household (SPEC C14):
// its number (户号), the centre household (中心户) that looks after it, and
// the facts that drive care — a birth, an expected birth, a family in
// difficulty. The facts are private like checks: shown to the member in a
// private chat and to organizers of their branch only; a centre household
// learns no more than "visit this family". One row a member (the
// household's contact), apart from the member so that no member query
// carries it by chance.
type Family struct {
	MemberID  uint   `gorm:"primaryKey;autoIncrement:false"`
	Household string `gorm:"size:50;not null;default:'';index"`
	// CentreID is the member who heads the centre household that looks
	// after this one (nil: none).
	CentreID *uint `gorm:"index"`
	// BirthOn is a birth in the family (the newborn visits follow it).
	BirthOn *Day
	// Expected is the month an expected birth is due, "2027-03" ("": none).
	Expected string `gorm:"size:7;not null;default:''"`
	// Difficulty marks a family in difficulty (困难家庭): care visits before
	// the Spring Festival.
	Difficulty bool `gorm:"not null;default:false"`
	UpdatedAt  time.Time
}

// Family limits.
const MaxHousehold = 50

var expectedMonth = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// Why family facts are refused.
var (
	ErrHousehold = errors.New("a household number is at most 50 characters of text")
	ErrExpected  = errors.New("an expected birth is a month, YYYY-MM")
	ErrBirthOn   = errors.New("a birth cannot be in the future")
	ErrCentre    = errors.New("a household cannot be its own centre household")
)

// Validate checks the facts as of today (in the association's calendar).
func (f *Family) Validate(today Day) error {
	f.Household = strings.TrimSpace(f.Household)
	if utf8.RuneCountInString(f.Household) > MaxHousehold || (f.Household != "" && !ValidText(f.Household, false)) {
		return ErrHousehold
	}
	if f.Expected != "" && !expectedMonth.MatchString(f.Expected) {
		return fmt.Errorf("%w, got %q", ErrExpected, f.Expected)
	}
	if f.BirthOn != nil && f.BirthOn.After(today) {
		return ErrBirthOn
	}
	if f.CentreID != nil && *f.CentreID == f.MemberID {
		return ErrCentre
	}
	return nil
}

// ValidMonth reports whether s is a month, YYYY-MM.
func ValidMonth(s string) bool { return expectedMonth.MatchString(s) }

// LooksLikePhone reports whether s is meant as a phone number: mostly
// digits, and a number NormalizePhone takes.
func LooksLikePhone(s string) bool {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 7 {
		return false
	}
	_, err := NormalizePhone(s)
	return err == nil
}
