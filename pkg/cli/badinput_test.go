package cli

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// badCases are the files of testdata/bad/ with every reject each must give
// ("line reason: detail") and how many records it holds, good or bad. The
// table in testdata/bad/README.md says the same in words.
var badCases = []struct {
	file    string
	rejects []string
	read    int64
}{
	{"truncated.jsonl", []string{"2 invalid JSON: unexpected end of line", "4 invalid JSON: unexpected end of line"}, 4},
	{"not-object.jsonl", []string{"2 not an object", "3 not an object", "4 not an object", "5 not an object", "6 not an object"}, 7},
	{"wrong-types.jsonl", []string{
		"2 wrong type: time", "3 invalid time: true", "4 invalid kind: sometimes", "5 invalid kind: 7",
		"6 wrong type: system", "7 invalid count: three", "8 wrong type: count", "9 invalid duration: forever",
		"10 invalid outcome: maybe", "11 invalid integration_status: paused",
		"12 invalid time: integration_updated: last week", "13 invalid service_account: perhaps",
		"14 wrong type: email", "15 wrong type: props", "16 invalid users: users is not an array",
		"17 invalid users: users[0]: not an object", "18 invalid users: users[0]: invalid time: soon",
		"19 wrong type: type",
	}, 21},
	{"missing-time.jsonl", []string{"2 missing time", "3 missing time", "4 missing time", "5 missing time"}, 6},
	{"bad-time.jsonl", []string{
		"2 invalid time: yesterday", "3 invalid time: 2026-13-01T00:00:00Z", "4 invalid time: 2026-02-30T00:00:00Z",
		"5 invalid time: 2026-10-01T25:00:00Z", "6 invalid time: 2026-10-01T10:00:00",
		"7 invalid time: 2026-10-01T10:00:00.1234567890Z",
		"8 invalid time: 1677-12-31T23:59:59Z (outside the years 1678-2261)",
		"9 invalid time: 2262-01-01T00:00:00Z (outside the years 1678-2261)",
		"10 invalid time: 1e20 (outside the years 1678-2261)",
		"11 invalid time: -100000000000000 (outside the years 1678-2261)",
		"12 invalid time: NaN",
	}, 15},
	{"count.jsonl", []string{
		"2 invalid count: -1", "3 invalid count: 1.5", "4 invalid count: -2", "5 invalid count: 1e30",
		"6 invalid count: 99999999999999999999", "7 invalid count: 9223372036854775807",
	}, 10},
	{"invalid-utf8.jsonl", []string{"2 invalid UTF-8", "3 invalid UTF-8", "5 invalid UTF-8"}, 5},
	{"nul.jsonl", []string{`2 invalid JSON: unexpected '\x00' at column 63`, `3 invalid JSON: unexpected '\x00' at column 1`}, 4},
	{"crlf-bom.jsonl", nil, 2},
	{"empty.jsonl", nil, 0},
	{"empty-lines.jsonl", nil, 2},

	{"too-few-columns.csv", []string{"3 wrong column count: got 2, want 3", "4 wrong column count: got 1, want 3"}, 4},
	{"too-many-columns.csv", []string{"3 wrong column count: got 4, want 3", "4 wrong column count: got 5, want 3"}, 4},
	{"unbalanced-quote.csv", []string{"3 unbalanced quote: text after a closing quote", "5 unbalanced quote: quoted field not closed"}, 4},
	{"duplicate-headers.csv", nil, 2},
	{"missing-time.csv", []string{"3 missing time", "4 missing time", "5 missing time"}, 5},
	{"no-time-column.csv", []string{"2 missing time", "3 missing time"}, 2},
	{"bad-time.csv", []string{
		"3 invalid time: yesterday", "4 invalid time: 2026-13-01T00:00:00Z", "5 invalid time: 10/01/2026",
		"6 invalid time: 1677-12-31T23:59:59Z (outside the years 1678-2261)",
		"7 invalid time: 99999999999999999999 (outside the years 1678-2261)",
	}, 8},
	{"wrong-types.csv", []string{
		"3 invalid kind: sometimes", "4 invalid count: three", "5 invalid duration: forever", "6 invalid outcome: maybe",
		"7 invalid integration_status: paused", "8 invalid time: integration_updated: last week",
		"9 invalid service_account: perhaps",
	}, 9},
	{"count.csv", []string{"3 invalid count: -1", "4 invalid count: 1.5", "5 invalid count: 1e30", "6 invalid count: 99999999999999999999"}, 7},
	{"invalid-utf8.csv", []string{"3 invalid UTF-8", "4 invalid UTF-8"}, 4},
	{"nul.csv", []string{"3 NUL byte: at byte 30 of the record (a UTF-16 file?)", "4 NUL byte: at byte 1 of the record (a UTF-16 file?)"}, 4},
	{"utf16.csv", []string{"2 NUL byte: at byte 1 of the record (a UTF-16 file?)", "3 NUL byte: at byte 1 of the record (a UTF-16 file?)"}, 2},
	{"crlf-bom.csv", nil, 2},
	{"empty.csv", nil, 0},
	{"header-only.csv", nil, 0},
	{"empty-lines.csv", nil, 2},
}

