// Package rostertest makes the files an attacker, or a careless
// spreadsheet, sends as a member list: far too wide, too long, a zip that
// unpacks to hundreds of megabytes, binary junk, two encodings. The tests
// of the reader, the bot and the CLI send the same files.
package rostertest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WideXLSX is a sheet of rows each with one cell in the last column (XFD)
// under a roster header: rows 20,000 make a file of about 418 KB, which
// excelize spells out to 16,384 cells a row.
func WideXLSX(rows int) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	if err := sw.SetRow("A1", []any{"name", "phone", "branch"}); err != nil {
		return nil, err
	}
	for i := 2; i <= rows+1; i++ {
		if err := sw.SetRow(fmt.Sprintf("XFD%d", i), []any{"x"}); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// BombXLSX is a valid XLSX whose sheet unpacks to about size bytes of the
// same member row again and again: 200 MB of it is a few hundred KB on
// the wire.
func BombXLSX(size int) ([]byte, error) { return sheetXLSX(size, false) }

// LongXLSX is a valid XLSX whose sheet unpacks to about size bytes of
// members, each with their own phone: every row is good, and there are
// more than an import takes.
func LongXLSX(size int) ([]byte, error) { return sheetXLSX(size, true) }

func sheetXLSX(size int, distinct bool) ([]byte, error) {
	small := excelize.NewFile()
	defer small.Close()
	if err := small.SetSheetRow("Sheet1", "A1", &[]any{"name", "phone"}); err != nil {
		return nil, err
	}
	var tmpl bytes.Buffer
	if err := small.Write(&tmpl); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(tmpl.Bytes()), int64(tmpl.Len()))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		w, err := zw.Create(zf.Name)
		if err != nil {
			return nil, err
		}
		if zf.Name == "xl/worksheets/sheet1.xml" {
			if err := bombSheet(w, size, distinct); err != nil {
				return nil, err
			}
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(w, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func bombSheet(w io.Writer, size int, distinct bool) error {
	head := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>phone</t></is></c></row>`
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	written := len(head)
	var b strings.Builder
	for r := 2; written < size; r++ {
		b.Reset()
		if distinct {
			fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>王芳</t></is></c><c r="B%d" t="inlineStr"><is><t>138%08d</t></is></c></row>`, r, r, r, r%100000000)
		} else {
			b.WriteString(`<row><c t="inlineStr"><is><t>王芳</t></is></c><c t="inlineStr"><is><t>13800000001</t></is></c></row>`)
		}
		n, err := io.WriteString(w, b.String())
		if err != nil {
			return err
		}
		written += n
	}
	_, err := io.WriteString(w, `</sheetData></worksheet>`)
	return err
}

// LinesCSV is size bytes of "a\n" lines under a roster header.
func LinesCSV(size int) []byte {
	head := "name,phone\n"
	return append([]byte(head), bytes.Repeat([]byte("a\n"), (size-len(head))/2)...)
}

// CommasCSV is size bytes of commas: one line, millions of fields.
func CommasCSV(size int) []byte {
	return bytes.Repeat([]byte(","), size)
}

// JunkFile is binary data that is neither CSV nor XLSX.
func JunkFile(size int) []byte {
	b := make([]byte, size)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// MixedCSV is a roster whose first member line is UTF-8 and whose second
// is GBK (two files pasted together): the GBK line is line 3.
func MixedCSV() []byte {
	gbk := []byte{0xc0, 0xee, 0xcb, 0xc4} // 李四
	b := []byte("name,phone\n张三,13800000001\n")
	b = append(b, gbk...)
	return append(b, []byte(",13800000002\n")...)
}
