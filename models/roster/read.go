package roster

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Limits bound what Parse reads, each checked before the work it guards:
// a file over MaxBytes is not read past MaxBytes, a table is read row by
// row and stops at MaxRows, an XLSX part is weighed from the zip's
// directory before it is unpacked. With the defaults, reading any file
// peaks well under 150 MB (BenchmarkParseHostile).
type Limits struct {
	MaxBytes   int64 // the file
	MaxRows    int   // members, the header not counted
	MaxColumns int   // columns of a row; data further right refuses the file
	MaxCell    int   // characters of a cell the import reads
}

// DefaultLimits are the import's limits unless configured: 20 MB (what a
// bot may download), 200,000 rows, 64 columns (the roster has 9), 1,000
// characters a cell.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 20 << 20, MaxRows: 200000, MaxColumns: 64, MaxCell: 1000}
}

// Bounds on an XLSX file (a zip) that are not the user's to set: what the
// parts may unpack to, each and together, how many there may be, and the
// size above which excelize keeps a part in a temporary file rather than
// in memory.
const (
	maxUnzipped  = 128 << 20 // all parts
	maxSheetPart = 128 << 20 // a worksheet (read as a stream)
	maxOtherPart = 16 << 20  // shared strings, styles, the workbook (read whole)
	maxParts     = 512
	maxXMLMemory = 1 << 20
	// maxTextRun is the longest run of an XLSX part's bytes without a
	// '<': no cell of MaxCell characters, escaped, comes near it, and a
	// longer one would be one string in memory before any check.
	maxTextRun = 64 << 10
	// maxLine is the longest physical line of a CSV file: far more than a
	// roster row, and small enough that its fields cost little.
	maxLine = 64 << 10
	// maxWideRows is how many XLSX rows may reach past MaxColumns with
	// nothing there (formatted empty cells) before the file is refused:
	// excelize spells out every column up to a row's last cell.
	maxWideRows = 100
)

// ErrNotARoster is returned for a file that is neither CSV nor XLSX, or
// lacks the name and phone columns.
var ErrNotARoster = errors.New("roster: not a member list (CSV or XLSX with name and phone columns)")

// Parse reads a roster file: XLSX (told by its content) or CSV, within
// lim. Each bad row is a problem with its line, column and reason; good
// rows come back checked on their own (the database's checks are
// store.ImportRoster's). A file past a limit, or one that is not a table
// at all, is a problem at line 0 (or at the line where it showed) and no
// rows. err is for a reader that failed.
func Parse(r io.Reader, lim Limits) ([]Row, []Problem, error) {
	if n, ok := size(r); ok && n > lim.MaxBytes {
		return nil, []Problem{{Reason: FileTooBig, Value: megabytes(lim.MaxBytes)}}, nil
	}
	raw, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("roster: read: %w", err)
	}
	if int64(len(raw)) > lim.MaxBytes {
		return nil, []Problem{{Reason: FileTooBig, Value: megabytes(lim.MaxBytes)}}, nil
	}
	p := newParser(lim)
	var src records
	switch {
	case bytes.HasPrefix(raw, []byte("PK\x03\x04")):
		x, problem := openXLSX(raw, lim)
		if problem != nil {
			return nil, []Problem{*problem}, nil
		}
		defer x.close()
		src = x
	default:
		c, problem := openCSV(raw)
		if problem != nil {
			return nil, []Problem{*problem}, nil
		}
		src = c
	}
	for {
		line, rec, problem := src.next()
		if problem != nil {
			return nil, []Problem{*problem}, nil
		}
		if rec == nil {
			break
		}
		if stop := p.record(line, rec); stop {
			break
		}
	}
	return p.finish()
}

// size is how many bytes r holds, when it can tell without reading (a
// file, a buffer): a file far over the limit is refused unread.
func size(r io.Reader) (int64, bool) {
	switch r := r.(type) {
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size(), true
		}
	case interface{ Len() int }:
		return int64(r.Len()), true
	}
	return 0, false
}