// TestBadInput runs export on every corpus file: the rejects file holds
// exactly the expected rejects with their raw bytes, the summary line and
// the Summary sheet count every record, and --strict and --max-errors stop
// with exit status 3 exactly when they should, without writing a report.
func TestBadInput(t *testing.T) {
	corpus := badDir(t)
	seen := map[string]bool{}
	for _, tc := range badCases {
		seen[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			dir := isolate(t)
			data, err := os.ReadFile(filepath.Join(corpus, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			// A relative name is what the rejects file and the sheets show.
			if err := os.WriteFile(tc.file, data, 0o644); err != nil {
				t.Fatal(err)
			}
			rejected := int64(len(tc.rejects))
			good := tc.read - rejected

			code, _, stderr := run(t, "", "export", "--as-of", "2026-11-22", "--period", "1y",
				"--rejects", "rejects.jsonl", "-o", "out.zip", tc.file)
			if code != ExitOK {
				t.Fatalf("exit %d, want 0: %s", code, stderr)
			}
			want := fmt.Sprintf("usagerep: %d records read (%d rejected) from 1 input in ", tc.read, rejected)
			// A file whose every record is rejected makes an empty report:
			// a warning says so, --quiet or not.
			warning := ""
			if tc.read > 0 && good == 0 {
				warning = fmt.Sprintf("usagerep: warning: all %d records read were rejected, most for ", tc.read)
			}
			if lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n"); !strings.HasPrefix(stderr, want) ||
				warning == "" && len(lines) != 1 || warning != "" && (len(lines) != 2 || !strings.HasPrefix(lines[1], warning)) {
				t.Errorf("stderr = %q, want one line starting %q, then one starting %q if not empty", stderr, want, warning)
			}
			if got := readRejects(t, "rejects.jsonl", tc.file, data); !slices.Equal(got, tc.rejects) {
				t.Errorf("rejects file:\n got %q\nwant %q", got, tc.rejects)
			}
			book := readZip(t, filepath.Join(dir, "out.zip"))["Usage Report (Last 1 Year).xlsx"]
			if book == nil {
				t.Fatal("no workbook in the zip")
			}
			rows := rowsOf(t, book, "Summary")
			summary := summaryValues(rows)
			for label, n := range map[string]int64{"Records read": tc.read, "Records rejected": rejected, "Records in window": good} {
				if summary[label] != strconv.FormatInt(n, 10) {
					t.Errorf("Summary %s = %q, want %d", label, summary[label], n)
				}
			}
			if src := sourceRow(rows, tc.file); src == nil || src[1] != strconv.FormatInt(tc.read, 10) ||
				src[2] != strconv.FormatInt(rejected, 10) || cell(src, 3) != reasonCounts(tc.rejects) {
				t.Errorf("Summary source row = %q, want read %d, rejected %d, reasons %q", src, tc.read, rejected, reasonCounts(tc.rejects))
			}

			// --strict stops at the first reject; --max-errors N at the Nth.
			if err := os.Remove("out.zip"); err != nil {
				t.Fatal(err)
			}
			type stop struct {
				args   []string
				rejcts int // rejects written before the stop; 0: it does not stop
				says   string
			}
			n := len(tc.rejects)
			stops := []stop{{[]string{"--strict"}, min(1, n), "--strict: " + tc.file + ":"}}
			if n > 0 {
				stops = append(stops,
					stop{[]string{"--max-errors", strconv.Itoa(n)}, n, fmt.Sprintf("(--max-errors %d)", n)},
					stop{[]string{"--max-errors", strconv.Itoa(n + 1)}, 0, ""})
			}
			for _, st := range stops {
				args := append([]string{"export", "-q", "--as-of", "2026-11-22", "--period", "1y", "--rejects", "stopped.jsonl", "-o", "out.zip"}, st.args...)
				code, _, stderr := run(t, "", append(args, tc.file)...)
				if st.rejcts == 0 {
					if code != ExitOK || warning == "" && stderr != "" || warning != "" && (!strings.HasPrefix(stderr, warning) || strings.Count(stderr, "\n") != 1) {
						t.Errorf("%v: exit %d, stderr %q; want 0 and nothing but the warning %q if not empty", st.args, code, stderr, warning)
					}
					if _, err := os.Stat("out.zip"); err != nil {
						t.Errorf("%v: no report: %v", st.args, err)
					}
					_ = os.Remove("out.zip")
					continue
				}
				if code != ExitInput || !strings.HasPrefix(stderr, "usagerep: too many rejected records: ") ||
					!strings.Contains(stderr, st.says) || strings.Count(stderr, "\n") != 1 {
					t.Errorf("%v: exit %d, stderr %q; want 3 and one line saying %q", st.args, code, stderr, st.says)
				}
				if _, err := os.Stat("out.zip"); err == nil {
					t.Errorf("%v: a report was written", st.args)
				}
				// The rejects file is kept when the run stops early.
				if got := readRejects(t, "stopped.jsonl", tc.file, data); !slices.Equal(got, tc.rejects[:st.rejcts]) {
					t.Errorf("%v: rejects file %q, want %q", st.args, got, tc.rejects[:st.rejcts])
				}
			}
		})
	}
	// Every corpus file has a case.
	entries, err := os.ReadDir(corpus)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "README.md" && !seen[e.Name()] {
			t.Errorf("testdata/bad/%s has no case in badCases", e.Name())
		}
	}
}

