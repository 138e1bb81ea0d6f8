package models

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the region assumed for phone numbers written without a
// country code (SPEC C1).
const DefaultRegion = "CN"

// ErrBadPhone is returned for text that is not a valid phone number.
var ErrBadPhone = errors.New("not a valid phone number")

// NormalizePhone parses a phone number as people write it ("138 0013 8000",
// "+86 138-0013-8000", "0086…") and returns it in E.164 form.
func NormalizePhone(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 40 {
		return "", ErrBadPhone
	}
	// Telegram sends contacts' numbers without the leading "+".
	if !strings.HasPrefix(raw, "+") && !strings.HasPrefix(raw, "0") && len(digitsOnly(raw)) > 11 {
		raw = "+" + raw
	}
	num, err := phonenumbers.Parse(raw, DefaultRegion)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", ErrBadPhone
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// DisplayPhone shows an E.164 number as people write it: a number of the
// association's country in its national form (139 0000 0009), another in
// the international one (+1 201-555-0123); what does not parse, as it is.
func DisplayPhone(e164 string) string {
	num, err := phonenumbers.Parse(e164, DefaultRegion)
	if err != nil {
		return e164
	}
	if phonenumbers.GetRegionCodeForNumber(num) == DefaultRegion {
		return phonenumbers.Format(num, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}
