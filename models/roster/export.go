package roster

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Format is an export's file format.
type Format string

// The formats.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// ParseFormat reads "xlsx" or "csv".
func ParseFormat(s string) (Format, bool) {
	switch Format(s) {
	case XLSX, CSV:
		return Format(s), true
	}
	return "", false
}

// Table is an export: column headers (in the reader's language) and rows.
type Table struct {
	Sheet   string
	Headers []string
	Rows    [][]string
}

// formulaStart holds the characters with which a spreadsheet takes a CSV
// cell for a formula (OWASP, "CSV injection"): = + - @, tab and CR.
const formulaStart = "=+-@\t\r"

// NeutraliseCell returns a CSV cell that no spreadsheet reads as a formula:
// a cell starting with = + - @, tab or CR gets a leading ', as OWASP
// advises, so that a member named =HYPERLINK(…) stays a name in an
// organizer's Excel. Excel shows the ' as the quote prefix, not as text.
// A cell that already starts with quotes before such a character gets one
// more, so that UnneutraliseCell gives back exactly what was written.
//
// A phone shown with its country code (models.DisplayPhone writes numbers
// outside China as "+1 201-555-0123") is neutralised too: Excel shows the
// text +1 201-555-0123, and models.NormalizePhone reads the number after the
// ' all the same. Chinese numbers are shown without "+86" and are not
// touched; the exports write no negative numbers.
func NeutraliseCell(s string) string {
	if rest := strings.TrimLeft(s, "'"); rest != "" && strings.ContainsRune(formulaStart, rune(rest[0])) {
		return "'" + s
	}
	return s
}

// UnneutraliseCell undoes NeutraliseCell: it drops the ' that an export
// put before a cell starting with = + - @, tab or CR (after any quotes of
// its own), and returns any other cell as it is. An import applies it to
// each raw cell, before trimming spaces, so that an export reads back.
func UnneutraliseCell(s string) string {
	if strings.HasPrefix(s, "'") {
		if rest := strings.TrimLeft(s, "'"); rest != "" && strings.ContainsRune(formulaStart, rune(rest[0])) {
			return s[1:]
		}
	}
	return s
}

// Write writes the table as XLSX (one sheet) or CSV (UTF-8 with a BOM, so
// that Excel opens Chinese right). Every CSV cell goes through
// NeutraliseCell; XLSX cells are inline strings, which no spreadsheet
// evaluates, so they are written as they are.
func Write(w io.Writer, f Format, t Table) error { return WriteTables(w, f, t) }

// neutralised returns the cells of a CSV record through NeutraliseCell.
func neutralised(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = NeutraliseCell(c)
	}
	return out
}

// WriteTables writes tables as Write writes one: as one XLSX workbook, a
// sheet each, or as one CSV file, the tables one after another with a
// blank line between them.
func WriteTables(w io.Writer, f Format, tables ...Table) error {
	if f == CSV {
		if _, err := w.Write([]byte("\xEF\xBB\xBF")); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		for i, t := range tables {
			if i > 0 {
				if err := cw.Write([]string{}); err != nil {
					return err
				}
			}
			for _, r := range append([][]string{t.Headers}, t.Rows...) {
				if err := cw.Write(neutralised(r)); err != nil {
					return err
				}
			}
		}
		cw.Flush()
		return cw.Error()
	}
	x := excelize.NewFile()
	defer x.Close()
	for i, t := range tables {
		sheet := t.Sheet
		if sheet == "" {
			sheet = fmt.Sprintf("Sheet%d", i+1)
		}
		switch {
		case i == 0 && sheet != "Sheet1":
			if err := x.SetSheetName("Sheet1", sheet); err != nil {
				return fmt.Errorf("roster: sheet: %w", err)
			}
		case i > 0:
			if _, err := x.NewSheet(sheet); err != nil {
				return fmt.Errorf("roster: sheet: %w", err)
			}
		}
		sw, err := x.NewStreamWriter(sheet)
		if err != nil {
			return fmt.Errorf("roster: xlsx: %w", err)
		}
		for n, cells := range append([][]string{t.Headers}, t.Rows...) {
			vals := make([]any, len(cells))
			for j, c := range cells {
				vals[j] = c // a string is written as an inline string, never a formula
			}
			cell, err := excelize.CoordinatesToCellName(1, n+1)
			if err != nil {
				return err
			}
			if err := sw.SetRow(cell, vals); err != nil {
				return fmt.Errorf("roster: xlsx: %w", err)
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("roster: xlsx: %w", err)
		}
	}
	return x.Write(w)
}
