// Package xlsx renders the Usage Reports workbooks (spec
// 03-usage-reports-zip.md) from the usage model: six sheets with bold
// frozen headers, autofilters, fitted widths, real date-time cells and
// numbers, text that can never become a formula, long sheets continued on
// numbered sheets and over-long cells cut visibly. Identical models give
// identical bytes.
package xlsx

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/usagerep/usagerep/pkg/usage"
)

// Sheet names, in workbook order.
const (
	SheetSummary      = "Summary"
	SheetUserCount    = "Unique User Count"
	SheetEntityTypes  = "Entity Type Count"
	SheetProjects     = "Integrated Project Count"
	SheetSyncedData   = "Synced Data Count"
	SheetDetailedUser = "Detailed User Report"
)

// maxSheetRows is the most rows a sheet holds, header included; longer
// tables continue on "NAME (2)" and so on. Tests lower it.
var maxSheetRows = excelize.TotalRows

// tableStyle draws a thin rule under the header and light row stripes; its
// text is dark, so the bold header cells keep their look.
const tableStyle = "TableStyleLight1"

// WriteUsageWorkbook writes one workbook for wb to w. Times are shown in
// rep.Location (UTC when nil). Output bytes are identical for identical
// input: nothing depends on the clock or on map order.
func WriteUsageWorkbook(w io.Writer, rep *usage.Report, wb *usage.Workbook) error {
	if rep == nil || wb == nil {
		return errors.New("xlsx: nil report or workbook")
	}
	loc := rep.Location
	if loc == nil {
		loc = time.UTC
	}
	f := excelize.NewFile()
	defer f.Close() // removes the stream writers' temporary files
	// excelize hands its zip writer an in-memory buffer and copies that to
	// w afterwards. sortedZip already holds the compressed parts, so it
	// writes straight to w and the buffer stays empty.
	b := &book{f: f, loc: loc, splices: map[string]func(io.Writer) error{}}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		z := newSortedZip(w)
		z.splices = b.splices
		return z
	})

	if err := b.build(rep, wb); err != nil {
		return fmt.Errorf("xlsx: %s: %w", wb.Period.FileName(), err)
	}
	// excelize adds a chart's image content types in map order.
	types := f.ContentTypes.Defaults
	sort.SliceStable(types, func(i, j int) bool { return types[i].Extension < types[j].Extension })
	if err := f.Write(io.Discard); err != nil {
		return fmt.Errorf("xlsx: writing %s: %w", wb.Period.FileName(), err)
	}
	return nil
}

// book is one workbook being built.
type book struct {
	f      *excelize.File
	loc    *time.Location
	styles styles
	// splices holds the data rows of each table sheet by part name (see
	// rows.go).
	splices map[string]func(io.Writer) error
}

type styles struct {
	header    int // bold, filled, ruled: table header cells
	count     int // #,##0
	date      int // yyyy-mm-dd hh:mm:ss
	bold      int // a bold text cell (the total row)
	boldCount int
	title     int
	section   int
	indent    int // a sub-item label on Summary
}

func (b *book) build(rep *usage.Report, wb *usage.Workbook) error {
	if err := b.newStyles(); err != nil {
		return err
	}
	if err := b.docProps(rep, wb); err != nil {
		return err
	}
	// The new file's only sheet becomes Summary; the others follow in order.
	if err := b.f.SetSheetName(b.f.GetSheetName(0), SheetSummary); err != nil {
		return err
	}
	if err := b.writeSummary(rep, wb); err != nil {
		return err
	}
	for _, t := range b.tables(wb) {
		if err := b.writeTable(t); err != nil {
			return fmt.Errorf("sheet %s: %w", t.sheet, err)
		}
	}
	b.f.SetActiveSheet(0)
	return nil
}

func (b *book) newStyles() error {
	dateFmt := timeFormat
	// A font given without a family is drawn in the viewer's default (a
	// serif in LibreOffice); name the workbook's own.
	family, err := b.f.GetDefaultFont()
	if err != nil {
		return err
	}
	bold := func(size float64) *excelize.Font {
		return &excelize.Font{Bold: true, Family: family, Size: size}
	}
	defs := []struct {
		id    *int
		style excelize.Style
	}{
		{&b.styles.header, excelize.Style{
			Font:      bold(11),
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Border:    []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}},
			Alignment: &excelize.Alignment{Vertical: "center"},
		}},
		{&b.styles.count, excelize.Style{NumFmt: 3}},
		{&b.styles.date, excelize.Style{CustomNumFmt: &dateFmt}},
		{&b.styles.bold, excelize.Style{Font: bold(11)}},
		{&b.styles.boldCount, excelize.Style{Font: bold(11), NumFmt: 3}},
		{&b.styles.title, excelize.Style{Font: bold(14)}},
		{&b.styles.section, excelize.Style{Font: bold(12)}},
		{&b.styles.indent, excelize.Style{Alignment: &excelize.Alignment{Horizontal: "left", Indent: 1}}},
	}
	for _, d := range defs {
		id, err := b.f.NewStyle(&d.style)
		if err != nil {
			return err
		}
		*d.id = id
	}
	return nil
}

// docProps stamps the workbook with the report's as-of time, never the
// clock, so the bytes are reproducible.
func (b *book) docProps(rep *usage.Report, wb *usage.Workbook) error {
	stamp := rep.AsOf.UTC().Format("2006-01-02T15:04:05Z")
	return b.f.SetDocProps(&excelize.DocProperties{
		Title:          "Usage Report (" + wb.Period.Label + ")",
		Subject:        "Usage report",
		Creator:        "usagerep",
		LastModifiedBy: "usagerep",
		Created:        stamp,
		Modified:       stamp,
		Language:       "en-US",
	})
}

// sheetName is the name of the n-th (0-based) sheet of a table: the base
// name, then "base (2)", "base (3)"...
func sheetName(base string, n int) string {
	if n == 0 {
		return base
	}
	return base + " (" + strconv.Itoa(n+1) + ")"
}

// tableName is a valid, unique Excel table name for the n-th sheet of a
// table.
func tableName(base string, n int) string {
	name := strings.ReplaceAll(base, " ", "")
	if n == 0 {
		return name
	}
	return name + "_" + strconv.Itoa(n+1)
}
