package models

import (
	"errors"
	"unicode/utf8"
)

// ErrBadText is returned for a name, branch, tag, place or text that
// ValidText refuses.
var ErrBadText = errors.New("text holds invalid UTF-8 or a control character")

// ValidText reports whether s may be stored as a name, a branch, a tag, a
// place or a title (multiline false) or as a multi-line text: an event's
// description, a broadcast, an activity record's summary (multiline true).
// It is the one rule for text that people or files give, the same on
// SQLite and PostgreSQL (PostgreSQL refuses NUL, SQLite keeps it, so the
// rule is ours, not the database's). It refuses:
//
//   - invalid UTF-8 (and so lone surrogates);
//   - NUL and the other C0 controls U+0000–U+001F, except that a multi-line
//     text may hold tab, line feed and carriage return (a text written in a
//     Windows editor ends its lines with CR LF);
//   - DEL U+007F and the C1 controls U+0080–U+009F;
//   - in a single-line value, the line and paragraph separators U+2028 and
//     U+2029, which break a line as a newline does;
//   - everywhere, the bidirectional embeddings, overrides and isolates
//     U+202A–U+202E and U+2066–U+2069, which reorder what follows them on
//     screen ("Trojan Source"): a name could show as another one. The
//     association writes Chinese and English, which never need them; the
//     marks U+200E and U+200F, which reorder nothing, are allowed.
//
// The empty string is valid: whether a value may be empty is the caller's
// rule.
func ValidText(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			if !multiline {
				return false
			}
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			return false
		case r == 0x2028 || r == 0x2029:
			if !multiline {
				return false
			}
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return false
		}
	}
	return true
}
