package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// accessFixture is testdata/access/activity.jsonl; its README works out
// every row below by hand.
func accessFixture(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../testdata/access/activity.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var cintooHeader = "Date,First name,Last name,Email,Company,Project,Scans uploaded,360 Images uploaded,Scans downloaded,Crops downloaded,Unified mesh creation,Tags uploaded,Tags downloaded"

// The fixture's rows in UTC with the cintoo columns (README, "Expected rows").
var accessUTC = []string{
	"2026-03-01,Frank,Night,frank@cintoo.example,Cintoo,Plant A,0,0,1,0,0,0,0",
	"2026-03-02,Alice,Smith,alice@cintoo.example,Cintoo,Bridge,0,0,0,0,0,0,0",
	"2026-03-02,Alice,Smith,alice@cintoo.example,Cintoo,Plant A,5,0,1,0,0,0,0",
	"2026-03-02,Bob,Builder,bob@builder.example,Builder Ltd,Plant A,0,0,0,2,1,0,0",
	"2026-03-02,Carol,Jones,carol@cintoo.example,,Bridge,0,0,1,0,0,0,0",
	"2026-03-03,Alice,Smith,alice@cintoo.example,Cintoo,Plant A,0,12,0,0,0,0,0",
	"2026-03-03,Bob,Builder,bob@builder.example,Builder Ltd,Tunnel,0,0,0,0,0,40,0",
	"2026-03-03,,,,,Bridge,0,0,0,0,0,0,0",
	"2026-03-04,Alice,Smith,alice@cintoo.example,Cintoo,Plant A,0,0,0,0,0,0,0",
	"2026-03-05,Alice,Smith,alice@cintoo.example,Cintoo,Plant A,1,0,0,0,0,0,0",
	"2026-03-05,Bob,Builder,bob@builder.example,Builder Ltd,Tunnel,0,0,0,0,0,0,40",
	"2026-03-05,Eve,,eve@trial.example,,Plant A,1,0,0,0,0,0,0",
	"2026-03-06,Bob,Builder,bob@builder.example,Builder Ltd,Tunnel,1,0,0,0,0,0,0",
	"2026-03-10,Frank,Night,frank@cintoo.example,Cintoo,Plant A,1,0,0,0,0,0,0",
	"2026-03-11,Frank,Night,frank@cintoo.example,Cintoo,Plant A,0,0,2,0,0,0,0",
}

// replaceRows is accessUTC with the rows starting with each key replaced
// by its values (none: dropped), and extra rows put in date order.
func replaceRows(base []string, drop []string, add ...string) []string {
	var out []string
	for _, r := range base {
		keep := true
		for _, d := range drop {
			if strings.HasPrefix(r, d) {
				keep = false
			}
		}
		if keep {
			out = append(out, r)
		}
	}
	out = append(out, add...)
	slices.SortStableFunc(out, func(a, b string) int { return strings.Compare(a[:10], b[:10]) })
	return out
}

func accessArgs(extra ...string) []string {
	return append([]string{"access", "--from", "2026-03-01", "--to", "2026-03-31", "--columns", "cintoo"}, extra...)
}

// TestAccessFixture runs the command on the fixture and checks the CSV
// byte for byte: the hand-checked rows, CRLF record ends, in each zone.
func TestAccessFixture(t *testing.T) {
	in := accessFixture(t)
	isolate(t)
	frankUTC := []string{"2026-03-01,Frank", "2026-03-10,Frank", "2026-03-11,Frank"}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"UTC", nil, accessUTC},
		{"Paris", []string{"--tz", "Europe/Paris"}, replaceRows(accessUTC, frankUTC,
			"2026-03-01,Frank,Night,frank@cintoo.example,Cintoo,Plant A,1,0,1,0,0,0,0",
			"2026-03-11,Frank,Night,frank@cintoo.example,Cintoo,Plant A,1,0,2,0,0,0,0")},
		{"New York", []string{"--tz", "America/New_York"}, replaceRows(accessUTC, frankUTC,
			"2026-03-10,Frank,Night,frank@cintoo.example,Cintoo,Plant A,1,0,2,0,0,0,0",
			"2026-03-31,Bob,Builder,bob@builder.example,Builder Ltd,Tunnel,0,0,2,0,0,0,0")},
		{"plan", []string{"--plan", "Enterprise"}, func() []string {
			rows := replaceRows(accessUTC, []string{"2026-03-05,Eve", "2026-03-02,Carol"})
			// Carol's names came from a Trial record: blank, and sorted
			// with the rows without an email.
			i := slices.Index(rows, "2026-03-02,Bob,Builder,bob@builder.example,Builder Ltd,Plant A,0,0,0,2,1,0,0")
			return slices.Insert(rows, i+1, "2026-03-02,,,,,Bridge,0,0,1,0,0,0,0")
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, "", append(accessArgs("-q", "-o", "-", in), tt.args...)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			want := cintooHeader + "\r\n" + strings.Join(tt.want, "\r\n") + "\r\n"
			if stdout != want {
				t.Errorf("CSV:\n%s\nwant:\n%s", stdout, want)
			}
		})
	}
}

