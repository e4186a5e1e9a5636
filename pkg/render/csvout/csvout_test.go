package csvout

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// payloads is the shared formula-injection corpus.
func payloads(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../../../testdata/injection/payloads.json")
	if err != nil {
		t.Fatal(err)
	}
	var p []string
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPayloads writes every payload and reads the file back as a
// spreadsheet would: a cell that starts with a formula character has
// gained a quote and nothing else changed; no cell starts with one.
func TestPayloads(t *testing.T) {
	ps := payloads(t)
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, p := range ps {
		if err := w.Write([]string{p, "plain", p}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(ps) {
		t.Fatalf("%d rows read back, want %d", len(rows), len(ps))
	}
	quoted := 0
	for i, p := range ps {
		want := p
		if strings.ContainsAny(p[:1], "=+-@\t\r") {
			want = "'" + p
			quoted++
		}
		// encoding/csv reads a quoted CRLF as LF; a lone CR stays.
		want = strings.ReplaceAll(want, "\r\n", "\n")
		if got := rows[i]; !slices.Equal(got, []string{want, "plain", want}) {
			t.Errorf("payload %q: read back %q, want %q", p, got, want)
		}
		for _, cell := range rows[i] {
			if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") {
				t.Errorf("payload %q: cell %q starts a formula", p, cell)
			}
		}
	}
	if quoted < 20 || quoted == len(ps) {
		t.Errorf("%d of %d payloads quoted: the corpus should hold both kinds", quoted, len(ps))
	}
}

func TestBytes(t *testing.T) {
	for _, tc := range []struct {
		row  []string
		want string
	}{
		{[]string{"=1+1", "a,b", `x"y`}, `'=1+1,"a,b","x""y"` + "\r\n"},
		{[]string{"\t=1", "\r=1", "-5", "@x"}, "'\t=1,\"'\r=1\",'-5,'@x\r\n"},
		{[]string{"2026-10-01", "Jira Cloud", "42", "", "a=b", " =1", "'=1"}, "2026-10-01,Jira Cloud,42,,a=b,\" =1\",'=1\r\n"},
		// Cells are kept exactly, line ends inside them too: a lone CR,
		// a lone LF and a CRLF each stay what they are.
		{[]string{"line\nbreak", "cr\r\nlf", "lone\rcr", "end\r"}, "\"line\nbreak\",\"cr\r\nlf\",\"lone\rcr\",\"end\r\"\r\n"},
		{[]string{`\.`, `"`, `""`, "é,ü"}, `"\.","""","""""","é,ü"` + "\r\n"},
		{[]string{}, "\r\n"},
		{[]string{""}, "\r\n"},
	} {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		row := slices.Clone(tc.row)
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if buf.String() != tc.want {
			t.Errorf("Write(%q) = %q, want %q", tc.row, buf.String(), tc.want)
		}
		if !slices.Equal(row, tc.row) {
			t.Errorf("Write changed its row to %q", row)
		}
	}
}

// TestCells builds rows cell by cell: numbers are written as they are,
// negative ones too (they are the report's own, not input text).
func TestCells(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Text("2026-03-01")
	w.Text("=x")
	w.Int(0)
	w.Int(-12)
	w.Int(9223372036854775807)
	if err := w.EndRow(); err != nil {
		t.Fatal(err)
	}
	w.Int(1)
	if err := w.EndRow(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "2026-03-01,'=x,0,-12,9223372036854775807\r\n1\r\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

// TestStrictReadBack writes awkward cells and reads them back with a strict
// RFC 4180 reader (fixed field count, no lazy quotes): every row is whole
// and every cell is itself (neutralised, and CRLF read as LF, which is
// what encoding/csv does to any quoted CRLF).
func TestStrictReadBack(t *testing.T) {
	cells := append(payloads(t), "", " lead", "trail ", "a\"b", "x\r\ny", "x\ry", "x\ny", "\u00e9\u4e2d", "\x00")
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, c := range cells {
		if err := w.Write([]string{"k", c, "z"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("z\r\n")) {
		t.Errorf("output does not end with a CRLF record end")
	}
	r := csv.NewReader(&buf)
	r.FieldsPerRecord = 3
	r.LazyQuotes = false
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(cells) {
		t.Fatalf("%d rows, want %d", len(rows), len(cells))
	}
	for i, c := range cells {
		want := neutralise(c)
		want = strings.ReplaceAll(want, "\r\n", "\n")
		if rows[i][1] != want || rows[i][0] != "k" || rows[i][2] != "z" {
			t.Errorf("cell %q read back as %q", c, rows[i])
		}
	}
}

// neutralise is what a cell should read back as.
func neutralise(s string) string {
	if s != "" && strings.ContainsAny(s[:1], "=+-@\t\r") {
		return "'" + s
	}
	return s
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestFlushReportsWriteErrors(t *testing.T) {
	full := errors.New("no space left on device")
	w := NewWriter(failingWriter{full})
	if err := w.Write([]string{"a"}); err != nil {
		t.Fatalf("Write = %v; rows are buffered until Flush", err)
	}
	// A row that fills the buffer meets the error and says so.
	big := strings.Repeat("x", 100<<10)
	if err := w.Write([]string{big}); !errors.Is(err, full) {
		t.Errorf("Write of a large row = %v, want %v", err, full)
	}
	if err := w.Flush(); !errors.Is(err, full) {
		t.Errorf("Flush = %v, want %v", err, full)
	}
	if err := w.Flush(); !errors.Is(err, full) {
		t.Errorf("second Flush = %v, want the first error again", err)
	}
}

// TestBuffer: rows built in a Buffer are the bytes a Writer writes.
func TestBuffer(t *testing.T) {
	rows := [][]string{{"=a", "b,c", ""}, {" x", "y\r"}, {}}
	var want bytes.Buffer
	w := NewWriter(&want)
	var b Buffer
	for _, row := range rows {
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
		for _, c := range row {
			b.Text(c)
		}
		b.EndRow()
	}
	b.Int(-3)
	b.EndRow()
	w.Int(-3)
	if err := w.EndRow(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want.Bytes()) {
		t.Errorf("Buffer %q, Writer %q", b.Bytes(), want.Bytes())
	}
	b.Reset()
	b.Text("z")
	b.EndRow()
	if string(b.Bytes()) != "z\r\n" {
		t.Errorf("after Reset: %q", b.Bytes())
	}
}
