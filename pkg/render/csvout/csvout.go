// Package csvout writes CSV reports that are safe to open in a
// spreadsheet. A cell that starts with '=', '+', '-', '@', a tab or a
// carriage return would be read as a formula (CSV injection), so such a
// cell is written with a leading single quote, which spreadsheets take as
// "this is text". Rows are RFC 4180, with LF line ends: encoding/csv's
// CRLF mode would drop a carriage return inside a cell.
//
// It is written for the CSV reports (the per-day access report); numbers
// in them are never negative, so no number gains a quote.
package csvout

import (
	"encoding/csv"
	"io"
)

// Writer writes rows of text cells.
type Writer struct {
	w   *csv.Writer
	row []string // the cells being written, neutralised; reused
}

// NewWriter returns a Writer that writes to w, buffered: call Flush at the
// end.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: csv.NewWriter(w)}
}

// Write writes one row, neutralising every cell; row is not modified.
func (w *Writer) Write(row []string) error {
	w.row = w.row[:0]
	for _, cell := range row {
		w.row = append(w.row, neutralise(cell))
	}
	return w.w.Write(w.row)
}

// Flush writes out any buffered rows and reports the first error of any
// Write or Flush.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// neutralise prefixes a cell a spreadsheet would evaluate with a quote.
func neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
