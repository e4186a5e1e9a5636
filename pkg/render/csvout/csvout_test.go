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
		// encoding/csv reads a quoted CRLF as LF.
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
		{[]string{"=1+1", "a,b", `x"y`}, `'=1+1,"a,b","x""y"` + "\n"},
		{[]string{"\t=1", "\r=1", "-5", "@x"}, "'\t=1,\"'\r=1\",'-5,'@x\n"},
		{[]string{"2026-10-01", "Jira Cloud", "42", "", "a=b", " =1", "'=1"}, "2026-10-01,Jira Cloud,42,,a=b,\" =1\",'=1\n"},
		// Cells are kept exactly, line ends inside them too.
		{[]string{"line\nbreak", "cr\r\nlf"}, "\"line\nbreak\",\"cr\r\nlf\"\n"},
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

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestFlushReportsWriteErrors(t *testing.T) {
	full := errors.New("no space left on device")
	w := NewWriter(failingWriter{full})
	if err := w.Write([]string{"a"}); err != nil {
		t.Fatalf("Write = %v; rows are buffered until Flush", err)
	}
	if err := w.Flush(); !errors.Is(err, full) {
		t.Errorf("Flush = %v, want %v", err, full)
	}
	if err := w.Flush(); !errors.Is(err, full) {
		t.Errorf("second Flush = %v, want the first error again", err)
	}
}
