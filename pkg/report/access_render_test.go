package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/access"
	"github.com/usagerep/usagerep/pkg/render/csvout"
)

// TestActionKeys: an action named like a fixed key, or like an earlier
// action's key, gets a prefix; keys are unique.
func TestActionKeys(t *testing.T) {
	cols := []access.Column{{Action: "scan_upload"}, {Action: "email"}, {Action: "action_email"}, {Action: "date"}}
	got := actionKeys(cols)
	want := []string{"scan_upload", "action_email", "action_action_email", "action_date"}
	if !slices.Equal(got, want) {
		t.Errorf("actionKeys = %q, want %q", got, want)
	}
	rep := &access.Report{Columns: cols, Rows: []access.Row{{Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		User: &access.User{Email: "a@x.com"}, Project: "P", Counts: []int64{1, 2, 3, 4}}}}
	var buf bytes.Buffer
	if err := writeAccessJSON(&buf, rep, false); err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &objs); err != nil {
		t.Fatal(err)
	}
	if o := objs[0]; o["email"] != "a@x.com" || o["date"] != "2026-03-01" || o["action_email"] != 2.0 || o["action_date"] != 4.0 || len(o) != 11 {
		t.Errorf("object %v", o)
	}
}

// TestEncodeRowsKeepsOrder: batches encoded on several goroutines come out
// in row order; a write error stops the encoding and is returned.
func TestEncodeRowsKeepsOrder(t *testing.T) {
	const n = 50_000
	enc := func() func([]byte, int, int) []byte {
		return func(dst []byte, lo, hi int) []byte {
			for i := lo; i < hi; i++ {
				dst = strconv.AppendInt(dst, int64(i), 10)
				dst = append(dst, '\n')
			}
			return dst
		}
	}
	var buf bytes.Buffer
	if err := encodeRows(&buf, n, enc); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	want.Write(enc()(nil, 0, n))
	if !bytes.Equal(buf.Bytes(), want.Bytes()) {
		t.Error("rows out of order")
	}
	full := errors.New("no space left on device")
	w := &limitWriter{left: 3, err: full}
	if err := encodeRows(w, n, enc); !errors.Is(err, full) {
		t.Errorf("encodeRows = %v, want %v", err, full)
	}
	if w.writes != 4 {
		t.Errorf("%d writes, want 4: the encoding goes on after a failure", w.writes)
	}
}

// limitWriter fails every write after the first left.
type limitWriter struct {
	left, writes int
	err          error
}

func (w *limitWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.left == 0 {
		return 0, w.err
	}
	w.left--
	return len(p), nil
}

// TestAccessCSVLarge: a report of many rows, formatted in parallel
// batches, is the rows in order, each as a Writer writes it alone.
func TestAccessCSVLarge(t *testing.T) {
	rep := &access.Report{Columns: []access.Column{{Action: "a", Label: "A"}}}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30_000 {
		u := &access.User{Email: "u" + strconv.Itoa(i) + "@x.com", FirstName: "=F" + strconv.Itoa(i%7)}
		rep.Rows = append(rep.Rows, access.Row{Date: day.AddDate(0, 0, i/1000), User: u, Project: "P,\"q\"", Counts: []int64{int64(i)}})
	}
	var got bytes.Buffer
	if err := writeAccessCSV(&got, rep, false, false); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	cw := csvout.NewWriter(&want)
	_ = cw.Write(access.Headers(rep.Columns, false))
	for _, r := range rep.Rows {
		_ = cw.Write([]string{r.Date.Format(time.DateOnly), r.User.FirstName, r.User.LastName, r.User.Email, r.User.Company, r.Project, strconv.FormatInt(r.Counts[0], 10)})
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Error("parallel CSV differs from the rows written one by one")
	}
	var js bytes.Buffer
	if err := writeAccessJSON(&js, rep, false); err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(js.Bytes(), &objs); err != nil || len(objs) != len(rep.Rows) {
		t.Fatalf("JSON: %d objects (%v)", len(objs), err)
	}
	for i, o := range objs {
		if o["email"] != rep.Rows[i].User.Email || o["a"] != float64(i) {
			t.Fatalf("object %d = %v", i, o)
		}
	}
}
