// Package zipout writes zip archives whose bytes depend only on their
// content: every entry carries the same fixed modification time (the
// report's as-of time, not the clock), entries appear in the order they are
// created, and compression is deterministic.
package zipout

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/klauspost/compress/flate"
)

// Level is the deflate level. Entries are mostly xlsx files, which are
// already deflated, so a fast level loses almost nothing.
const Level = flate.BestSpeed

// Writer builds a zip archive. It is not safe for concurrent use.
type Writer struct {
	zw       *zip.Writer
	modified time.Time
	names    map[string]bool
	closed   bool
}

// NewWriter returns a Writer that writes an archive to w. Every entry is
// stamped with modified, shown as its wall-clock time in its own location.
func NewWriter(w io.Writer, modified time.Time) *Writer {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, Level)
	})
	return &Writer{zw: zw, modified: DOSTime(modified), names: make(map[string]bool)}
}

// DOSTime clamps t into the range a zip's MS-DOS timestamp can hold
// (1980-2107), which archive/zip does not check. The zero time stays zero:
// the entries then carry no time at all.
func DOSTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	if t.Year() < 1980 {
		return time.Date(1980, 1, 1, 0, 0, 0, 0, t.Location())
	}
	if t.Year() > 2107 {
		return time.Date(2107, 12, 31, 23, 59, 58, 0, t.Location())
	}
	return t
}

// Create adds a file entry and returns a writer for its content, valid
// until the next Create or Close. name is a slash-separated relative path;
// names that could escape the extraction directory, or repeat, are refused.
func (w *Writer) Create(name string) (io.Writer, error) {
	if w.closed {
		return nil, errors.New("zipout: create after close")
	}
	if !fs.ValidPath(name) || name == "." || strings.Contains(name, `\`) {
		return nil, fmt.Errorf("zipout: invalid entry name %q", name)
	}
	if w.names[name] {
		return nil, fmt.Errorf("zipout: duplicate entry %q", name)
	}
	w.names[name] = true
	fh := &zip.FileHeader{
		Name:     name,
		Method:   zip.Deflate,
		Modified: w.modified,
	}
	fh.SetMode(0o644)
	return w.zw.CreateHeader(fh)
}

// Close writes the central directory. It does not close the underlying
// writer.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.zw.Close()
}
