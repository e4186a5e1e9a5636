package cli

import (
	"encoding/csv"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestAnalyticsDistribution(t *testing.T) {
	in := analyticsFixture(t)
	dir := isolate(t)
	doc := runAnalyticsJSON(t, analyticsArgs("distribution", in)...)
	// README, "analytics distribution".
	got := rowsText(doc.Tables["distribution"].Rows, "active_days", "users", "sessions_le1", "sessions_2", "sessions_3",
		"runtime_le0_05", "runtime_0_16_0_30", "runtime_0_31_1_00", "runtime_1_01_2_00")
	want := []string{"1,1,1,0,0,1,0,0,0", "2,2,0,1,1,0,1,1,0", "3,2,0,1,1,1,0,0,1"}
	if !slices.Equal(got, want) {
		t.Errorf("matrix %v, want %v", got, want)
	}
	if got := rowsText(doc.Tables["sessions"].Rows, "sessions", "users"); !slices.Equal(got, []string{"<=1,1", "2,2", "3,2", "4-5,0", "6-8,0", "9-12,0", ">=13,0"}) {
		t.Errorf("sessions histogram %v", got)
	}

	// Other buckets, the runtime histogram as CSV: erin (0) and carol
	// (3m) are <=0:10, alice (16m) and dave (60m) 0:11-1:00, bob (65m)
	// >=1:01.
	code, stdout, stderr := run(t, "", analyticsArgs("distribution", "--runtime-buckets", "0:10,1:00", "--format", "csv", "--table", "runtime", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"Runtime", "Users"}, {"<=0:10", "2"}, {"0:11-1:00", "2"}, {">=1:01", "1"}}; !slices.EqualFunc(recs, want, slices.Equal) {
		t.Errorf("runtime CSV %v, want %v", recs, want)
	}

	// The workbook: four table sheets, a chart each, two on the matrix.
	code, _, stderr = run(t, "", analyticsArgs("distribution", "-o", "d.xlsx", in)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	path := filepath.Join(dir, "d.xlsx")
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"About", "Distribution", "Active days", "Sessions", "Runtime"}) {
		t.Errorf("sheets %v", got)
	}
	if v, _ := f.GetCellValue("Active days", "B3"); v != "2" {
		t.Errorf("Active days B3 = %q, want 2 (alice and dave)", v)
	}
	if n := countCharts(t, path); n != 5 {
		t.Errorf("%d charts, want 5", n)
	}
	if n := chartSeries(t, path, "xl/charts/chart1.xml"); n != 7 {
		t.Errorf("the sessions-by-active-days chart has %d series, want 7 (one per bucket)", n)
	}

	for _, bad := range [][]string{{"--session-buckets", "3,2"}, {"--session-buckets", "a"}, {"--runtime-buckets", "0:5"}, {"--runtime-buckets", "90s"}} {
		code, _, stderr := run(t, "", analyticsArgs("distribution", append(bad, in)...)...)
		if code != ExitUsage || !strings.Contains(stderr, bad[0]) {
			t.Errorf("%v: exit %d, %q; want exit 2 naming the flag", bad, code, stderr)
		}
	}
}
