package xlsx

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/usagerep/usagerep/pkg/access"
)

func accessReport() *access.Report {
	alice := &access.User{ProfileID: "u-1", Email: "alice@x.com", Username: "asmith", DisplayName: "Alice Smith", FirstName: "Alice", LastName: "Smith", Company: "Acme"}
	bob := &access.User{ProfileID: "u-2", Username: "bob"}
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	return &access.Report{
		From: d("2026-03-01"), To: d("2026-03-31"), Location: time.UTC,
		Columns: []access.Column{{Action: "scan_upload", Label: "Scans uploaded"}, {Action: "tag_download", Label: "Tags downloaded"}},
		Rows: []access.Row{
			{Date: d("2026-03-01"), User: alice, Project: "Plant", Counts: []int64{3, 0}},
			{Date: d("2026-03-01"), User: bob, Project: "Plant", Counts: []int64{0, 0}},
			{Date: d("2026-03-02"), User: alice, Project: "Tunnel", Counts: []int64{1234, 7}},
		},
	}
}

func renderAccess(t testing.TB, rep *access.Report, opts AccessOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteAccessWorkbook(&buf, rep, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAccessWorkbook(t *testing.T) {
	data := renderAccess(t, accessReport(), AccessOptions{})
	f := open(t, data)
	if got := f.GetSheetList(); !slices.Equal(got, []string{SheetAccess}) {
		t.Fatalf("sheets %q, want [%s]", got, SheetAccess)
	}
	rows, err := f.GetRows(SheetAccess)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Date", "First name", "Last name", "Email", "Company", "Project", "Scans uploaded", "Tags downloaded"},
		{"2026-03-01", "Alice", "Smith", "alice@x.com", "Acme", "Plant", "3", "0"},
		{"2026-03-01", "", "", "", "", "Plant", "0", "0"},
		{"2026-03-02", "Alice", "Smith", "alice@x.com", "Acme", "Tunnel", "1,234", "7"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %q, want %q", rows, want)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d = %q, want %q", i+1, rows[i], want[i])
		}
	}

	// Days are dates (serial 46082 is 2026-03-01) shown without a clock;
	// counts are numbers; names are text; the header is bold.
	if ci := inspect(t, f, SheetAccess, "A2"); ci.kind != "number" || ci.raw != "46082" || ci.numFmt != dayFormat {
		t.Errorf("A2 = %+v, want the date 46082 shown as %s", ci, dayFormat)
	}
	if ci := inspect(t, f, SheetAccess, "G4"); ci.kind != "number" || ci.raw != "1234" {
		t.Errorf("G4 = %+v, want the number 1234", ci)
	}
	if ci := inspect(t, f, SheetAccess, "B2"); ci.kind != "text" || ci.value != "Alice" {
		t.Errorf("B2 = %+v, want the text Alice", ci)
	}
	if ci := inspect(t, f, SheetAccess, "A1"); !ci.bold || ci.kind != "text" {
		t.Errorf("A1 = %+v, want a bold text header", ci)
	}

	panes, err := f.GetPanes(SheetAccess)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v (%v), want the header row frozen", panes, err)
	}
	tables, err := f.GetTables(SheetAccess)
	if err != nil || len(tables) != 1 || tables[0].Range != "A1:H4" {
		t.Errorf("tables %+v (%v), want one over A1:H4", tables, err)
	}
	if !strings.Contains(parts(t, data)["xl/tables/table1.xml"], `<autoFilter ref="A1:H4"`) {
		t.Error("the table has no autofilter over its range")
	}
	// Widths fit: Email fits alice@x.com, the header fits "Tags downloaded".
	for col, min := range map[string]float64{"D": 13, "H": 17} {
		w, err := f.GetColWidth(SheetAccess, col)
		if err != nil || w < min || w > maxColWidth {
			t.Errorf("column %s width %v (%v), want %v..%d", col, w, err, min, maxColWidth)
		}
	}
	props, err := f.GetDocProps()
	if err != nil || props.Created != "2026-03-31T00:00:00Z" || !strings.Contains(props.Title, "2026-03-01 to 2026-03-31") {
		t.Errorf("doc props %+v (%v)", props, err)
	}

	// Identical reports, identical bytes.
	if again := renderAccess(t, accessReport(), AccessOptions{}); !bytes.Equal(again, data) {
		t.Error("two renderings of one report differ")
	}
}

func TestAccessWorkbookUsernames(t *testing.T) {
	f := open(t, renderAccess(t, accessReport(), AccessOptions{Usernames: true}))
	rows, err := f.GetRows(SheetAccess)
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"Date", "First name", "Last name", "Email", "Username", "Display name", "Company", "Project", "Scans uploaded", "Tags downloaded"}
	if !slices.Equal(rows[0], wantHeader) {
		t.Errorf("header %q, want %q", rows[0], wantHeader)
	}
	if want := []string{"2026-03-01", "", "", "", "bob", "", "", "Plant", "0", "0"}; !slices.Equal(rows[2], want) {
		t.Errorf("bob's row %q, want %q", rows[2], want)
	}
}

// An empty report is a header and an empty table row, still valid.
func TestAccessWorkbookEmpty(t *testing.T) {
	rep := accessReport()
	rep.Rows = nil
	f := open(t, renderAccess(t, rep, AccessOptions{}))
	rows, err := f.GetRows(SheetAccess)
	if err != nil || len(rows) != 1 {
		t.Errorf("rows %q (%v), want the header only", rows, err)
	}
}

func TestAccessWorkbookContinues(t *testing.T) {
	old := maxSheetRows
	maxSheetRows = 3 // a header and two rows
	t.Cleanup(func() { maxSheetRows = old })
	f := open(t, renderAccess(t, accessReport(), AccessOptions{}))
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Access", "Access (2)"}) {
		t.Fatalf("sheets %q", got)
	}
	rows, _ := f.GetRows("Access (2)")
	if len(rows) != 2 || rows[0][0] != "Date" || rows[1][5] != "Tunnel" {
		t.Errorf("second sheet rows %q", rows)
	}
}

// TestAccessInjection: every payload in every text column is a text cell
// holding the payload, and no cell is a formula.
func TestAccessInjection(t *testing.T) {
	data, err := os.ReadFile("../../../testdata/injection/payloads.json")
	if err != nil {
		t.Fatal(err)
	}
	var payloads []string
	if err := json.Unmarshal(data, &payloads); err != nil {
		t.Fatal(err)
	}
	rep := accessReport()
	rep.Rows = nil
	for _, p := range payloads {
		u := &access.User{ProfileID: p, Email: p, Username: p, DisplayName: p, FirstName: p, LastName: p, Company: p}
		rep.Rows = append(rep.Rows, access.Row{Date: rep.From, User: u, Project: p, Counts: []int64{1, 2}})
	}
	f := open(t, renderAccess(t, rep, AccessOptions{Usernames: true}))
	for r, p := range payloads {
		for c := 2; c <= 8; c++ {
			ref, _ := excelize.CoordinatesToCellName(c, r+2)
			ci := inspect(t, f, SheetAccess, ref)
			if ci.formula != "" || ci.kind != "text" || ci.raw != p {
				t.Errorf("%s = %+v, want the text %q", ref, ci, p)
			}
		}
		ref := "I" + strconv.Itoa(r+2)
		if ci := inspect(t, f, SheetAccess, ref); ci.kind != "number" || ci.raw != "1" {
			t.Errorf("%s = %+v, want the number 1", ref, ci)
		}
	}
}
