package zipout

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

var berlin = time.FixedZone("CET", 3600)

var asOf = time.Date(2026, 11, 22, 23, 59, 58, 0, berlin)

type entry struct{ name, body string }

var entries = []entry{
	{"Usage Report (Last 6 Months).xlsx", strings.Repeat("six months ", 1000)},
	{"Usage Report (Last 1 Year).xlsx", strings.Repeat("one year ", 1000)},
	{"empty.txt", ""},
}

func build(t *testing.T, modified time.Time, es []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := NewWriter(&buf, modified)
	for _, e := range es {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	data := build(t, asOf, entries)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(entries) {
		t.Fatalf("%d entries, want %d", len(zr.File), len(entries))
	}
	for i, f := range zr.File {
		if f.Name != entries[i].name {
			t.Errorf("entry %d is %q, want %q (creation order)", i, f.Name, entries[i].name)
		}
		if !f.Modified.Equal(asOf) {
			t.Errorf("%s modified %v, want %v", f.Name, f.Modified, asOf)
		}
		// The MS-DOS fields hold the wall clock of as-of's own zone.
		if got := f.ModTime(); got.Hour() != 23 || got.Day() != 22 {
			t.Errorf("%s MS-DOS time %v, want 2026-11-22 23:59", f.Name, got)
		}
		if f.Method != zip.Deflate {
			t.Errorf("%s method %d, want deflate", f.Name, f.Method)
		}
		if f.Mode().Perm() != 0o644 {
			t.Errorf("%s mode %v", f.Name, f.Mode())
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if string(body) != entries[i].body {
			t.Errorf("%s body differs", f.Name)
		}
	}
	if len(data) > 1000 {
		t.Errorf("archive is %d bytes; repetitive entries should compress", len(data))
	}
}

func TestDeterministic(t *testing.T) {
	a := build(t, asOf, entries)
	b := build(t, asOf, entries)
	if !bytes.Equal(a, b) {
		t.Fatal("same entries and time gave different bytes")
	}
	if c := build(t, asOf.Add(time.Hour), entries); bytes.Equal(a, c) {
		t.Error("a different modification time gave the same bytes")
	}
}

func TestCreateRefuses(t *testing.T) {
	tests := []struct{ name, want string }{
		{"../escape.xlsx", "invalid entry name"},
		{"/abs.xlsx", "invalid entry name"},
		{`dir\file.xlsx`, "invalid entry name"},
		{"", "invalid entry name"},
		{".", "invalid entry name"},
		{"a//b", "invalid entry name"},
		{"same.xlsx", "duplicate entry"},
	}
	zw := NewWriter(io.Discard, asOf)
	if _, err := zw.Create("same.xlsx"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if _, err := zw.Create(tt.name); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Create(%q) = %v, want %q", tt.name, err, tt.want)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Create("late.xlsx"); err == nil {
		t.Error("Create after Close succeeded")
	}
}

// limitWriter fails once n bytes are written: a full disk.
type limitWriter struct{ n int }

var errFull = errors.New("disk full")

func (l *limitWriter) Write(p []byte) (int, error) {
	if len(p) > l.n {
		n := l.n
		l.n = 0
		return n, errFull
	}
	l.n -= len(p)
	return len(p), nil
}

func TestWriteFailureIsReported(t *testing.T) {
	zw := NewWriter(&limitWriter{n: 100}, asOf)
	w, err := zw.Create("big.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	// Incompressible data, so that bytes reach the underlying writer.
	body := make([]byte, 1<<20)
	for i := range body {
		body[i] = byte(i*7919 + i>>8*31)
	}
	_, werr := w.Write(body)
	cerr := zw.Close()
	if !errors.Is(werr, errFull) && !errors.Is(cerr, errFull) {
		t.Fatalf("Write = %v, Close = %v; want %v from one of them", werr, cerr, errFull)
	}
}

func TestDOSTime(t *testing.T) {
	tests := []struct{ in, want time.Time }{
		{time.Time{}, time.Time{}},
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2200, 5, 1, 0, 0, 0, 0, berlin), time.Date(2107, 12, 31, 23, 59, 58, 0, berlin)},
		{asOf, asOf},
	}
	for _, tt := range tests {
		if got := DOSTime(tt.in); !got.Equal(tt.want) {
			t.Errorf("DOSTime(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
