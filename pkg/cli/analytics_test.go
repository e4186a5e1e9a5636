package cli

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// analyticsFixture is testdata/analytics/activity.jsonl; its README works
// out every figure the tests below check.
func analyticsFixture(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../testdata/analytics/activity.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// analyticsArgs are the fixture's settings (README, top).
func analyticsArgs(cmd string, extra ...string) []string {
	args := append(strings.Fields("analytics "+cmd), "-q", "--from", "2026-03-01", "--to", "2026-03-14", "--as-of", "2026-03-14")
	return append(args, extra...)
}

// analyticsJSON is the JSON document analytics commands write.
type analyticsJSON struct {
	Report   string `json:"report"`
	From     string `json:"from"`
	To       string `json:"to"`
	AsOf     string `json:"as_of"`
	TimeZone string `json:"time_zone"`
	Params   []struct {
		Key, Value string
	} `json:"params"`
	DataQuality struct {
		Records, Mentions, Filtered, Anonymous int64
		AfterAsOf                              int64 `json:"after_as_of"`
		OutsideDays                            int64 `json:"outside_days"`
		Sources                                []struct {
			Source         string
			Read, Rejected int64
			Reasons        map[string]int64
		}
	} `json:"data_quality"`
	Tables map[string]struct {
		Title string           `json:"title"`
		Rows  []map[string]any `json:"rows"`
	} `json:"tables"`
}

func runAnalyticsJSON(t *testing.T, args ...string) analyticsJSON {
	t.Helper()
	code, stdout, stderr := run(t, "", args...)
	if code != ExitOK {
		t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	var doc analyticsJSON
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%v: not JSON: %v\n%s", args, err, stdout)
	}
	return doc
}

// rowsText writes each row's named keys as "v1,v2,..." for comparison.
func rowsText(rows []map[string]any, keys ...string) []string {
	var out []string
	for _, r := range rows {
		var vals []string
		for _, k := range keys {
			v, ok := r[k]
			switch {
			case !ok:
				vals = append(vals, "<missing>")
			case v == nil:
				vals = append(vals, "null")
			default:
				vals = append(vals, strings.TrimSpace(strings.Trim(jsonText(v), `"`)))
			}
		}
		out = append(out, strings.Join(vals, ","))
	}
	return out
}

func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

func TestAnalyticsTimelineJSON(t *testing.T) {
	in := analyticsFixture(t)
	isolate(t)
	doc := runAnalyticsJSON(t, analyticsArgs("timeline", "--lost-after", "7d", "--split", "week", in)...)
	if doc.Report != "analytics timeline" || doc.From != "2026-03-01" || doc.To != "2026-03-14" || doc.AsOf != "2026-03-15T00:00:00Z" || doc.TimeZone != "UTC" {
		t.Errorf("header %+v", doc)
	}
	// README, "analytics timeline", --split week: runtime 37m = 0.6167 h,
	// 62m = 1.0333 h (four decimals).
	got := rowsText(doc.Tables["timeline"].Rows, "period", "new", "active", "lost", "sessions", "runtime_hours", "events")
	want := []string{
		"2026-02-23,1,1,0,1,0.75,3",
		"2026-03-02,0,4,1,6,0.6167,11",
		"2026-03-09,1,3,2,4,1.0333,5",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// 2w is 14 days: nobody is lost yet (frank, last seen 02-26, is lost on
	// 03-12; bob on 03-18 is after as-of... erin on 03-17 too).
	doc = runAnalyticsJSON(t, analyticsArgs("timeline", "--lost-after", "2w", "--status", "lost", "--metrics", "", in)...)
	if got := rowsText(doc.Tables["timeline"].Rows, "segment", "lost"); !slices.Equal(got, []string{"All,1"}) {
		t.Errorf("--lost-after 2w: %v, want [All,1] (frank on 03-12)", got)
	}
}

func TestAnalyticsTimelineCSV(t *testing.T) {
	in := analyticsFixture(t)
	isolate(t)
	code, stdout, stderr := run(t, "", analyticsArgs("timeline", "--lost-after", "7d", "--split", "week", "--segment-by", "props.os", "--top", "2", "--format", "csv", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := csv.NewReader(strings.NewReader(stdout))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// README: with --top 2, Linux, Windows, Other (erin and dave); a
	// segment's weeks together.
	want := [][]string{
		{"Period", "Segment", "New users", "Active users", "Lost users", "Sessions", "Runtime (hours)", "Events"},
		{"2026-02-23", "Linux", "1", "1", "0", "1", "0.75", "3"},
		{"2026-03-02", "Linux", "0", "1", "1", "1", "0.3333", "2"},
		{"2026-03-09", "Linux", "0", "0", "1", "0", "0", "0"},
		{"2026-02-23", "Windows", "0", "0", "0", "0", "0", "0"},
		{"2026-03-02", "Windows", "0", "2", "0", "4", "0.2833", "8"},
		{"2026-03-09", "Windows", "0", "2", "0", "2", "0.0333", "2"},
		{"2026-02-23", "Other", "0", "0", "0", "0", "0", "0"},
		{"2026-03-02", "Other", "0", "1", "0", "1", "0", "1"},
		{"2026-03-09", "Other", "1", "1", "1", "2", "1", "3"},
	}
	if !slices.EqualFunc(recs, want, slices.Equal) {
		t.Errorf("CSV\n%v\nwant\n%v", recs, want)
	}
	if !strings.HasSuffix(stdout, "\r\n") {
		t.Error("CSV records do not end in CRLF")
	}
}

func TestAnalyticsTimelineLevels(t *testing.T) {
	in := analyticsFixture(t)
	isolate(t)
	doc := runAnalyticsJSON(t, analyticsArgs("timeline", "--lost-after", "7d", "--levels", "plan,props.os", "--metrics", "sessions", in)...)
	// README, --levels plan,props.os.
	got := rowsText(doc.Tables["levels"].Rows, "level1", "level2", "new", "active", "lost", "sessions")
	want := []string{
		"All,null,2,5,3,11", "(none),null,1,2,1,3", "(none),(none),0,1,1,1", "(none),Mac,1,1,0,2",
		"Free,null,1,1,2,2", "Free,Linux,1,1,2,2", "Pro,null,0,2,0,6", "Pro,Windows,0,2,0,6",
	}
	if !slices.Equal(got, want) {
		t.Errorf("levels\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := rowsText(doc.Tables["level_1"].Rows, "segment", "active"); !slices.Equal(got, []string{"(none),2", "Free,1", "Pro,2"}) {
		t.Errorf("level 1: %v", got)
	}
}

// The workbook holds the table as numbers and a native chart per figure,
// one line per segment.
func TestAnalyticsTimelineXLSX(t *testing.T) {
	in := analyticsFixture(t)
	dir := isolate(t)
	code, _, stderr := run(t, "", analyticsArgs("timeline", "--lost-after", "7d", "--split", "week", "--segment-by", "props.os", "-o", "tl.xlsx", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	path := filepath.Join(dir, "tl.xlsx")
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"About", "Timeline"}) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("Timeline", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// Row 6: Windows, week of 03-02 (README): 2 active, 4 sessions, 17m.
	if len(rows) != 13 {
		t.Fatalf("%d rows, want 13 (header and 4 segments x 3 weeks)", len(rows))
	}
	if got := rows[5]; got[1] != "Windows" || got[3] != "2" || got[5] != "4" || !strings.HasPrefix(got[6], "0.28333") {
		t.Errorf("row 6: %q, want Windows, 2 active, 4 sessions, 0.28333 h", got)
	}
	// The period is a date cell: 2026-03-02 is serial 46083.
	if got := rows[5][0]; got != "46083" {
		t.Errorf("period cell %q, want the date serial 46083", got)
	}
	if n := countCharts(t, path); n != 6 {
		t.Errorf("%d charts, want 6 (one per figure)", n)
	}
	series := chartSeries(t, path, "xl/charts/chart2.xml")
	if series != 4 {
		t.Errorf("the active users chart has %d series, want 4 (one per segment)", series)
	}
}

func TestAnalyticsCurrent(t *testing.T) {
	in := analyticsFixture(t)
	isolate(t)
	doc := runAnalyticsJSON(t, "analytics", "current", "-q", "--as-of", "2026-03-14", in)
	// README, "analytics current": known 6, active 1 / 3 / 6.
	if got := rowsText(doc.Tables["current"].Rows, "segment", "known", "active_1d", "active_7d", "active_30d"); !slices.Equal(got, []string{"All,6,1,3,6"}) {
		t.Errorf("current: %v, want [All,6,1,3,6]", got)
	}
	if doc.From != "2026-02-13" || doc.To != "2026-03-14" {
		t.Errorf("range %s to %s, want the 30-day window 2026-02-13 to 2026-03-14", doc.From, doc.To)
	}
	// --from 2026-03-01 leaves frank out of the known users.
	doc = runAnalyticsJSON(t, "analytics", "current", "-q", "--as-of", "2026-03-14", "--from", "2026-03-01", "--windows", "7", "--segment-by", "props.os", in)
	want := []string{"Windows,2,2", "(none),1,0", "Linux,1,0", "Mac,1,1"} // ties in value order: "(" sorts first
	if got := rowsText(doc.Tables["current"].Rows, "segment", "known", "active_7d"); !slices.Equal(got, want) {
		t.Errorf("by os: %v, want %v", got, want)
	}
}

func TestAnalyticsErrors(t *testing.T) {
	in := analyticsFixture(t)
	isolate(t)
	tests := []struct {
		args []string
		code int
		has  string
	}{
		{analyticsArgs("timeline", "--filter", "colour == red", in), ExitUsage, `unknown field "colour"`},
		{analyticsArgs("timeline", "--filter", "props.os = x", in), ExitUsage, "use =="},
		{analyticsArgs("timeline", "--segment-by", "time", in), ExitUsage, "no segments"},
		{analyticsArgs("timeline", "--split", "year", in), ExitUsage, "want day, week or month"},
		{analyticsArgs("timeline", "--levels", "plan", "--split", "day", in), ExitUsage, "no --split"},
		{analyticsArgs("timeline", "--levels", "plan,props.os,customer,kind", in), ExitUsage, "three"},
		{analyticsArgs("timeline", "--status", "gone", in), ExitUsage, "want new, active or lost"},
		{analyticsArgs("timeline", "--lost-after", "soon", in), ExitUsage, "--lost-after"},
		{analyticsArgs("timeline", "--session-gap", "0", in), ExitUsage, "--session-gap"},
		{analyticsArgs("timeline", "--format", "pdf", in), ExitUsage, "want json, csv or xlsx"},
		{analyticsArgs("timeline", "--table", "x", in), ExitUsage, "--table"},
		{analyticsArgs("timeline", "--format", "csv", "--table", "nope", in), ExitUsage, "tables are timeline"},
		{analyticsArgs("timeline", "--from", "2026-03-20", in), ExitUsage, "before --from"},
		{analyticsArgs("current", "--windows", "0", in), ExitUsage, "--windows"},
		{analyticsArgs("timeline", "-o", "no/such/dir/t.json", in), ExitOutput, "no/such/dir"},
		{analyticsArgs("timeline"), ExitUsage, "requires at least 1 arg"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.has) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, tt.code, tt.has)
		}
	}
}

// A filter drops what fails it before anything is counted.
func TestAnalyticsFilter(t *testing.T) {
	in := analyticsFixture(t)
	isolate(t)
	// Only GitHub: bob, dave, frank. Active 2 (bob, dave), new 2, lost 2
	// (frank on 03-05, bob on 03-11), events 3+2 (bob) + 3 (dave).
	doc := runAnalyticsJSON(t, analyticsArgs("timeline", "--lost-after", "7d", "--filter", "system == GitHub", in)...)
	if got := rowsText(doc.Tables["timeline"].Rows, "new", "active", "lost", "events"); !slices.Equal(got, []string{"2,2,2,8"}) {
		t.Errorf("GitHub only: %v, want [2,2,2,8]", got)
	}
	if doc.Params[0].Key != "filter" || doc.Params[0].Value != `system == "GitHub"` {
		t.Errorf("params %+v, want the filter first", doc.Params)
	}
}

// countCharts counts the chart parts of a workbook.
func countCharts(t *testing.T, path string) int {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	n := 0
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/charts/chart") && strings.HasSuffix(f.Name, ".xml") {
			n++
		}
	}
	return n
}

// chartSeries counts the series of one chart part.
func chartSeries(t *testing.T, path, part string) int {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	for _, f := range z.File {
		if f.Name != part {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, err = buf.ReadFrom(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Count(buf.String(), "<ser>")
	}
	t.Fatalf("no %s", part)
	return 0
}

// Every report says what it read and left out (README, "The people").
func TestAnalyticsDataQuality(t *testing.T) {
	in := analyticsFixture(t)
	dir := isolate(t)
	bad := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{\"time\":\"soon\",\"email\":\"x@y.z\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := runAnalyticsJSON(t, analyticsArgs("timeline", "--filter", "system != ADO", in, bad)...)
	q := doc.DataQuality
	// 22 mentions: 21 records' own users and the sync record's element;
	// bob's 03-16 is after as-of, the 03-07 record names nobody, alice's
	// ADO record is filtered out, and 4 are before the range (02-01,
	// 02-20, 02-25, 02-26).
	if q.Records != 22 || q.Mentions != 22 || q.AfterAsOf != 1 || q.Anonymous != 1 || q.Filtered != 1 || q.OutsideDays != 4 {
		t.Errorf("data quality %+v", q)
	}
	if len(q.Sources) != 2 || q.Sources[1].Rejected != 1 || q.Sources[1].Reasons["invalid time"] != 1 {
		t.Errorf("sources %+v", q.Sources)
	}
	code, _, stderr := run(t, "", analyticsArgs("current", "-o", "c.xlsx", in, bad)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	all := sheetText(t, filepath.Join(dir, "c.xlsx"), "About")
	for _, want := range []string{"Data quality", "Records read|22", "Anonymous (naming nobody)|1", bad + "|1 read, 1 rejected: invalid time 1"} {
		if !strings.Contains(all, want) {
			t.Errorf("About lacks %q:\n%s", want, all)
		}
	}
}

// sheetText is a workbook's sheet as text: a line per row, cells joined
// by "|".
func sheetText(t *testing.T, path, sheet string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, r := range rows {
		text = append(text, strings.Join(r, "|"))
	}
	return strings.Join(text, "\n")
}
