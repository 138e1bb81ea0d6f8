// Package roster reads and writes the association's member lists as the
// branches keep them, CSV (UTF-8 with or without BOM, or GB18030 as Chinese
// Excel saves it) and XLSX, with English or Chinese column names in any
// order (SPEC C9). Parse turns a file into rows and the problems of each
// bad row; store.ImportRoster checks the rows against the database and
// applies them in one transaction; Write exports tables with the reader's
// column names.
package roster

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
)

// Column is a column of a roster file.
type Column string

// The columns of SPEC C9.
const (
	ColName          Column = "name"
	ColPhone         Column = "phone"
	ColBranch        Column = "branch"
	ColTags          Column = "tags"
	ColRole          Column = "role"
	ColLanguage      Column = "language"
	ColCheckKind     Column = "check_kind"
	ColCheckInterval Column = "check_interval"
	ColLastCheck     Column = "last_check"
	ColChannel       Column = "channel"    // auto, telegram or sms (SPEC C12)
	ColSMSHealth     Column = "sms_health" // yes: health reminders by SMS
	// The household and family facts (SPEC C14).
	ColHousehold  Column = "household"  // the household's number (户号)
	ColCentre     Column = "centre"     // the phone of the centre household's head
	ColBirth      Column = "birth"      // a birth in the family, a date
	ColExpected   Column = "expected"   // the month an expected birth is due, YYYY-MM
	ColDifficulty Column = "difficulty" // yes: a family in difficulty
)

// Columns lists the import columns in the order exports write them.
func Columns() []Column {
	return []Column{ColName, ColPhone, ColBranch, ColTags, ColRole, ColLanguage, ColCheckKind, ColCheckInterval, ColLastCheck, ColChannel, ColSMSHealth,
		ColHousehold, ColCentre, ColBirth, ColExpected, ColDifficulty}
}

// headerNames are the names a header may give a column: English, and the
// Chinese of both scripts as the locales write them (an export's own
// headers read back).
var headerNames = map[string]Column{
	"name": ColName, "姓名": ColName, "名字": ColName,
	"phone": ColPhone, "手机": ColPhone, "手机号": ColPhone, "手机号码": ColPhone, "电话": ColPhone, "手機": ColPhone, "手機號碼": ColPhone, "電話": ColPhone,
	"branch": ColBranch, "分会": ColBranch, "分會": ColBranch,
	"tags": ColTags, "tag": ColTags, "标签": ColTags, "標籤": ColTags,
	"role": ColRole, "角色": ColRole,
	"language": ColLanguage, "lang": ColLanguage, "语言": ColLanguage, "語言": ColLanguage,
	"check_kind": ColCheckKind, "检查类型": ColCheckKind, "檢查類型": ColCheckKind,
	"check_interval": ColCheckInterval, "检查间隔": ColCheckInterval, "檢查間隔": ColCheckInterval,
	"last_check": ColLastCheck, "上次检查": ColLastCheck, "上次檢查": ColLastCheck,
	"channel": ColChannel, "接收方式": ColChannel,
	"sms_health": ColSMSHealth, "健康提醒短信": ColSMSHealth, "健康提醒簡訊": ColSMSHealth,
	"household": ColHousehold, "户号": ColHousehold, "戶號": ColHousehold,
	"centre": ColCentre, "center": ColCentre, "中心户": ColCentre, "中心戶": ColCentre,
	"birth": ColBirth, "出生日期": ColBirth, "新生儿": ColBirth, "新生兒": ColBirth,
	"expected": ColExpected, "预产期": ColExpected, "預產期": ColExpected,
	"difficulty": ColDifficulty, "困难家庭": ColDifficulty, "困難家庭": ColDifficulty,
}

// Reason is why a row is refused; its message key is "import.problem.<reason>".
type Reason string

