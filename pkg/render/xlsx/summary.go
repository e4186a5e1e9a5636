package xlsx

import (
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/usagerep/usagerep/pkg/usage"
)

// Summary labels that are not column headers.
const (
	labelTotalUsers   = "Total Unique Users"
	labelServiceAccts = "Service accounts"
	labelEntityTypes  = "Total Unique Entity Types"
	labelProjects     = "Total Unique Projects"
	labelEntitiesSync = "Total Entities Synced"
	labelRecordsRead  = "Records read"
	labelRejected     = "Records rejected"
	labelInWindow     = "Records in window"
	labelAnonymous    = "Anonymous observations"
	labelAmbiguous    = "Ambiguous identities"
	sourceTableName   = "DataQualityBySource"
)

// The chart of users per system floats right of the key/value list, from
// D3 down; it grows with the number of systems, within bounds (pixels).
const (
	chartColumn    = 4
	chartFirstRow  = 3
	chartWidth     = 560
	chartMinHeight = 240
	chartMaxHeight = 560
	chartPerSystem = 28
	chartChrome    = 90 // title and axis
	defaultRowPx   = 20
)

var sourceHeaders = []string{"Source", "Read", "Rejected", "Reasons", "Invalid emails", "Syncs without peer"}

// summarySheet writes cells on Summary in normal (not streamed) mode and
// keeps the widest text per column for the widths.
type summarySheet struct {
	b      *book
	row    int   // next row to write
	widths []int // by column number
	err    error
}

func (s *summarySheet) set(col, row int, value any, style int, width int) {
	if s.err != nil {
		return
	}
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err == nil {
		switch v := value.(type) {
		case string:
			// SetCellStr stores a shared string; it never makes a formula.
			err = s.b.f.SetCellStr(SheetSummary, ref, v)
		case int64:
			err = s.b.f.SetCellInt(SheetSummary, ref, v)
		case float64:
			err = s.b.f.SetCellFloat(SheetSummary, ref, v, -1, 64)
		}
	}
	if err == nil && style != 0 {
		err = s.b.f.SetCellStyle(SheetSummary, ref, ref, style)
	}
	if width > 0 {
		if col >= len(s.widths) {
			s.widths = append(s.widths, make([]int, col+1-len(s.widths))...)
		}
		s.widths[col] = max(s.widths[col], width)
	}
	s.err = err
}

func (s *summarySheet) text(col, row int, v string, style int) {
	v = fitCell(v)
	s.set(col, row, v, style, textWidth(v, maxColWidth))
}

func (s *summarySheet) count(col, row int, n int64) {
	s.set(col, row, n, s.b.styles.count, intWidth(n))
}

func (s *summarySheet) time(col, row int, t time.Time) {
	if t.IsZero() {
		return
	}
	if serial, ok := excelTime(t, s.b.loc); ok {
		s.set(col, row, serial, s.b.styles.date, timeWidth)
		return
	}
	s.text(col, row, string(appendTime(nil, t, s.b.loc)), 0)
}

// section starts a titled block after a blank row.
func (s *summarySheet) section(title string) {
	if s.row > 1 {
		s.row++
	}
	s.text(1, s.row, title, s.b.styles.section)
	s.row++
}

func (s *summarySheet) countLine(label string, n int64, sub bool) {
	style := 0
	if sub {
		style = s.b.styles.indent
	}
	s.text(1, s.row, label, style)
	s.count(2, s.row, n)
	s.row++
}

func (s *summarySheet) timeLine(label string, t time.Time) {
	s.text(1, s.row, label, 0)
	s.time(2, s.row, t)
	s.row++
}

