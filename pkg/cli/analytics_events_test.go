package cli

import (
	"encoding/csv"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestAnalyticsEventsTable(t *testing.T) {
	in := analyticsFixture(t)
	isolate(t)
	doc := runAnalyticsJSON(t, analyticsArgs("events table", in)...)
	// README, "analytics events table".
	keys := []string{"event", "occurrences", "users", "never", "per_user", "per_active_user", "per_session", "share"}
	want := []string{
		"code/push,8,3,2,2.6667,1.6,0.7273,60",
		"collab/comment,4,1,4,4,0.8,0.3636,20",
		"auth/login,3,3,2,1,0.6,0.2727,60",
		"code/review,3,2,3,1.5,0.6,0.2727,40",
		"sync,1,1,4,1,0.2,0.0909,20",
	}
	if got := rowsText(doc.Tables["events"].Rows, keys...); !slices.Equal(got, want) {
		t.Errorf("events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Page 2 of 2-row pages, by users: code/push and code/review.
	doc = runAnalyticsJSON(t, analyticsArgs("events table", "--sort", "users", "--limit", "2", "--offset", "2", in)...)
	if got := rowsText(doc.Tables["events"].Rows, "event", "users"); !slices.Equal(got, []string{"code/review,2", "collab/comment,1"}) {
		t.Errorf("by users, page 2: %v", got)
	}
	if title := doc.Tables["events"].Title; !strings.Contains(title, "rows 3 to 4 of 5") {
		t.Errorf("title %q does not say which rows", title)
	}
	// The hierarchy, as CSV: a category's row (no event), then its events.
	code, stdout, stderr := run(t, "", analyticsArgs("events table", "--hierarchy", "--limit", "1", "--format", "csv", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := [][]string{
		{"Category", "Event", "Occurrences", "Users", "Users who never did", "Average per user", "Average per active user", "Average per session", "Share of users (%)"},
		{"code", "", "11", "3", "2", "3.6667", "2.2", "1", "60"},
		{"code", "code/push", "8", "3", "2", "2.6667", "1.6", "0.7273", "60"},
		{"code", "code/review", "3", "2", "3", "1.5", "0.6", "0.2727", "40"},
	}
	if !slices.EqualFunc(recs, wantCSV, slices.Equal) {
		t.Errorf("hierarchy CSV\n%v\nwant\n%v", recs, wantCSV)
	}
	for _, bad := range [][]string{{"--sort", "colour"}, {"--sort", "users:up"}, {"--limit", "-1"}} {
		code, _, stderr := run(t, "", analyticsArgs("events table", append(bad, in)...)...)
		if code != ExitUsage || !strings.Contains(stderr, bad[0]) {
			t.Errorf("%v: exit %d, %q; want exit 2 naming the flag", bad, code, stderr)
		}
	}
}

func TestAnalyticsEventsTimeline(t *testing.T) {
	in := analyticsFixture(t)
	isolate(t)
	// README, "analytics events timeline", --per sessions.
	code, stdout, stderr := run(t, "", analyticsArgs("events timeline", "--split", "week", "--events", "code/push,auth/login", "--per", "sessions", "--format", "csv", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Period", "code/push per session", "auth/login per session"},
		{"2026-02-23", "3", "0"}, {"2026-03-02", "0.5", "0.1667"}, {"2026-03-09", "0.5", "0.5"},
	}
	if !slices.EqualFunc(recs, want, slices.Equal) {
		t.Errorf("CSV %v, want %v", recs, want)
	}
	// Counts, by plan: Pro pushed 3 in the week of 03-02 (alice).
	doc := runAnalyticsJSON(t, analyticsArgs("events timeline", "--split", "week", "--events", "code/push", "--segment-by", "plan", in)...)
	got := rowsText(doc.Tables["events_timeline"].Rows, "period", "segment", "code/push")
	wantRows := []string{
		"2026-02-23,(none),0", "2026-03-02,(none),0", "2026-03-09,(none),2",
		"2026-02-23,Pro,0", "2026-03-02,Pro,3", "2026-03-09,Pro,0",
		"2026-02-23,Free,3", "2026-03-02,Free,0", "2026-03-09,Free,0",
	}
	if !slices.Equal(got, wantRows) {
		t.Errorf("by plan %v, want %v", got, wantRows)
	}
	for _, bad := range [][]string{{"--events", "fly"}, {"--per", "hour"}, {"--split", "none"}} {
		code, _, stderr := run(t, "", analyticsArgs("events timeline", append(bad, in)...)...)
		if code != ExitUsage || !strings.Contains(stderr, strings.Trim(bad[1], "-")) {
			t.Errorf("%v: exit %d, %q; want exit 2 naming the value", bad, code, stderr)
		}
	}
}

func TestAnalyticsEventsLifetime(t *testing.T) {
	in := analyticsFixture(t)
	dir := isolate(t)
	code, _, stderr := run(t, "", analyticsArgs("events lifetime", "--events", "code/push,auth/login", "-o", "lt.xlsx", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	path := filepath.Join(dir, "lt.xlsx")
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"About", "Lifetime total", "Per active day", "Per active week", "Per active month"}) {
		t.Errorf("sheets %v", got)
	}
	// README, "analytics events lifetime": per active month, code/push
	// users are 1 in 1-2 (dave) and 2 in 2-5 (alice, bob).
	rows, err := f.GetRows("Per active month")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 4 || !slices.Equal(rows[2], []string{"1-2", "1", "0"}) || !slices.Equal(rows[3], []string{"2-5", "2", "0"}) {
		t.Errorf("per active month rows %q", rows)
	}
	if n := countCharts(t, path); n != 4 {
		t.Errorf("%d charts, want 4", n)
	}
	if n := chartSeries(t, path, "xl/charts/chart1.xml"); n != 2 {
		t.Errorf("%d series, want 2 (one per event)", n)
	}
	code, _, stderr = run(t, "", analyticsArgs("events lifetime", "--average-buckets", "2,1", in)...)
	if code != ExitUsage || !strings.Contains(stderr, "--average-buckets") {
		t.Errorf("bad buckets: exit %d, %q", code, stderr)
	}
}
