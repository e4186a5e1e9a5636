package cli

import (
	"encoding/csv"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestAnalyticsChurn(t *testing.T) {
	in := analyticsFixture(t)
	dir := isolate(t)
	doc := runAnalyticsJSON(t, analyticsArgs("churn", "--lost-after", "7d", in)...)
	// README, "analytics churn": bob's cohort (week of 02-23) engaged in
	// offsets 0 and 1 and lost in 2; nobody first seen in the week of
	// 03-02 (no share: null); dave's cohort engaged in its week.
	got := rowsText(doc.Tables["cohorts"].Rows, "cohort", "offset", "users", "engaged", "engaged_pct", "lost", "lost_pct")
	want := []string{
		"2026-02-23,0,1,1,100,0,0", "2026-02-23,1,1,1,100,0,0", "2026-02-23,2,1,0,0,1,100",
		"2026-03-02,0,0,0,null,0,null", "2026-03-02,1,0,0,null,0,null",
		"2026-03-09,0,1,1,100,0,0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("cohorts\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := rowsText(doc.Tables["retention"].Rows, "offset", "users", "engaged", "lost"); !slices.Equal(got, []string{"0,2,2,0", "1,1,1,0", "2,1,0,1"}) {
		t.Errorf("retention %v", got)
	}
	if got := rowsText(doc.Tables["lost_events"].Rows, "event", "occurrences", "per_session"); !slices.Equal(got, []string{"code/push,3,1.5", "code/review,2,1"}) {
		t.Errorf("lost users' events %v", got)
	}

	// Monthly, as CSV: both cohorts are March's; bob is lost by its end.
	code, stdout, stderr := run(t, "", analyticsArgs("churn", "--lost-after", "7d", "--split", "month", "--format", "csv", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := [][]string{
		{"Cohort", "Months since first seen", "Users", "Engaged", "Engaged (%)", "Lost", "Lost (%)"},
		{"2026-03-01", "0", "2", "2", "100", "1", "50"},
	}
	if !slices.EqualFunc(recs, wantCSV, slices.Equal) {
		t.Errorf("monthly CSV %v, want %v", recs, wantCSV)
	}

	code, _, stderr = run(t, "", analyticsArgs("churn", "--lost-after", "7d", "-o", "churn.xlsx", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	path := filepath.Join(dir, "churn.xlsx")
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want = []string{"About", "Cohorts", "Retention", "Lost active days", "Lost sessions", "Lost runtime", "Lost events"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets %v, want %v", got, want)
	}
	if v, _ := f.GetCellValue("Lost runtime", "B6"); v != "1" {
		t.Errorf("Lost runtime B6 (1:01-2:00) = %q, want 1 (bob, 65m)", v)
	}
	if n := countCharts(t, path); n != 7 {
		t.Errorf("%d charts, want 7", n)
	}
	// The cohorts chart: a line per cohort.
	if n := chartSeries(t, path, "xl/charts/chart1.xml"); n != 3 {
		t.Errorf("the cohorts chart has %d series, want 3", n)
	}
	code, _, stderr = run(t, "", analyticsArgs("churn", "--split", "none", in)...)
	if code != ExitUsage || !strings.Contains(stderr, "--split") {
		t.Errorf("--split none: exit %d, %q", code, stderr)
	}
}
