package raw

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/analytics"
	"github.com/usagerep/usagerep/pkg/record"
	"github.com/usagerep/usagerep/pkg/source"
)

const fixture = "../../../testdata/analytics/activity.jsonl"

var asOf = time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)

// export writes the fixture on two workers, each keeping one stream open,
// so that days interleave and streams are continued as new members.
func export(t *testing.T, opts Options) (*Manifest, string) {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	opts.MaxOpen = 1
	e, err := NewExport(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Abort()
	sinks := []source.Sink{e.Sink(), e.Sink()}
	if _, err := source.Scan(context.Background(), []string{fixture},
		source.ScanOptions{Workers: 2, ChunkBytes: 512, Decode: source.DecodeOptions{KeepProps: true}}, sinks,
		func(r source.Reject) error { t.Errorf("reject %v", r); return nil }); err != nil {
		t.Fatal(err)
	}
	m, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(opts.Dir); slices.ContainsFunc(ents, func(d os.DirEntry) bool { return strings.HasPrefix(d.Name(), ".") }) {
		t.Errorf("the temporary directory is left in %s", opts.Dir)
	}
	return m, opts.Dir
}

// readDay reads a day's file back: its header and rows.
func readDay(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f) // the standard reader: members read on as one stream
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestExport(t *testing.T) {
	m, dir := export(t, Options{AsOf: asOf})
	// testdata/analytics/README.md: 22 records, bob's of 03-16 after
	// as-of; 15 days.
	days := map[string]int64{}
	var total int64
	for _, f := range m.Files {
		days[f.Date] = f.Records
		total += f.Records
	}
	want := map[string]int64{
		"2026-02-01": 1, "2026-02-20": 1, "2026-02-25": 1, "2026-02-26": 1, "2026-03-01": 3, "2026-03-02": 3,
		"2026-03-03": 2, "2026-03-04": 1, "2026-03-05": 1, "2026-03-06": 1, "2026-03-07": 1, "2026-03-09": 2,
		"2026-03-10": 1, "2026-03-12": 1, "2026-03-14": 1,
	}
	if total != 21 || len(days) != len(want) {
		t.Fatalf("%d records in %d files, want 21 in %d", total, len(days), len(want))
	}
	for d, n := range want {
		if days[d] != n {
			t.Errorf("%s: %d records, want %d", d, days[d], n)
		}
	}
	// Every file matches its manifest entry, which matches the file on
	// disk.
	for _, c := range Verify(dir, m) {
		if c.Problem != "" {
			t.Errorf("%s: %s", c.File.Name, c.Problem)
		}
	}
	// With one stream open per worker, some days were continued: their
	// files hold more members than the header and one per worker.
	most := 0
	for _, f := range m.Files {
		most = max(most, members(t, filepath.Join(dir, f.Name)))
	}
	if most < 3 {
		t.Errorf("at most %d gzip members in a file; the test wants a stream continued", most)
	}
	// The sync record of 03-06, normalised: users[] as JSON.
	recs := readDay(t, filepath.Join(dir, "events-2026-03-06.csv.gz"))
	if len(recs) != 2 || !slices.Equal(recs[0], Columns) {
		t.Fatalf("03-06: %q", recs)
	}
	row := map[string]string{}
	for i, c := range Columns {
		row[c] = recs[1][i]
	}
	for k, v := range map[string]string{
		"time": "2026-03-06T15:00:00Z", "kind": "sync", "system": "Jira", "entity_id": "WEB-1", "peer_system": "GitHub",
		"peer_entity_id": "7", "outcome": "success", "action": "sync", "count": "1", "email": "", "service_account": "false",
		"props": "", "users": `[{"email":"carol@x.com","interaction":"mapped_field"}]`,
	} {
		if row[k] != v {
			t.Errorf("03-06 %s = %q, want %q", k, row[k], v)
		}
	}
	// alice's ADO record of 03-02: the email lower-cased, props as JSON.
	recs = readDay(t, filepath.Join(dir, "events-2026-03-02.csv.gz"))
	var ado []string
	for _, r := range recs[1:] {
		if r[2] == "ADO" {
			ado = r
		}
	}
	if ado == nil || ado[19] != "alice@x.com" || ado[20] != "asmith" || ado[30] != `{"os":"Windows"}` || ado[18] != "a2" {
		t.Errorf("the ADO record: %q", ado)
	}
	var props map[string]string
	if err := json.Unmarshal([]byte(ado[30]), &props); err != nil || props["os"] != "Windows" {
		t.Errorf("props %q: %v", ado[30], err)
	}
}

func TestExportRangeAndFilter(t *testing.T) {
	f, err := analytics.ParseFilter("system == GitHub", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := export(t, Options{AsOf: asOf, From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), Filters: []*analytics.Filter{f}})
	// GitHub from 03-01 to 03-09: bob's 3 + 1 + 1, dave's 2 on 03-09.
	var got []string
	for _, f := range m.Files {
		got = append(got, f.Date+":"+itoa(f.Records))
	}
	if want := []string{"2026-03-01:3", "2026-03-03:1", "2026-03-04:1", "2026-03-09:2"}; !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	// In New York, bob's 03-04 00:10Z is on the 3rd.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	m, _ = export(t, Options{AsOf: asOf, Location: ny, Filters: []*analytics.Filter{f}, From: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)})
	if len(m.Files) != 1 || m.Files[0].Records != 2 {
		t.Errorf("New York 03-03: %+v, want one file of 2", m.Files)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestVerifyFindsDamage(t *testing.T) {
	m, dir := export(t, Options{AsOf: asOf})
	p := func(d string) string { return filepath.Join(dir, "events-"+d+".csv.gz") }
	// A flipped byte, a truncated file, a missing file, a wrong count.
	b, err := os.ReadFile(p("2026-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(p("2026-03-01"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err = os.ReadFile(p("2026-03-02"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p("2026-03-02"), b[:len(b)-10], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(p("2026-03-03")); err != nil {
		t.Fatal(err)
	}
	for i := range m.Files {
		if m.Files[i].Date == "2026-03-04" {
			m.Files[i].Records = 7
		}
	}
	problems := map[string]string{}
	for _, c := range Verify(dir, m) {
		if c.Problem != "" {
			problems[c.File.Date] = c.Problem
		}
	}
	if len(problems) != 4 {
		t.Fatalf("problems %v, want 4", problems)
	}
	if !strings.Contains(problems["2026-03-03"], "no such file") || !strings.Contains(problems["2026-03-04"], "1 records, the manifest says 7") {
		t.Errorf("problems %v", problems)
	}
}

func TestReadManifest(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]string{
		`{"files":[{"file":"../etc/passwd"}]}`: "not a plain name",
		`{"files":[`:                           "unexpected end",
	} {
		if err := os.WriteFile(filepath.Join(dir, ManifestName), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadManifest(dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

// Writing a record to an open stream costs no allocation.
func TestRecordAllocs(t *testing.T) {
	e, err := NewExport(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Abort()
	s := e.Sink()
	r := record.Record{
		Time: time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC).UnixNano(), Count: 2, IntegrationUpdated: record.NoTime,
		System: "Jira", Action: "push", Duration: 1.5, HasDuration: true, User: record.User{Email: "A@x.com", Username: "a"},
		Props: []record.Prop{{Key: "os", Value: "Linux"}}, Users: []record.UserElem{{User: record.User{Username: "b"}, Time: record.NoTime}},
	}
	s.Record(&r)
	if n := testing.AllocsPerRun(100, func() { s.Record(&r) }); n != 0 {
		t.Errorf("%v allocations per record, want 0", n)
	}
}

// members counts the gzip members of a file.
func members(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	zr, err := gzip.NewReader(br)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		zr.Multistream(false)
		if _, err := io.Copy(io.Discard, zr); err != nil {
			t.Fatal(err)
		}
		n++
		if err := zr.Reset(br); err == io.EOF {
			return n
		} else if err != nil {
			t.Fatal(err)
		}
	}
}
