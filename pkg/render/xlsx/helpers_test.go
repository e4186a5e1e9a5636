package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/usagerep/usagerep/pkg/usage"
)

var wantSheets = []string{SheetSummary, SheetUserCount, SheetEntityTypes, SheetProjects, SheetSyncedData, SheetDetailedUser}

// render writes wb and returns the bytes.
func render(t testing.TB, rep *usage.Report, wb *usage.Workbook) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteUsageWorkbook(&buf, rep, wb); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// open reads a workbook back.
func open(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// parts returns the workbook's zip parts by name.
func parts(t testing.TB, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err)
		}
		m[zf.Name] = string(b)
	}
	return m
}

// cellInfo is what a test needs to know about one cell.
type cellInfo struct {
	kind    string // "text", "number", "date", "empty" or "other:<type>"
	value   string // as Excel shows it (number format applied)
	raw     string // as stored
	formula string
	bold    bool
	numFmt  string // custom number format, if any
}

func inspect(t testing.TB, f *excelize.File, sheet, ref string) cellInfo {
	t.Helper()
	var ci cellInfo
	var err error
	must := func(e error) {
		if e != nil && err == nil {
			err = e
		}
	}
	typ, e := f.GetCellType(sheet, ref)
	must(e)
	ci.value, e = f.GetCellValue(sheet, ref)
	must(e)
	ci.raw, e = f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	must(e)
	ci.formula, e = f.GetCellFormula(sheet, ref)
	must(e)
	styleID, e := f.GetCellStyle(sheet, ref)
	must(e)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	if styleID != 0 {
		st, err := f.GetStyle(styleID)
		if err != nil {
			t.Fatal(err)
		}
		ci.bold = st.Font != nil && st.Font.Bold
		if st.CustomNumFmt != nil {
			ci.numFmt = *st.CustomNumFmt
		}
	}
	switch {
	case typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString:
		ci.kind = "text"
	case (typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber) && ci.raw == "":
		ci.kind = "empty"
	case typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber:
		if _, err := strconv.ParseFloat(ci.raw, 64); err != nil {
			t.Fatalf("%s!%s: number cell holds %q", sheet, ref, ci.raw)
		}
		ci.kind = "number"
		if ci.numFmt == timeFormat {
			ci.kind = "date"
		}
	default:
		ci.kind = fmt.Sprintf("other:%d", typ)
	}
	return ci
}

// dump is a normalised text form of every sheet: layout (panes, tables,
// widths) and every non-empty cell with its kind, boldness and shown value.
func dump(t testing.TB, data []byte) string {
	t.Helper()
	f := open(t, data)
	var sb strings.Builder
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&sb, "== %s ==\n", sheet)
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if panes.Freeze {
			fmt.Fprintf(&sb, "freeze: %s (rows above: %d)\n", panes.TopLeftCell, panes.YSplit)
		}
		tables, err := f.GetTables(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			fmt.Fprintf(&sb, "table: %s %s style=%s\n", tb.Name, tb.Range, tb.StyleName)
		}
		cols, err := f.GetCols(sheet)
		if err != nil {
			t.Fatal(err)
		}
		var widths []string
		for c := range cols {
			name, _ := excelize.ColumnNumberToName(c + 1)
			w, err := f.GetColWidth(sheet, name)
			if err != nil {
				t.Fatal(err)
			}
			widths = append(widths, fmt.Sprintf("%s=%g", name, w))
		}
		fmt.Fprintf(&sb, "widths: %s\n", strings.Join(widths, " "))
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				ci := inspect(t, f, sheet, ref)
				if ci.kind == "empty" {
					continue
				}
				mark := ""
				if ci.bold {
					mark = "*"
				}
				fmt.Fprintf(&sb, "%s %s%s %q\n", ref, ci.kind, mark, ci.value)
			}
		}
	}
	return sb.String()
}
