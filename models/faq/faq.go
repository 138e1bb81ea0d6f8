// Package faq finds, among the association's stored frequent questions,
// the few that a member's free-text message asks: in Chinese (written
// without spaces between words), Traditional Chinese or English.
//
// It compares character bigrams, not words. Chinese has no spaces, so
// words would need a segmenter, and a segmenter such as gse ships a
// dictionary of more than 10 MB: it would triple the bot's idle memory
// budget of 38 MB. For a short message against a few dozen questions,
// the pairs of neighbouring characters the two share are enough: 孕前检查
// and 孕前优生健康检查 share 孕前 and 检查. Latin letters and digits are
// compared as whole words.
//
// It does not convert between Simplified and Traditional characters: 检查
// and 檢查 share no bigram. The caller keeps the entries of each language
// and passes those of the member's.
package faq

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Entry is one stored frequent question.
type Entry struct {
	// ID identifies the entry; Match returns it.
	ID uint
	// Question is the question as members ask it.
	Question string
	// Keywords are words or phrases that, found in a message, show that
	// it asks this question, such as 孕前检查 or "pre-pregnancy".
	Keywords []string
}

// Score weights and the threshold an entry must clear.
const (
	keywordHit = 3 // a keyword found in the message
	sharedOne  = 1 // a token the message and the entry share
	threshold  = 2 // the least score of a match without a keyword hit
)

// stopWords are English words that nearly every question holds ("where
// do I…", "how can I…"): two of them alone would clear the threshold
// between any two questions.
var stopWords = map[string]bool{
	"the": true, "a": true, "an": true, "is": true, "are": true,
	"do": true, "does": true, "i": true, "my": true, "to": true,
	"of": true, "in": true, "on": true, "for": true, "where": true,
	"what": true, "when": true, "how": true, "can": true, "please": true,
}

// stopBigrams are the Chinese counterparts of stopWords, Simplified and
// Traditional: 请问…在哪里 would otherwise match every question that
// asks where.
var stopBigrams = map[string]bool{
	"请问": true, "請問": true, "在哪": true, "哪里": true, "哪裡": true,
	"哪儿": true, "哪兒": true, "什么": true, "什麼": true, "甚麼": true,
	"怎么": true, "怎麼": true, "如何": true, "可以": true, "我们": true,
	"我們": true,
}

// Match is the IDs of the entries that text asks, best first, at most
// max of them (none if max < 1). An entry scores 3 for each of its
// keywords found in text and 1 for each token that text and its question
// or keywords share; tokens are the bigrams of runs of Chinese characters
// (a lone character is a token itself) and the words of runs of other
// letters and digits, English stop words left out. Matching ignores case,
// full-width forms, punctuation, symbols and emoji. An entry matches with
// a keyword found or a score of at least 2. Equal scores go by the smaller
// ID. An ID given twice counts once, with its best score.
func Match(text string, entries []Entry, max int) []uint {
	if max < 1 || len(entries) == 0 {
		return nil
	}
	norm := normalize(text)
	if norm == "" {
		return nil
	}
	have := make(map[string]bool)
	for _, t := range tokens(norm) {
		have[t] = true
	}
	best := make(map[uint]int)
	for _, e := range entries {
		score := 0
		seen := make(map[string]bool)
		count := func(s string) {
			for _, t := range tokens(s) {
				if have[t] && !seen[t] {
					seen[t] = true
					score += sharedOne
				}
			}
		}
		count(normalize(e.Question))
		hit := false
		kws := make(map[string]bool)
		for _, k := range e.Keywords {
			k = normalize(k)
			if k == "" || kws[k] {
				continue
			}
			kws[k] = true
			count(k)
			if contains(norm, k) {
				hit = true
				score += keywordHit
			}
		}
		if !hit && score < threshold {
			continue
		}
		if old, ok := best[e.ID]; !ok || score > old {
			best[e.ID] = score
		}
	}
	if len(best) == 0 {
		return nil
	}
	ids := make([]uint, 0, len(best))
	for id := range best {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if best[ids[i]] != best[ids[j]] {
			return best[ids[i]] > best[ids[j]]
		}
		return ids[i] < ids[j]
	})
	if len(ids) > max {
		ids = ids[:max]
	}
	return ids
}

// normalize lowercases s, folds full-width ASCII to its half-width form,
// drops marks (accents, emoji variation selectors) and format characters
// (zero-width joiners), and turns every other rune that is not a letter
// or a digit into a space: punctuation, Chinese punctuation such as ？and
// 《》, symbols, emoji. Runs of spaces become one; there are none at the
// ends.
func normalize(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		case unicode.IsMark(r) || unicode.Is(unicode.Cf, r):
		default:
			space = true
		}
	}
	return b.String()
}

// han reports whether r is a Chinese character.
func han(r rune) bool { return unicode.Is(unicode.Han, r) }

// word reports whether r, of a normalized text, belongs to a word: a
// letter or a digit that is not a Chinese character.
func word(r rune) bool { return r != ' ' && !han(r) }

// tokens splits a normalized text: runs of Chinese characters give their
// bigrams (a lone character gives itself), other runs their words;
// stopBigrams and stopWords are left out, and a final s of an English
// plural is dropped.
func tokens(norm string) []string {
	var out []string
	rs := []rune(norm)
	for i := 0; i < len(rs); {
		j := i + 1
		switch {
		case rs[i] == ' ':
		case han(rs[i]):
			for j < len(rs) && han(rs[j]) {
				j++
			}
			if j-i == 1 {
				out = append(out, string(rs[i]))
			}
			for k := i; k+1 < j; k++ {
				if t := string(rs[k : k+2]); !stopBigrams[t] {
					out = append(out, t)
				}
			}
		default:
			for j < len(rs) && word(rs[j]) {
				j++
			}
			if w := string(rs[i:j]); !stopWords[w] {
				out = append(out, plural(w))
			}
		}
		i = j
	}
	return out
}

// plural drops the s of an English plural: "checks" is "check". Words of
// fewer than four letters, and those in ss, are kept.
func plural(w string) string {
	if len(w) >= 4 && w[len(w)-1] == 's' && w[len(w)-2] != 's' {
		return w[:len(w)-1]
	}
	return w
}

// contains reports whether the normalized keyword k occurs in the
// normalized text norm, and not inside a longer word: the keyword "art"
// is not in "party", while 孕前检查 is in 请问孕前检查在哪里做.
func contains(norm, k string) bool {
	first, _ := utf8.DecodeRuneInString(k)
	last, _ := utf8.DecodeLastRuneInString(k)
	for from := 0; ; {
		i := strings.Index(norm[from:], k)
		if i < 0 {
			return false
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(norm[:i])
		after, _ := utf8.DecodeRuneInString(norm[i+len(k):])
		if (i == 0 || !word(first) || !word(before)) && (i+len(k) == len(norm) || !word(last) || !word(after)) {
			return true
		}
		from = i + utf8.RuneLen(first)
	}
}