// The reasons.
const (
	NoName          Reason = "no_name"
	BadName         Reason = "bad_name"
	BadPhone        Reason = "bad_phone"
	DuplicatePhone  Reason = "duplicate_phone"
	BadBranch       Reason = "bad_branch"
	UnknownRole     Reason = "unknown_role"
	UnknownLanguage Reason = "unknown_language"
	UnknownChannel  Reason = "unknown_channel"
	BadYesNo        Reason = "bad_yes_no"
	BadDate         Reason = "bad_date"
	FutureDate      Reason = "future_date"    // a last check after today
	FutureBirth     Reason = "future_birth"   // a birth after today
	BadMonth        Reason = "bad_month"      // an expected birth that is not a month
	UnknownCentre   Reason = "unknown_centre" // a centre household not on the roster or in the file
	SelfCentre      Reason = "self_centre"    // a household its own centre household
	UnknownKind     Reason = "unknown_kind"
	BadInterval     Reason = "bad_interval"
	NoKind          Reason = "no_kind"
	FileTooBig      Reason = "file_too_big"      // the file is larger than the import takes
	NotATable       Reason = "not_a_table"       // neither CSV nor XLSX (binary, or broken)
	MixedEncoding   Reason = "mixed_encoding"    // lines in UTF-8 and in GBK
	LineTooLong     Reason = "line_too_long"     // a CSV line far longer than a row
	TooManyColumns  Reason = "too_many_columns"  // data far to the right of the roster's columns
	XLSXTooLarge    Reason = "xlsx_too_large"    // an XLSX that unpacks to more than the import takes
	CellTooLong     Reason = "cell_too_long"     // a cell longer than the import reads
	BadText         Reason = "bad_text"          // control characters in a name, branch or tag
	TooManyProblems Reason = "too_many_problems" // the reading stopped at line Line
	OutOfScope      Reason = "out_of_scope"      // a branch the importer does not organize
	NotYours        Reason = "not_yours"         // a member of a branch the importer does not organize
	AdminOnly       Reason = "admin_only"        // only admins make admins
	AdminUnchanged  Reason = "admin_unchanged"   // an import does not change an admin
	UnknownBranch   Reason = "unknown_branch"    // a member needs a branch the importer may give
	TooLarge        Reason = "too_large"         // the file has more rows than an import takes
	NoRows          Reason = "no_rows"           // nothing but a header
	MissingColumn   Reason = "missing_column"    // the header lacks a required column
)

// Row is one member as a file gives them, checked on its own.
type Row struct {
	Line   int // 1-based, the header being line 1
	Name   string
	Phone  string // E.164
	Branch string // clean path, "" for none given
	Tags   []string
	Role   models.Role // "" when not given (a new member is a member; an existing one keeps theirs)
	Lang   string      // "" when not given
	// Channel and SMSHealth: how messages reach the member, consent to
	// health reminders by SMS; nil when not given (kept).
	Channel   *models.Channel
	SMSHealth *bool
	// Family: the household and family facts the file gives (nil: none
	// of their columns has a value; each nil field is kept).
	Family *RowFamily
	// Plans are the checks the file gives the member: one a line, the
	// same phone on a further line for each further kind (as an export
	// writes them).
	Plans []RowPlan
	// Bad: the row has problems of its own; the store checks it further,
	// so that every problem of a row is reported, and imports nothing.
	Bad bool
}

// RowFamily is a member's household as a line of the file gives it.
type RowFamily struct {
	Household  *string
	Centre     *string // E.164
	Birth      *models.Day
	Expected   *string
	Difficulty *bool
}

// RowPlan is a check of a member as a line of the file gives it.
type RowPlan struct {
	Line      int
	Kind      string // a kind's key or any of its names
	Interval  string // "" when not given
	LastCheck *models.Day
}

// Problem is what is wrong with one row (or, at line 0, the file).
type Problem struct {
	Line   int
	Column Column
	Reason Reason
	Value  string
}

// parser maps the header and checks each row as it comes, keeping only
// the rows and the problems.
type parser struct {
	lim      Limits
	cols     map[Column]int // nil until the header
	header   int            // the header's line
	count    int            // rows after the header, blank ones too
	rows     []Row
	problems []Problem
	seen     map[string]int // phone → index in rows
}

