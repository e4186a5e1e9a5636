// Package csvout writes CSV reports that are safe to open in a
// spreadsheet. A text cell that starts with '=', '+', '-', '@', a tab or a
// carriage return would be read as a formula (CSV injection), so such a
// cell is written with a leading single quote, which spreadsheets take as
// "this is text".
//
// Output is RFC 4180: records end in CRLF, and a cell holding a comma, a
// quote, a CR or an LF is quoted, with its line ends kept exactly
// (encoding/csv's CRLF mode would turn a lone CR inside a cell into CRLF).
package csvout

import (
	"bufio"
	"io"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// BOM is the UTF-8 byte order mark that tells Excel a CSV file is UTF-8.
const BOM = "\uFEFF"

// Writer writes rows of cells, buffered: call Flush at the end. A row is
// either given whole to Write, or built cell by cell with Text and Int and
// ended with EndRow.
type Writer struct {
	w       *bufio.Writer
	started bool // the current row has a cell
	err     error
	num     [24]byte
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10)}
}

// Write writes one row of text cells, neutralising each; row is not
// modified.
func (w *Writer) Write(row []string) error {
	for _, cell := range row {
		w.Text(cell)
	}
	return w.EndRow()
}

// Text adds a text cell to the current row, neutralised.
func (w *Writer) Text(s string) {
	w.sep()
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			w.field("'", s)
			return
		}
	}
	w.field("", s)
}

// Int adds a number cell to the current row; numbers are the report's
// own, never neutralised.
func (w *Writer) Int(n int64) {
	w.sep()
	w.w.Write(strconv.AppendInt(w.num[:0], n, 10))
}

// EndRow ends the current row. It reports the first error of the
// underlying writer so far (most are only seen by Flush).
func (w *Writer) EndRow() error {
	w.w.WriteString("\r\n")
	w.started = false
	return w.error()
}

// Flush writes out any buffered rows and reports the first error of any
// write.
func (w *Writer) Flush() error {
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}

func (w *Writer) error() error {
	if w.err == nil {
		// bufio keeps its first error and returns it from every call.
		if _, err := w.w.Write(nil); err != nil {
			w.err = err
		}
	}
	return w.err
}

func (w *Writer) sep() {
	if w.started {
		w.w.WriteByte(',')
	}
	w.started = true
}

// field writes prefix+s, quoted when RFC 4180 needs it or when s starts
// with a space (which some readers trim), as encoding/csv does.
func (w *Writer) field(prefix, s string) {
	if !needsQuotes(prefix, s) {
		w.w.WriteString(prefix)
		w.w.WriteString(s)
		return
	}
	w.w.WriteByte('"')
	w.w.WriteString(prefix)
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '"' {
			i++
		}
		w.w.WriteString(s[:i])
		if i == len(s) {
			break
		}
		w.w.WriteString(`""`)
		s = s[i+1:]
	}
	w.w.WriteByte('"')
}

func needsQuotes(prefix, s string) bool {
	if prefix == "" {
		if s == "" {
			return false
		}
		if s == `\.` {
			return true // PostgreSQL's end-of-data marker
		}
		if r, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
			return true
		}
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}
