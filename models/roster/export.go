package roster

import (
	"encoding/csv"
	"fmt"
	"io"

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

// Write writes the table as XLSX (one sheet) or CSV (UTF-8 with a BOM, so
// that Excel opens Chinese right).
func Write(w io.Writer, f Format, t Table) error {
	if f == CSV {
		if _, err := w.Write([]byte("\xEF\xBB\xBF")); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		if err := cw.Write(t.Headers); err != nil {
			return err
		}
		if err := cw.WriteAll(t.Rows); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := t.Sheet
	if sheet == "" {
		sheet = "Sheet1"
	}
	if sheet != "Sheet1" {
		if err := x.SetSheetName("Sheet1", sheet); err != nil {
			return fmt.Errorf("roster: sheet: %w", err)
		}
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("roster: xlsx: %w", err)
	}
	row := func(n int, cells []string) error {
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = c
		}
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, vals)
	}
	if err := row(1, t.Headers); err != nil {
		return fmt.Errorf("roster: xlsx: %w", err)
	}
	for i, r := range t.Rows {
		if err := row(i+2, r); err != nil {
			return fmt.Errorf("roster: xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("roster: xlsx: %w", err)
	}
	return x.Write(w)
}