// TestAccessStrictCSV reads the report with a strict RFC 4180 reader:
// a fixed number of fields per record and no lazy quotes.
func TestAccessStrictCSV(t *testing.T) {
	in := accessFixture(t)
	dir := isolate(t)
	code, _, stderr := run(t, "", accessArgs("--bom", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "access.csv"))
	if err != nil {
		t.Fatal(err)
	}
	body, ok := bytes.CutPrefix(data, []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatalf("--bom: the file starts %q", data[:min(len(data), 8)])
	}
	if bytes.Count(body, []byte("\r\n")) != len(accessUTC)+1 || bytes.Count(body, []byte("\n")) != len(accessUTC)+1 {
		t.Errorf("want %d CRLF record ends and no other line end", len(accessUTC)+1)
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = 13
	r.LazyQuotes = false
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != cintooHeader {
		t.Errorf("header %q", got)
	}
	for i, want := range accessUTC {
		if got := strings.Join(rows[i+1], ","); got != want {
			t.Errorf("row %d = %q, want %q", i+1, got, want)
		}
	}
	if !strings.Contains(stderr, "15 rows of 6 users over 31 days; wrote access.csv") {
		t.Errorf("summary line: %s", stderr)
	}
	if !strings.Contains(stderr, "1 user known only by username or display name; --usernames") {
		t.Errorf("no hint about the unnamed user: %s", stderr)
	}
}

// TestAccessJSON checks the JSON array: keys in the stated order, then the
// actions in profile order, and the values of the hand-checked rows.
func TestAccessJSON(t *testing.T) {
	in := accessFixture(t)
	isolate(t)
	code, stdout, stderr := run(t, "", accessArgs("-q", "--format", "json", "-o", "-", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if len(rows) != len(accessUTC) {
		t.Fatalf("%d objects, want %d", len(rows), len(accessUTC))
	}
	wantKeys := []string{"date", "userId", "firstName", "lastName", "email", "company", "projectName",
		"scan_upload", "image360_upload", "scan_download", "crop_download", "mesh_create", "tag_upload", "tag_download"}
	if got := objectKeys(t, stdout); !slices.Equal(got, wantKeys) {
		t.Errorf("keys %q, want %q", got, wantKeys)
	}
	ids := map[string]string{} // email -> userId
	for i, want := range accessUTC {
		f := strings.Split(want, ",")
		o := rows[i]
		got := []string{o["date"].(string), o["firstName"].(string), o["lastName"].(string), o["email"].(string),
			o["company"].(string), o["projectName"].(string)}
		for _, k := range wantKeys[7:] {
			got = append(got, jsonNumber(o[k]))
		}
		if !slices.Equal(got, f) {
			t.Errorf("object %d = %q, want %q", i, got, f)
		}
		id, _ := o["userId"].(string)
		if prev, ok := ids[f[3]]; ok && prev != id {
			t.Errorf("%s has userIds %q and %q", f[3], prev, id)
		}
		ids[f[3]] = id
	}
	if ids["alice@cintoo.example"] != "cintoo-1001" {
		t.Errorf("Alice's userId %q, want her user_id cintoo-1001", ids["alice@cintoo.example"])
	}
	if id := ids["bob@builder.example"]; !strings.HasPrefix(id, "u-") || id == ids["frank@cintoo.example"] {
		t.Errorf("Bob's userId %q, want a derived id of his own", id)
	}

	// An empty report is an empty array.
	code, stdout, _ = run(t, "", "access", "-q", "--from", "2020-01-01", "--to", "2020-01-02", "--format", "json", "-o", "-", in)
	if code != ExitOK || stdout != "[]\n" {
		t.Errorf("empty report: exit %d, %q", code, stdout)
	}
}

// objectKeys lists the keys of the first object of a JSON array, in order.
func objectKeys(t *testing.T, s string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	var keys []string
	for _, want := range []json.Delim{'[', '{'} {
		if tok, err := dec.Token(); err != nil || tok != want {
			t.Fatalf("token %v (%v), want %v", tok, err, want)
		}
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestAccessXLSX: -o access.xlsx writes the same table as a workbook.
func TestAccessXLSX(t *testing.T) {
	in := accessFixture(t)
	dir := isolate(t)
	code, _, stderr := run(t, "", accessArgs("-o", "march.xlsx", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "march.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Access"}) {
		t.Fatalf("sheets %q", got)
	}
	rows := rowsOf(t, f, "Access")
	want := append([]string{cintooHeader}, accessUTC...)
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		// GetRows drops a row's trailing empty cells; none here ends empty.
		if got := strings.Join(rows[i], ","); got != want[i] {
			t.Errorf("row %d = %q, want %q", i+1, got, want[i])
		}
	}
	typ, _ := f.GetCellType("Access", "A2")
	raw, _ := f.GetCellValue("Access", "A2", excelize.Options{RawCellValue: true})
	if typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString || raw != "46082" {
		t.Errorf("A2 is %v %q, want the date 2026-03-01 (serial 46082)", typ, raw)
	}
	tables, err := f.GetTables("Access")
	if err != nil || len(tables) != 1 || tables[0].Range != "A1:M16" {
		t.Errorf("tables %+v (%v), want one over A1:M16", tables, err)
	}
}

// TestAccessSameBytesWhateverTheWorkers: any number of workers, one report.
func TestAccessSameBytesWhateverTheWorkers(t *testing.T) {
	in := []string{accessFixture(t), samplePath(t)}
	dir := isolate(t)
	for _, format := range []string{"csv", "xlsx", "json"} {
		var first []byte
		for _, workers := range []string{"1", "3", "8"} {
			out := filepath.Join(dir, "w"+workers+"."+format)
			args := append([]string{"access", "-q", "--workers", workers, "--from", "2025-01-01", "--to", "2026-12-31", "-o", out}, in...)
			if code, _, stderr := run(t, "", args...); code != ExitOK {
				t.Fatalf("%s, %s workers: exit %d: %s", format, workers, code, stderr)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = got
			} else if !bytes.Equal(got, first) {
				t.Errorf("%s: %s workers wrote other bytes than 1 worker", format, workers)
			}
		}
	}
}

// TestAccessOutputs: where the report goes and in which format.
func TestAccessOutputs(t *testing.T) {
	in := accessFixture(t)
	dir := isolate(t)
	if err := os.Mkdir("reports", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		file string
		head string
	}{
		{nil, "access.csv", "Date,First name"},
		{[]string{"--format", "json"}, "access.json", "[\n{\"date\""},
		{[]string{"--format", "xlsx"}, "access.xlsx", "PK"},
		{[]string{"-o", "reports"}, "reports/access.csv", "Date,"},
		{[]string{"-o", "reports", "--format", "json"}, "reports/access.json", "["},
		{[]string{"-o", "out.JSON"}, "out.JSON", "["},
		{[]string{"-o", "out.txt"}, "out.txt", "Date,"},
		{[]string{"--usernames", "-o", "names.csv"}, "names.csv", "Date,First name,Last name,Email,Username,Display name,Company,Project,Scans"},
	} {
		code, stdout, stderr := run(t, "", append(accessArgs(tc.args...), in)...)
		if code != ExitOK || stdout != "" {
			t.Errorf("%q: exit %d, stdout %q: %s", tc.args, code, stdout, stderr)
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil || !bytes.HasPrefix(data, []byte(tc.head)) {
			t.Errorf("%q: %s starts %.20q (%v), want %q", tc.args, tc.file, data, err, tc.head)
		}
		if !strings.Contains(stderr, "wrote "+tc.file) {
			t.Errorf("%q: summary does not name %s: %s", tc.args, tc.file, stderr)
		}
	}
	// With --usernames, Dan's row names him and no hint is given.
	data, _ := os.ReadFile(filepath.Join(dir, "names.csv"))
	if !strings.Contains(string(data), "2026-03-03,,,,,Dan Brown,,Bridge,") {
		t.Errorf("names.csv has no row naming Dan Brown:\n%s", data)
	}
}

// TestAccessColumnsFromConfig: a profile of the config file is a --columns
// value; a broken one is a usage error naming where it is.
func TestAccessColumnsFromConfig(t *testing.T) {
	in := accessFixture(t)
	isolate(t)
	cfg := `access:
  columns:
    Uploads:
      - {action: scan_upload, label: Scans in}
      - action: tag_upload
      - view
`
	if err := os.WriteFile("usagerep.yaml", []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "", "access", "-q", "--from", "2026-03-02", "--to", "2026-03-02", "--columns", "uploads", "-o", "-", in)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "Date,First name,Last name,Email,Company,Project,Scans in,tag_upload,view\r\n" +
		"2026-03-02,Alice,Smith,alice@cintoo.example,Cintoo,Bridge,0,0,1\r\n" +
		"2026-03-02,Alice,Smith,alice@cintoo.example,Cintoo,Plant A,5,0,0\r\n" +
		"2026-03-02,Bob,Builder,bob@builder.example,Builder Ltd,Plant A,0,0,0\r\n" +
		// Carol's names come from 03-04, outside this range.
		"2026-03-02,,,,,Bridge,0,0,0\r\n"
	if stdout != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", stdout, want)
	}

	// The file's columns key is --columns' default, as for any flag; the
	// environment overrides it.
	if err := os.WriteFile("usagerep.yaml", []byte(cfg+"columns: uploads\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = run(t, "", "access", "-q", "--from", "2026-03-02", "--to", "2026-03-02", "-o", "-", in)
	if code != ExitOK || !strings.HasPrefix(stdout, "Date,First name,Last name,Email,Company,Project,Scans in,tag_upload,view\r\n") {
		t.Errorf("columns from the file: exit %d:\n%s", code, stdout)
	}
	t.Setenv("USAGEREP_COLUMNS", "cintoo")
	code, stdout, _ = run(t, "", "access", "-q", "--from", "2026-03-02", "--to", "2026-03-02", "-o", "-", in)
	if code != ExitOK || !strings.HasPrefix(stdout, cintooHeader+"\r\n") {
		t.Errorf("USAGEREP_COLUMNS=cintoo: exit %d:\n%s", code, stdout)
	}

	for _, tc := range []struct{ cfg, stderrHas string }{
		{"access:\n  columns:\n    x:\n      - {action: a, lable: b}\n", `access.columns.x[0]: unknown key "lable"`},
		{"access:\n  columns:\n    x:\n      - {action: a}\n      - {action: a}\n", "access.columns.x: column 2: action \"a\" is already a column"},
		{"access:\n  columns:\n    x: scan_upload\n", "access.columns.x: want a list"},
		{"access:\n  colums:\n    x: [a]\n", "unknown setting access.colums.x"},
	} {
		if err := os.WriteFile("usagerep.yaml", []byte(tc.cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run(t, "", "access", "--from", "2026-03-02", "--to", "2026-03-02", in)
		if code != ExitUsage || !strings.Contains(stderr, tc.stderrHas) {
			t.Errorf("config %q: exit %d, stderr %q, want %d and %q", tc.cfg, code, stderr, ExitUsage, tc.stderrHas)
		}
	}
}

// accessNoRead fails the test that reads it.
type accessNoRead struct{ t *testing.T }

func (r accessNoRead) Read([]byte) (int, error) {
	r.t.Error("the input was read")
	return 0, io.EOF
}

// TestAccessErrors: bad flags are usage errors, found before any input is
// read; an unwritable destination too is found first.
func TestAccessErrors(t *testing.T) {
	isolate(t)
	tests := []struct {
		args      []string
		code      int
		stderrHas string
	}{
		{[]string{"--to", "2026-03-31"}, ExitUsage, "--from is required"},
		{[]string{"--from", "2026-03-01"}, ExitUsage, "--to is required"},
		{[]string{"--from", "2026-3-1", "--to", "2026-03-31"}, ExitUsage, `--from "2026-3-1": want a day like 2026-03-01`},
		{[]string{"--from", "2026-03-02", "--to", "2026-03-01"}, ExitUsage, "the last day is before the first"},
		{[]string{"--from", "1500-01-01", "--to", "2026-03-01"}, ExitUsage, "years 1678-2261"},
		{[]string{"--from", "2026-03-01", "--to", "2026-03-31", "--columns", "nope"}, ExitUsage, `--columns "nope": no such column profile (known: cintoo)`},
		{[]string{"--from", "2026-03-01", "--to", "2026-03-31", "--format", "zip"}, ExitUsage, "want csv, xlsx or json"},
		{[]string{"--from", "2026-03-01", "--to", "2026-03-31", "--format", "json", "--bom"}, ExitUsage, "--bom is for CSV"},
		{[]string{"--from", "2026-03-01", "--to", "2026-03-31", "--tz", "Mars/Base"}, ExitUsage, "--tz"},
		{[]string{"--from", "2026-03-01", "--to", "2026-03-31", "-o", "missing/dir/a.csv"}, ExitOutput, "missing/dir/a.csv"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		ios := &IOStreams{In: accessNoRead{t}, Out: io.Discard, ErrOut: &stderr}
		args := append(append([]string{"access", "--input-format", "jsonl"}, tt.args...), "-")
		if code := Main(args, ios, BuildInfo{}); code != tt.code || !strings.Contains(stderr.String(), tt.stderrHas) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.stderrHas)
		}
	}
	code, _, stderr := run(t, "", "access", "--from", "2026-03-01", "--to", "2026-03-31")
	if code != ExitUsage || !strings.Contains(stderr, "requires at least 1 arg") {
		t.Errorf("no input: exit %d: %s", code, stderr)
	}
	code, stdout, _ := run(t, "", "access", "--help")
	if code != ExitOK || !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "--columns cintoo") {
		t.Errorf("--help: exit %d, no examples:\n%s", code, stdout)
	}
}

// TestAccessStrict: --strict stops at a bad record with exit status 3 and
// writes no report.
func TestAccessStrict(t *testing.T) {
	fixture := accessFixture(t)
	dir := isolate(t)
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("bad.jsonl", append(data, "{broken\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "", accessArgs("--strict", "bad.jsonl")...)
	if code != ExitInput || !strings.Contains(stderr, "bad.jsonl:25") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "access.csv")); !os.IsNotExist(err) {
		t.Errorf("a report was written: %v", err)
	}
	code, _, stderr = run(t, "", accessArgs("bad.jsonl")...)
	if code != ExitOK || !strings.Contains(stderr, "25 records read (1 rejected)") {
		t.Errorf("default: exit %d: %s", code, stderr)
	}
}

// TestAccessFormulaInjection puts every payload into every text field the
// report shows: read back strictly, no CSV cell starts a formula, and each
// payload is there with a quote before it or as it was.
func TestAccessFormulaInjection(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/injection/payloads.json")
	if err != nil {
		t.Fatal(err)
	}
	var payloads []string
	if err := json.Unmarshal(raw, &payloads); err != nil {
		t.Fatal(err)
	}
	isolate(t)
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for i, p := range payloads {
		rec := map[string]any{"time": "2026-03-02T10:00:00Z", "project": p, "action": p,
			"email": "u" + string(rune('a'+i%26)) + "@x.com", "first_name": p, "last_name": p, "company": p}
		if err := enc.Encode(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile("payloads.jsonl", in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "", "access", "-q", "--from", "2026-03-02", "--to", "2026-03-02", "-o", "-", "payloads.jsonl")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := csv.NewReader(strings.NewReader(stdout))
	r.LazyQuotes = false
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, row := range rows {
		for _, c := range row {
			if c != "" && strings.ContainsAny(c[:1], "=+-@\t\r") {
				t.Errorf("cell %q starts a formula", c)
			}
			seen[c] = true
		}
	}
	for _, p := range payloads {
		p = strings.TrimSpace(p) // input is trimmed
		if p == "" {
			continue
		}
		if strings.ContainsAny(p[:1], "=+-@\t\r") {
			p = "'" + p
		}
		if !seen[strings.ReplaceAll(p, "\r\n", "\n")] {
			t.Errorf("no cell holds %q", p)
		}
	}
}