func newParser(lim Limits) *parser {
	return &parser{lim: lim, seen: map[string]int{}}
}

// record takes one row of the file; stop says the file is done with (a
// header without the required columns, or more rows than MaxRows).
func (p *parser) record(line int, rec []string) (stop bool) {
	if p.cols == nil {
		if blank(rec) {
			return false
		}
		return p.readHeader(line, rec)
	}
	if len(p.problems) >= maxProblems {
		// The file will not be imported: reading on only costs memory
		// for a report nobody reads to the end.
		p.rows = nil
		p.problems = append(p.problems, Problem{Line: line, Reason: TooManyProblems, Value: strconv.Itoa(maxProblems)})
		return true
	}
	if p.count++; p.count > p.lim.MaxRows {
		p.rows = nil
		p.problems = []Problem{{Reason: TooLarge, Value: strconv.Itoa(p.lim.MaxRows)}}
		return true
	}
	if !blank(rec) {
		p.row(line, rec)
	}
	return false
}

func (p *parser) readHeader(line int, rec []string) bool {
	p.cols, p.header = map[Column]int{}, line
	for i, h := range rec {
		key := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if c, ok := headerNames[key]; ok {
			if _, dup := p.cols[c]; !dup {
				p.cols[c] = i
			}
		}
	}
	for _, c := range []Column{ColName, ColPhone} {
		if _, ok := p.cols[c]; !ok {
			p.problems = append(p.problems, Problem{Line: line, Column: c, Reason: MissingColumn})
		}
	}
	return len(p.problems) > 0
}

// maxProblems is how many problems a report lists before the reading
// stops.
const maxProblems = 1000

// maxValue is how much of a bad value a problem quotes.
const maxValue = 60