// readRejects reads a rejects file as "line reason: detail" lines. Each
// reject must name source and hold its record verbatim (raw, or
// raw_base64 when it is not UTF-8), which must occur in data.
func readRejects(t *testing.T, path, source string, data []byte) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Source, Reason, Detail, Raw string
			Line                        int64
			RawBase64                   string `json:"raw_base64"`
		}
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("rejects line %q: %v", sc.Text(), err)
		}
		raw := []byte(r.Raw)
		if r.RawBase64 != "" {
			if raw, err = base64.StdEncoding.DecodeString(r.RawBase64); err != nil {
				t.Fatal(err)
			}
		}
		if r.Source != source || len(raw) == 0 || !bytes.Contains(data, raw) {
			t.Errorf("reject %q: wrong source or raw bytes not from the input", sc.Text())
		}
		s := strconv.FormatInt(r.Line, 10) + " " + r.Reason
		if r.Detail != "" {
			s += ": " + r.Detail
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// reasonCounts is the Summary sheet's Reasons cell for these rejects:
// "reason: n" by falling count, then by name.
func reasonCounts(rejects []string) string {
	counts := map[string]int{}
	for _, r := range rejects {
		_, rest, _ := strings.Cut(r, " ")
		reason, _, _ := strings.Cut(rest, ": ")
		counts[reason]++
	}
	reasons := slices.Collect(func(yield func(string) bool) {
		for r := range counts {
			if !yield(r) {
				return
			}
		}
	})
	slices.SortFunc(reasons, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, r := range reasons {
		parts = append(parts, fmt.Sprintf("%s: %d", r, counts[r]))
	}
	return strings.Join(parts, "; ")
}

// sourceRow finds a source's row of the Summary sheet's data-quality table.
func sourceRow(rows [][]string, source string) []string {
	for i, r := range rows {
		if len(r) > 0 && r[0] == "Source" && i+1 < len(rows) {
			for _, s := range rows[i+1:] {
				if len(s) >= 3 && s[0] == source {
					return s
				}
			}
		}
	}
	return nil
}

func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

func badDir(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBadInputHugeLine puts a 100 MiB line between two good ones: it is
// rejected as too long, only its first KiB kept, both neighbours counted,
// and it is never held in memory whole.
func TestBadInputHugeLine(t *testing.T) {
	dir := isolate(t)
	const lineLen = 100 << 20
	path := filepath.Join(dir, "huge.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	fmt.Fprintln(w, `{"time":"2026-10-01T10:00:00Z","system":"GitHub","username":"ann"}`)
	block := bytes.Repeat([]byte("x"), 1<<16)
	w.WriteString(`{"time":"2026-10-01T10:00:00Z","pad":"`)
	for n := len(`{"time":"2026-10-01T10:00:00Z","pad":"`); n < lineLen-2; n += len(block) {
		w.Write(block[:min(len(block), lineLen-2-n)])
	}
	w.WriteString("\"}\n")
	fmt.Fprintln(w, `{"time":"2026-10-01T11:00:00Z","system":"GitHub","username":"bob"}`)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	code, _, stderr := run(t, "", "export", "--workers", "1", "--as-of", "2026-11-22", "--period", "1y",
		"--rejects", "rejects.jsonl", "huge.jsonl")
	runtime.ReadMemStats(&after)
	if code != ExitOK || !strings.Contains(stderr, "3 records read (1 rejected)") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The scan's buffers grow to the limit (16 MiB) and no further: the
	// whole run allocates less than one copy of the line would take.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc >= lineLen {
		t.Errorf("allocated %d MiB to skip a %d MiB line", alloc>>20, lineLen>>20)
	}
	rej, err := os.ReadFile("rejects.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Source, Reason, Detail, Raw string
		Line                        int64
	}
	if err := json.Unmarshal(rej, &r); err != nil {
		t.Fatalf("rejects file %q: %v", rej, err)
	}
	wantDetail := fmt.Sprintf("%d bytes, more than the limit of %d", lineLen, 16<<20)
	if r.Source != "huge.jsonl" || r.Line != 2 || r.Reason != "line too long" || r.Detail != wantDetail ||
		len(r.Raw) != 1024 || !strings.HasPrefix(r.Raw, `{"time":"2026-10-01T10:00:00Z","pad":"xxx`) {
		t.Errorf("reject = %s:%d %s (%s), raw of %d bytes; want huge.jsonl:2 line too long (%s), 1024 bytes",
			r.Source, r.Line, r.Reason, r.Detail, len(r.Raw), wantDetail)
	}
	book := readZip(t, "Usage Reports.zip")["Usage Report (Last 1 Year).xlsx"]
	if got := summaryValues(rowsOf(t, book, "Summary"))["Records in window"]; got != "2" {
		t.Errorf("Records in window = %q, want 2", got)
	}
}