// records is a table read one row at a time: next returns the row's line
// (1-based) and its cells, nil at the end, or a problem that stops the
// whole file.
type records interface {
	next() (int, []string, *Problem)
}

func megabytes(n int64) string {
	return strconv.FormatInt((n+(1<<20)-1)>>20, 10)
}

// csvRecords reads CSV decoded from UTF-8 (a BOM dropped) or, when the
// bytes are not UTF-8, GB18030 (a superset of GBK, what Chinese Excel
// writes).
type csvRecords struct {
	rd   *csv.Reader
	line int
}

// openCSV tells a CSV file from binary data and from a file whose lines
// are in two encodings, and sets up its reader.
func openCSV(raw []byte) (*csvRecords, *Problem) {
	raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
	if binary(raw) {
		return nil, &Problem{Reason: NotATable}
	}
	var text io.Reader = bytes.NewReader(raw)
	if !utf8.Valid(raw) {
		if line := mixedLine(raw); line > 0 {
			return nil, &Problem{Line: line, Reason: MixedEncoding}
		}
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
		if err != nil || bytes.ContainsRune(decoded, utf8.RuneError) {
			return nil, &Problem{Reason: NotATable}
		}
		text = bytes.NewReader(decoded)
	}
	br := bufio.NewReader(&lineLimit{r: text, max: maxLine})
	rd := csv.NewReader(br)
	rd.FieldsPerRecord = -1
	rd.LazyQuotes = true
	rd.ReuseRecord = true
	// A semicolon or a tab instead of a comma, as some spreadsheets write.
	if first, err := br.Peek(min(br.Size(), len(raw))); err == nil || len(first) > 0 {
		head, _, _ := bytes.Cut(first, []byte("\n"))
		if !bytes.Contains(head, []byte(",")) {
			if bytes.Contains(head, []byte("\t")) {
				rd.Comma = '\t'
			} else if bytes.Contains(head, []byte(";")) {
				rd.Comma = ';'
			}
		}
	}
	return &csvRecords{rd: rd}, nil
}

func (c *csvRecords) next() (int, []string, *Problem) {
	rec, err := c.rd.Read()
	switch {
	case err == io.EOF:
		return 0, nil, nil
	case errors.Is(err, errLongLine):
		return 0, nil, &Problem{Line: c.line + 1, Reason: LineTooLong, Value: strconv.Itoa(maxLine >> 10)}
	case err != nil:
		line := c.line + 1
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line = pe.StartLine
		}
		return 0, nil, &Problem{Line: line, Reason: NotATable}
	}
	c.line, _ = c.rd.FieldPos(0)
	return c.line, rec, nil
}

// binary reports whether raw holds bytes no text file has, in more than a
// handful of places: control characters other than tab, CR, LF and form
// feed (a spreadsheet saved as .xls, an image, a zip that is not XLSX).
// One stray control character is the row's problem (BadText), not the
// file's.
func binary(raw []byte) bool {
	controls := 0
	for _, c := range raw {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			controls++
		}
	}
	return controls > max(8, len(raw)/1000)
}

// mixedLine is the first line whose bytes are in another encoding than
// an earlier line's (UTF-8 Chinese, then GBK, or the other way round);
// 0 when the file has one encoding.
func mixedLine(raw []byte) int {
	sawUTF8, sawOther := false, false
	for n := 1; len(raw) > 0; n++ {
		line, rest, _ := bytes.Cut(raw, []byte("\n"))
		raw = rest
		ascii := true
		for _, c := range line {
			if c >= 0x80 {
				ascii = false
				break
			}
		}
		if ascii {
			continue
		}
		if utf8.Valid(line) {
			sawUTF8 = true
		} else {
			sawOther = true
		}
		if sawUTF8 && sawOther {
			return n
		}
	}
	return 0
}

// errLongLine stops a CSV read at a line longer than maxLine.
var errLongLine = errors.New("roster: line too long")