func (p *parser) row(line int, rec []string) {
	n := len(p.problems)
	bad := func(c Column, r Reason, v string) {
		if len([]rune(v)) > maxValue {
			v = string([]rune(v)[:maxValue]) + "…"
		}
		p.problems = append(p.problems, Problem{Line: line, Column: c, Reason: r, Value: strings.Clone(v)})
	}
	cells := map[Column]string{}
	for c, j := range p.cols {
		if j >= len(rec) {
			continue
		}
		v := strings.TrimSpace(UnneutraliseCell(rec[j]))
		if utf8.RuneCountInString(v) > p.lim.MaxCell {
			bad(c, CellTooLong, strconv.Itoa(p.lim.MaxCell))
			continue
		}
		cells[c] = v
	}
	get := func(c Column) string { return cells[c] }
	row := Row{Line: line, Name: get(ColName)}
	switch {
	case row.Name == "" && !tooLong(p.problems[n:], ColName):
		bad(ColName, NoName, "")
	case len([]rune(row.Name)) > 100:
		bad(ColName, BadName, row.Name)
	case !models.ValidText(row.Name, false):
		bad(ColName, BadText, "")
	}
	ph, err := models.NormalizePhone(get(ColPhone))
	switch {
	case tooLong(p.problems[n:], ColPhone):
	case err != nil:
		bad(ColPhone, BadPhone, get(ColPhone))
	default:
		row.Phone = ph
	}
	if b := get(ColBranch); b != "" {
		if !models.ValidText(b, false) {
			bad(ColBranch, BadText, "")
		} else if clean, err := models.CleanBranchPath(strings.ReplaceAll(b, "／", "/")); err != nil {
			bad(ColBranch, BadBranch, b)
		} else {
			row.Branch = clean
		}
	}
	if t := get(ColTags); !models.ValidText(t, false) {
		bad(ColTags, BadText, "")
	} else {
		row.Tags = splitTags(t)
	}
	if v := get(ColRole); v != "" {
		if role, ok := parseRole(v); ok {
			row.Role = role
		} else {
			bad(ColRole, UnknownRole, v)
		}
	}
	if v := get(ColLanguage); v != "" {
		if l, ok := parseLang(v); ok {
			row.Lang = string(l)
		} else {
			bad(ColLanguage, UnknownLanguage, v)
		}
	}
	if v := get(ColChannel); v != "" {
		if c, ok := parseChannel(v); ok {
			row.Channel = &c
		} else {
			bad(ColChannel, UnknownChannel, v)
		}
	}
	if v := get(ColSMSHealth); v != "" {
		if yes, ok := parseYesNo(v); ok {
			row.SMSHealth = &yes
		} else {
			bad(ColSMSHealth, BadYesNo, v)
		}
	}
	var fam RowFamily
	if v := get(ColHousehold); v != "" {
		if !models.ValidText(v, false) || len([]rune(v)) > models.MaxHousehold {
			bad(ColHousehold, BadText, "")
		} else {
			h := strings.Clone(v)
			fam.Household = &h
		}
	}
	if v := get(ColCentre); v != "" {
		if e164, err := models.NormalizePhone(v); err == nil {
			fam.Centre = &e164
		} else {
			bad(ColCentre, BadPhone, v)
		}
	}
	if v := get(ColBirth); v != "" {
		if d, ok := ParseDate(v); ok {
			fam.Birth = &d
		} else {
			bad(ColBirth, BadDate, v)
		}
	}
	if v := get(ColExpected); v != "" {
		if t, err := time.Parse("2006-01", strings.TrimSpace(v)); err == nil {
			m := t.Format("2006-01")
			fam.Expected = &m
		} else {
			bad(ColExpected, BadMonth, v)
		}
	}
	if v := get(ColDifficulty); v != "" {
		if yes, ok := parseYesNo(v); ok {
			fam.Difficulty = &yes
		} else {
			bad(ColDifficulty, BadYesNo, v)
		}
	}
	if fam != (RowFamily{}) {
		row.Family = &fam
	}
	plan := RowPlan{Line: line, Kind: strings.Clone(get(ColCheckKind)), Interval: strings.Clone(get(ColCheckInterval))}
	if v := get(ColLastCheck); v != "" {
		if d, ok := ParseDate(v); ok {
			plan.LastCheck = &d
		} else {
			bad(ColLastCheck, BadDate, v)
		}
	}
	switch {
	case plan.Kind != "":
		row.Plans = []RowPlan{plan}
	case plan.Interval != "" || plan.LastCheck != nil:
		bad(ColCheckKind, NoKind, "")
	}
	// The row's strings share the file's record: a clone keeps only what
	// the import needs.
	row.Name = strings.Clone(row.Name)
	if row.Phone != "" {
		if i, dup := p.seen[row.Phone]; dup {
			if len(p.problems) == n && p.rows[i].addPlan(row) {
				return
			}
			bad(ColPhone, DuplicatePhone, strconv.Itoa(p.rows[i].Line))
		}
	}
	row.Bad = len(p.problems) > n
	if !row.Bad {
		p.seen[row.Phone] = len(p.rows)
	}
	p.rows = append(p.rows, row)
}

// addPlan takes the check of a further line of the same member: the line
// gives a kind the member's first line does not, and nothing of the member
// that differs from it.
func (r *Row) addPlan(more Row) bool {
	if len(more.Plans) != 1 || len(r.Plans) == 0 || more.Name != r.Name ||
		(more.Branch != "" && more.Branch != r.Branch) || (more.Role != "" && more.Role != r.Role) ||
		(more.Lang != "" && more.Lang != r.Lang) || (more.Tags != nil && !slices.Equal(more.Tags, r.Tags)) {
		return false
	}
	for _, p := range r.Plans {
		if SameKindName(p.Kind, more.Plans[0].Kind) {
			return false
		}
	}
	r.Plans = append(r.Plans, more.Plans[0])
	return true
}

// SameKindName compares two ways of naming a kind of check as people type
// them: case, spaces and full-width letters aside (季度孕检（三查） is
// 季度孕检(三查)).
func SameKindName(a, b string) bool { return KindName(a) == KindName(b) }