// writeSummary fills the Summary sheet: totals, window, inputs, data
// quality and a chart of unique users per system.
func (b *book) writeSummary(rep *usage.Report, wb *usage.Workbook) error {
	s := &summarySheet{b: b, row: 1}
	sum := &wb.Summary

	// The title may run over the empty cells to its right: no width.
	s.set(1, s.row, fitCell("Usage Report ("+wb.Period.Label+")"), b.styles.title, 0)
	s.row++

	s.section("Totals")
	s.countLine(labelTotalUsers, sum.TotalUsers, false)
	s.countLine(userCountHeaders[2], sum.ByClass.UsernamesOrEmails, true)
	s.countLine(userCountHeaders[3], sum.ByClass.Emails, true)
	s.countLine(userCountHeaders[4], sum.ByClass.DisplayNames, true)
	s.countLine(userCountHeaders[5], sum.ByClass.Usernames, true)
	s.countLine(labelServiceAccts, sum.ServiceAccounts, true)
	s.countLine(labelEntityTypes, sum.TotalEntityTypes, false)
	s.countLine(labelProjects, sum.TotalProjects, false)
	s.countLine(labelEntitiesSync, sum.TotalEntitiesSynced, false)

	s.section("Report window")
	s.timeLine("From", wb.Period.From)
	s.timeLine("To", wb.Period.To)
	s.text(1, s.row, "Time zone", 0)
	s.text(2, s.row, b.loc.String(), 0)
	s.row++
	s.timeLine("As of", rep.AsOf)

	s.section("Inputs")
	if len(sum.Inputs) == 0 {
		s.text(1, s.row, "(none)", 0)
		s.row++
	}
	for _, in := range sum.Inputs {
		s.text(1, s.row, in, 0)
		s.row++
	}

	q := &sum.Quality
	s.section("Data quality")
	s.countLine(labelRecordsRead, q.RecordsRead, false)
	s.countLine(labelRejected, q.RecordsRejected, false)
	s.countLine(labelInWindow, q.RecordsInWindow, false)
	s.countLine(labelAnonymous, q.Anonymous, false)
	s.countLine(labelAmbiguous, q.AmbiguousIdentities, false)

	// The chart floats from D3 down; the per-source table starts below it
	// so that neither hides the other.
	systems := min(len(wb.UserCounts), maxSheetRows-1)
	chartHeight := min(max(chartChrome+chartPerSystem*systems, chartMinHeight), chartMaxHeight)
	if systems > 0 {
		chartEnd := chartFirstRow + (chartHeight+defaultRowPx-1)/defaultRowPx
		s.row = max(s.row, chartEnd)
	}
	s.row++
	if err := s.sourceTable(q.Sources); err != nil {
		return err
	}

	for col, w := range s.widths {
		if w == 0 {
			continue
		}
		name, _ := excelize.ColumnNumberToName(col)
		if err := b.f.SetColWidth(SheetSummary, name, name, colWidth(w, 0)); err != nil {
			return err
		}
	}
	if s.err != nil || systems == 0 {
		return s.err
	}
	return b.userChart(systems, chartHeight)
}

// sourceTable writes the per-source data-quality table as an Excel table,
// which gives it its autofilter.
func (s *summarySheet) sourceTable(sources []usage.SourceQuality) error {
	top := s.row
	for c, h := range sourceHeaders {
		s.set(c+1, top, h, s.b.styles.header, headerWidth(h)-widthPadding)
	}
	var reasons strings.Builder
	for i, src := range sources {
		r := top + 1 + i
		s.text(1, r, src.Source, 0)
		s.count(2, r, src.Read)
		s.count(3, r, src.Rejected)
		reasons.Reset()
		for j, rc := range src.RejectReasons {
			if j > 0 {
				reasons.WriteString("; ")
			}
			reasons.WriteString(rc.Reason)
			reasons.WriteString(": ")
			reasons.WriteString(strconv.FormatInt(rc.Count, 10))
		}
		s.text(4, r, reasons.String(), 0)
		s.count(5, r, src.InvalidEmails)
		s.count(6, r, src.SyncsWithoutPeer)
	}
	s.row = top + 1 + max(len(sources), 1)
	if s.err != nil {
		return s.err
	}
	last, _ := excelize.ColumnNumberToName(len(sourceHeaders))
	return s.b.f.AddTable(SheetSummary, &excelize.Table{
		Range:     "A" + strconv.Itoa(top) + ":" + last + strconv.Itoa(s.row-1),
		Name:      sourceTableName,
		StyleName: tableStyle,
	})
}

// userChart adds a native bar chart of unique users per system, drawn from
// the first rows of Unique User Count (the total row left out).
func (b *book) userChart(systems, height int) error {
	noVary := false // one series, one colour
	ref := func(col string) string {
		return "'" + SheetUserCount + "'!$" + col + "$2:$" + col + "$" + strconv.Itoa(systems+1)
	}
	anchor, _ := excelize.CoordinatesToCellName(chartColumn, chartFirstRow)
	return b.f.AddChart(SheetSummary, anchor, &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{
			Name:       "'" + SheetUserCount + "'!$B$1",
			Categories: ref("A"),
			Values:     ref("B"),
		}},
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Unique users per system"}}},
		Legend:     excelize.ChartLegend{Position: "none"},
		VaryColors: &noVary,
		Dimension:  excelize.ChartDimension{Width: chartWidth, Height: uint(height)},
		PlotArea:   excelize.ChartPlotArea{ShowVal: true},
		// Bars list the systems top to bottom in sheet order.
		XAxis: excelize.ChartAxis{ReverseOrder: true},
		YAxis: excelize.ChartAxis{MajorGridLines: true},
	})
}
