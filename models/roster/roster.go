// Package roster reads and writes the association's member lists as the
// branches keep them, CSV (UTF-8 with or without BOM, or GB18030 as Chinese
// Excel saves it) and XLSX, with English or Chinese column names in any
// order (SPEC C9). Parse turns a file into rows and the problems of each
// bad row; store.ImportRoster checks the rows against the database and
// applies them in one transaction; Write exports tables with the reader's
// column names.
package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

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
)

// Columns lists the import columns in the order exports write them.
func Columns() []Column {
	return []Column{ColName, ColPhone, ColBranch, ColTags, ColRole, ColLanguage, ColCheckKind, ColCheckInterval, ColLastCheck}
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
	BadDate         Reason = "bad_date"
	UnknownKind     Reason = "unknown_kind"
	BadInterval     Reason = "bad_interval"
	NoKind          Reason = "no_kind"
	OutOfScope      Reason = "out_of_scope"    // a branch the importer does not organize
	NotYours        Reason = "not_yours"       // a member of a branch the importer does not organize
	AdminOnly       Reason = "admin_only"      // only admins make admins
	AdminUnchanged  Reason = "admin_unchanged" // an import does not change an admin
	UnknownBranch   Reason = "unknown_branch"  // a member needs a branch the importer may give
	TooLarge        Reason = "too_large"       // the file has more rows than an import takes
	NoRows          Reason = "no_rows"         // nothing but a header
	MissingColumn   Reason = "missing_column"  // the header lacks a required column
)

// Row is one member as a file gives them, checked on its own.
type Row struct {
	Line          int // 1-based, the header being line 1
	Name          string
	Phone         string // E.164
	Branch        string // clean path, "" for none given
	Tags          []string
	Role          models.Role // "" when not given (a new member is a member; an existing one keeps theirs)
	Lang          string      // "" when not given
	CheckKind     string
	CheckInterval string
	LastCheck     *models.Day
}

// Problem is what is wrong with one row (or, at line 0, the file).
type Problem struct {
	Line   int
	Column Column
	Reason Reason
	Value  string
}

// MaxRows bounds a file.
const MaxRows = 200000

// ErrNotARoster is returned for a file that is neither CSV nor XLSX, or
// lacks the name and phone columns.
var ErrNotARoster = errors.New("roster: not a member list (CSV or XLSX with name and phone columns)")

// Parse reads a roster file: XLSX (told by its content) or CSV. Each bad
// row is a problem with its line, column and reason; good rows come back
// checked on their own (the database's checks are store.ImportRoster's).
func Parse(r io.Reader) ([]Row, []Problem, error) {
	raw, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("roster: read: %w", err)
	}
	var table [][]string
	if bytes.HasPrefix(raw, []byte("PK\x03\x04")) {
		table, err = readXLSX(raw)
	} else {
		table, err = readCSV(raw)
	}
	if err != nil {
		return nil, nil, err
	}
	return parseTable(table)
}

// readCSV decodes UTF-8 (a BOM dropped) or, when the bytes are not UTF-8,
// GB18030 (a superset of GBK, what Chinese Excel writes), then splits it.
func readCSV(raw []byte) ([][]string, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(raw) {
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: not UTF-8 nor GB18030", ErrNotARoster)
		}
		raw = decoded
	}
	rd := csv.NewReader(bytes.NewReader(raw))
	rd.FieldsPerRecord = -1
	rd.LazyQuotes = true
	// A semicolon or a tab instead of a comma, as some spreadsheets write.
	if first, _, _ := strings.Cut(string(raw), "\n"); !strings.Contains(first, ",") {
		if strings.Contains(first, "\t") {
			rd.Comma = '\t'
		} else if strings.Contains(first, ";") {
			rd.Comma = ';'
		}
	}
	table, err := rd.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotARoster, err)
	}
	return table, nil
}

// Bounds on an XLSX file (a zip): how much it may unpack to, and the size
// of a part above which excelize works from a temporary file instead of
// memory. A small file that unpacks to gigabytes is refused.
const (
	maxUnzipped  = 256 << 20
	maxXMLMemory = 16 << 20
)

// readXLSX reads the first sheet's cells as text, as Excel shows them, row
// by row, stopping after MaxRows and a header (parseTable reports the file
// too large).
func readXLSX(raw []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(raw), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxXMLMemory})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotARoster, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, ErrNotARoster
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotARoster, err)
	}
	defer rows.Close()
	var table [][]string
	for rows.Next() && len(table) <= MaxRows+1 {
		cols, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotARoster, err)
		}
		table = append(table, cols)
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotARoster, err)
	}
	return table, nil
}

// parseTable maps the header and checks each row.
func parseTable(table [][]string) ([]Row, []Problem, error) {
	start := 0
	for start < len(table) && blank(table[start]) {
		start++
	}
	if start == len(table) {
		return nil, []Problem{{Reason: NoRows}}, nil
	}
	cols := map[Column]int{}
	for i, h := range table[start] {
		key := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if c, ok := headerNames[key]; ok {
			if _, dup := cols[c]; !dup {
				cols[c] = i
			}
		}
	}
	var problems []Problem
	for _, c := range []Column{ColName, ColPhone} {
		if _, ok := cols[c]; !ok {
			problems = append(problems, Problem{Line: start + 1, Column: c, Reason: MissingColumn})
		}
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	if len(table)-start-1 > MaxRows {
		return nil, []Problem{{Reason: TooLarge, Value: strconv.Itoa(MaxRows)}}, nil
	}
	var rows []Row
	seen := map[string]int{}
	for i := start + 1; i < len(table); i++ {
		rec := table[i]
		if blank(rec) {
			continue
		}
		get := func(c Column) string {
			if j, ok := cols[c]; ok && j < len(rec) {
				return strings.TrimSpace(rec[j])
			}
			return ""
		}
		line := i + 1
		bad := func(c Column, r Reason, v string) {
			problems = append(problems, Problem{Line: line, Column: c, Reason: r, Value: v})
		}
		row := Row{Line: line, Name: get(ColName)}
		n := len(problems)
		switch {
		case row.Name == "":
			bad(ColName, NoName, "")
		case len([]rune(row.Name)) > 100:
			bad(ColName, BadName, row.Name)
		}
		if p, err := models.NormalizePhone(get(ColPhone)); err != nil {
			bad(ColPhone, BadPhone, get(ColPhone))
		} else if first, dup := seen[p]; dup {
			bad(ColPhone, DuplicatePhone, strconv.Itoa(first))
		} else {
			row.Phone = p
			seen[p] = line
		}
		if b := get(ColBranch); b != "" {
			if clean, err := models.CleanBranchPath(strings.ReplaceAll(b, "／", "/")); err != nil {
				bad(ColBranch, BadBranch, b)
			} else {
				row.Branch = clean
			}
		}
		row.Tags = splitTags(get(ColTags))
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
		row.CheckKind, row.CheckInterval = get(ColCheckKind), get(ColCheckInterval)
		if v := get(ColLastCheck); v != "" {
			if d, ok := ParseDate(v); ok {
				row.LastCheck = &d
			} else {
				bad(ColLastCheck, BadDate, v)
			}
		}
		if row.CheckKind == "" && (row.CheckInterval != "" || row.LastCheck != nil) {
			bad(ColCheckKind, NoKind, "")
		}
		if len(problems) == n {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 && len(problems) == 0 {
		problems = append(problems, Problem{Reason: NoRows})
	}
	return rows, problems, nil
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