// KindName folds a kind's key or name for comparing.
func KindName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(width.Fold.String(s)), ""))
}

// tooLong reports whether problems name column c too long already.
func tooLong(problems []Problem, c Column) bool {
	for _, p := range problems {
		if p.Column == c && p.Reason == CellTooLong {
			return true
		}
	}
	return false
}

// finish reports a file with no members.
func (p *parser) finish() ([]Row, []Problem, error) {
	if len(p.rows) == 0 && len(p.problems) == 0 {
		p.problems = append(p.problems, Problem{Reason: NoRows})
	}
	return p.rows, p.problems, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// splitTags reads "volunteer, away", "志愿者、外出", "a;b".
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，、;；|", r) }) {
		if t = models.NormalizeTag(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// parseRole reads a role in English or Chinese.
func parseRole(s string) (models.Role, bool) {
	r, ok := map[string]models.Role{
		"member": models.RoleMember, "会员": models.RoleMember, "會員": models.RoleMember, "成员": models.RoleMember, "成員": models.RoleMember,
		"organizer": models.RoleOrganizer, "组织者": models.RoleOrganizer, "組織者": models.RoleOrganizer, "组长": models.RoleOrganizer, "組長": models.RoleOrganizer,
		"admin": models.RoleAdmin, "管理员": models.RoleAdmin, "管理員": models.RoleAdmin,
	}[strings.ToLower(strings.TrimSpace(s))]
	return r, ok
}

// parseChannel reads a member's channel as people write it, in the
// export's words too.
func parseChannel(s string) (models.Channel, bool) {
	c, ok := map[string]models.Channel{
		"auto": models.ChannelAuto, "自动": models.ChannelAuto, "自動": models.ChannelAuto, "automatic": models.ChannelAuto,
		"telegram": models.ChannelTelegram, "tg": models.ChannelTelegram,
		"sms": models.ChannelSMS, "短信": models.ChannelSMS, "簡訊": models.ChannelSMS, "简讯": models.ChannelSMS,
	}[strings.ToLower(strings.TrimSpace(strings.TrimLeft(s, "🔀📱💬 ")))]
	return c, ok
}

// ChannelWords is a channel as an export writes it (parseChannel reads it
// back).
func ChannelWords(c models.Channel) string {
	if c == "" {
		return string(models.ChannelAuto)
	}
	return string(c)
}

// parseYesNo reads yes or no in the three languages.
func parseYesNo(s string) (bool, bool) {
	v, ok := map[string]bool{
		"yes": true, "y": true, "是": true, "同意": true, "1": true, "true": true,
		"no": false, "n": false, "否": false, "不同意": false, "0": false, "false": false,
	}[strings.ToLower(strings.TrimSpace(s))]
	return v, ok
}

// parseLang reads a language as people write it in a spreadsheet.
func parseLang(s string) (locales.Lang, bool) {
	if l, ok := locales.Parse(s); ok {
		return l, true
	}
	l, ok := map[string]locales.Lang{
		"简体": locales.ZhHans, "简体中文": locales.ZhHans, "中文": locales.ZhHans, "簡體": locales.ZhHans,
		"繁體": locales.ZhHant, "繁体": locales.ZhHant, "繁體中文": locales.ZhHant, "繁体中文": locales.ZhHant,
		"english": locales.En, "英文": locales.En, "英语": locales.En, "英語": locales.En,
	}[strings.ToLower(strings.TrimSpace(s))]
	return l, ok
}

// dateLayouts are the ways spreadsheets write a date.
var dateLayouts = []string{"2006-01-02", "2006/1/2", "2006.1.2", "2006年1月2日", "2006-1-2", "01-02-06", "1/2/06", "2006-01-02 15:04:05"}

// ParseDate reads a date as a spreadsheet writes it (no time of day).
func ParseDate(s string) (models.Day, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil && t.Year() >= 1900 && t.Year() < 2200 {
			return models.DayOf(t, time.UTC), true
		}
	}
	return models.Day{}, false
}
