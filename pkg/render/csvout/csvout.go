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
	w   io.Writer
	b   Buffer
	err error
}

// flushAt is how many buffered bytes a Writer writes out at a row's end.
const flushAt = 64 << 10

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, b: Buffer{buf: make([]byte, 0, flushAt+4096)}}
}

// Write writes one row of text cells, neutralising each; row is not
// modified.
func (w *Writer) Write(row []string) error {
	for _, cell := range row {
		w.b.Text(cell)
	}
	return w.EndRow()
}

// Text adds a text cell to the current row, neutralised.
func (w *Writer) Text(s string) { w.b.Text(s) }

// Int adds a number cell to the current row; numbers are the report's
// own, never neutralised.
func (w *Writer) Int(n int64) { w.b.Int(n) }

// EndRow ends the current row. It reports the first write error so far
// (rows are written out in blocks, so most are only seen by Flush).
func (w *Writer) EndRow() error {
	w.b.EndRow()
	if len(w.b.buf) >= flushAt {
		w.flush()
	}
	return w.err
}

// Flush writes out any buffered rows and reports the first error of any
// write.
func (w *Writer) Flush() error {
	w.flush()
	return w.err
}

func (w *Writer) flush() {
	if w.err == nil && len(w.b.buf) > 0 {
		_, w.err = w.w.Write(w.b.buf)
	}
	w.b.Reset()
}

// Buffer builds rows in memory, for a caller that formats rows on several
// goroutines and writes them in order itself. Cells are written as a
// Writer writes them.
type Buffer struct {
	buf     []byte
	started bool // the current row has a cell
}

// Text adds a text cell to the current row, neutralised.
func (b *Buffer) Text(s string) {
	b.sep()
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			b.field("'", s)
			return
		}
	}
	b.field("", s)
}

// Int adds a number cell to the current row.
func (b *Buffer) Int(n int64) {
	b.sep()
	b.buf = strconv.AppendInt(b.buf, n, 10)
}

// EndRow ends the current row with CRLF.
func (b *Buffer) EndRow() {
	b.buf = append(b.buf, '\r', '\n')
	b.started = false
}

// Bytes are the rows so far; they stay valid until the next change.
func (b *Buffer) Bytes() []byte { return b.buf }

// Reset empties b, keeping its memory.
func (b *Buffer) Reset() {
	b.buf = b.buf[:0]
	b.started = false
}

func (b *Buffer) sep() {
	if b.started {
		b.buf = append(b.buf, ',')
	}
	b.started = true
}

// field appends prefix+s, quoted when RFC 4180 needs it or when s starts
// with a space (which some readers trim), as encoding/csv does.
func (b *Buffer) field(prefix, s string) {
	if !needsQuotes(prefix, s) {
		b.buf = append(b.buf, prefix...)
		b.buf = append(b.buf, s...)
		return
	}
	b.buf = append(b.buf, '"')
	b.buf = append(b.buf, prefix...)
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '"' {
			i++
		}
		b.buf = append(b.buf, s[:i]...)
		if i == len(s) {
			break
		}
		b.buf = append(b.buf, '"', '"')
		s = s[i+1:]
	}
	b.buf = append(b.buf, '"')
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