// lineLimit passes r through, failing at a line longer than max bytes, so
// that no row of the file costs more than max to split.
type lineLimit struct {
	r   io.Reader
	max int
	cur int
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			l.cur = 0
			continue
		}
		if l.cur++; l.cur > l.max {
			return i, errLongLine
		}
	}
	return n, err
}

// xlsxRecords reads the first sheet's cells as text, as Excel shows them.
type xlsxRecords struct {
	f    *excelize.File
	rows *excelize.Rows
	lim  Limits
	line int
	wide int
}

// openXLSX weighs every part of the zip from its directory before any is
// unpacked (each part and all together, and no run of text longer than a
// cell can be), then opens the first sheet as a stream.
func openXLSX(raw []byte, lim Limits) (*xlsxRecords, *Problem) {
	if p := weighXLSX(raw); p != nil {
		return nil, p
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxXMLMemory})
	if err != nil {
		return nil, &Problem{Reason: NotATable}
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, &Problem{Reason: NotATable}
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, &Problem{Reason: NotATable}
	}
	return &xlsxRecords{f: f, rows: rows, lim: lim}, nil
}

func (x *xlsxRecords) close() {
	x.rows.Close()
	x.f.Close()
}

func (x *xlsxRecords) next() (int, []string, *Problem) {
	if !x.rows.Next() {
		if x.rows.Error() != nil {
			return 0, nil, &Problem{Line: x.line + 1, Reason: NotATable}
		}
		return 0, nil, nil
	}
	x.line++
	cols, err := x.rows.Columns()
	if err != nil {
		return 0, nil, &Problem{Line: x.line, Reason: NotATable}
	}
	if len(cols) > x.lim.MaxColumns {
		for i := x.lim.MaxColumns; i < len(cols); i++ {
			if strings.TrimSpace(cols[i]) != "" {
				name, _ := excelize.ColumnNumberToName(i + 1)
				return 0, nil, &Problem{Line: x.line, Reason: TooManyColumns, Value: name}
			}
		}
		if x.wide++; x.wide > maxWideRows {
			name, _ := excelize.ColumnNumberToName(len(cols))
			return 0, nil, &Problem{Line: x.line, Reason: TooManyColumns, Value: name}
		}
		cols = append([]string(nil), cols[:x.lim.MaxColumns]...)
	}
	return x.line, cols, nil
}

// weighXLSX refuses a zip whose parts would unpack to more than the
// bounds, before excelize unpacks any. The sizes come from the zip's
// directory; archive/zip fails a part that unpacks to more than it
// declares, so they cannot lie.
func weighXLSX(raw []byte) *Problem {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return &Problem{Reason: NotATable}
	}
	if len(zr.File) > maxParts {
		return &Problem{Reason: XLSXTooLarge, Value: megabytes(maxUnzipped)}
	}
	var total uint64
	for _, f := range zr.File {
		limit := uint64(maxOtherPart)
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			limit = maxSheetPart
		}
		total += f.UncompressedSize64
		if f.UncompressedSize64 > limit || total > maxUnzipped {
			return &Problem{Reason: XLSXTooLarge, Value: megabytes(maxUnzipped)}
		}
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		if long, err := longTextRun(f); err != nil {
			return &Problem{Reason: NotATable}
		} else if long {
			return &Problem{Reason: XLSXTooLarge, Value: megabytes(maxUnzipped)}
		}
	}
	return nil
}

// longTextRun reads a part as a stream and reports whether it holds more
// than maxTextRun bytes without a '<' (a cell far longer than any roster's,
// which the XML decoder would hold whole).
func longTextRun(f *zip.File) (bool, error) {
	rc, err := f.Open()
	if err != nil {
		return false, err
	}
	defer rc.Close()
	buf := make([]byte, 32<<10)
	run := 0
	for {
		n, err := rc.Read(buf)
		for _, c := range buf[:n] {
			if c == '<' {
				run = 0
			} else if run++; run > maxTextRun {
				return true, nil
			}
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}
