package xlsx

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/usagerep/usagerep/pkg/analytics"
)

// SheetAbout is the first sheet of an analytics workbook: what the report
// is and the settings that shaped it.
const SheetAbout = "About"

// Formats of analytics cells beyond the usage workbooks'.
const (
	floatFormat = "0.00"
)

// Charts float right of their table, one below the other (pixels).
const (
	anaChartWidth  = 640
	anaChartHeight = 300
	anaChartRows   = 16 // rows one chart and its margin take
)

// WriteAnalyticsWorkbook writes rep as a workbook: About, then one sheet
// per table with its charts beside it. Tables with no fractions and no
// chart (one row per user) are streamed like the usage list sheets, so
// they may be long; the others are written cell by cell. Identical
// reports give identical bytes.
func WriteAnalyticsWorkbook(w io.Writer, rep *analytics.Report) error {
	if rep == nil {
		return errors.New("xlsx: nil analytics report")
	}
	f := excelize.NewFile()
	defer f.Close()
	// Times are written as their wall clock in the report's zone, so the
	// book itself works in UTC.
	b := &book{f: f, loc: time.UTC, splices: map[string]func(io.Writer) error{}}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		z := newSortedZip(w)
		z.splices = b.splices
		return z
	})
	if err := b.buildAnalytics(rep); err != nil {
		return fmt.Errorf("xlsx: %s workbook: %w", rep.Command, err)
	}
	types := f.ContentTypes.Defaults
	sort.SliceStable(types, func(i, j int) bool { return types[i].Extension < types[j].Extension })
	if err := f.Write(io.Discard); err != nil {
		return fmt.Errorf("xlsx: writing the %s workbook: %w", rep.Command, err)
	}
	return nil
}

// anaStyles are the analytics cells' styles beyond book.styles.
type anaStyles struct {
	day, float int
}

func (b *book) buildAnalytics(rep *analytics.Report) error {
	if err := b.newStyles(); err != nil {
		return err
	}
	var st anaStyles
	for _, d := range []struct {
		id  *int
		fmt string
	}{{&st.day, dayFormat}, {&st.float, floatFormat}} {
		format := d.fmt
		id, err := b.f.NewStyle(&excelize.Style{CustomNumFmt: &format})
		if err != nil {
			return err
		}
		*d.id = id
	}
	stamp := rep.AsOf.UTC().Format("2006-01-02T15:04:05Z") // never the clock
	if err := b.f.SetDocProps(&excelize.DocProperties{
		Title: "usagerep " + rep.Command, Subject: "Engagement analytics",
		Creator: "usagerep", LastModifiedBy: "usagerep", Created: stamp, Modified: stamp, Language: "en-US",
	}); err != nil {
		return err
	}
	if err := b.f.SetSheetName(b.f.GetSheetName(0), SheetAbout); err != nil {
		return err
	}
	if err := b.about(rep); err != nil {
		return fmt.Errorf("sheet %s: %w", SheetAbout, err)
	}
	for n, t := range rep.Tables {
		var err error
		if streamable(t) {
			err = b.streamAnalytics(t, rep.Location)
		} else {
			err = b.anaSheet(t, n, rep.Location, st)
		}
		if err != nil {
			return fmt.Errorf("sheet %s: %w", t.Name, err)
		}
	}
	b.f.SetActiveSheet(min(1, len(rep.Tables)))
	return nil
}

// about writes the report's name, range and settings, and its tables.
func (b *book) about(rep *analytics.Report) error {
	s := &sheetCells{b: b, sheet: SheetAbout}
	s.text(1, 1, "usagerep "+rep.Command, b.styles.title)
	r := 3
	line := func(k, v string) {
		s.text(1, r, k, b.styles.bold)
		s.text(2, r, v, 0)
		r++
	}
	line("From", rep.From.String())
	line("To", rep.To.String())
	if !rep.AsOf.IsZero() {
		line("As of", rep.AsOf.In(zone(rep.Location)).Format(time.RFC3339))
	}
	line("Time zone", zone(rep.Location).String())
	for _, p := range rep.Params {
		line(p.Key, p.Value)
	}
	r++
	s.text(1, r, "Sheets", b.styles.section)
	r++
	for _, t := range rep.Tables {
		line(t.Name, t.Title)
	}
	r++
	s.text(1, r, "Data quality", b.styles.section)
	r++
	num := func(k string, v int64) {
		s.text(1, r, k, b.styles.bold)
		s.set(2, r, v, b.styles.count, intWidth(v))
		r++
	}
	m := &rep.Quality.Mentions
	num("Records read", m.Records)
	num("Mentions of users", m.Mentions)
	num("At or after as-of", m.AfterAsOf)
	num("Left out by the filters", m.Filtered)
	num("Anonymous (naming nobody)", m.Anonymous)
	if rep.Quality.By == analytics.ByUserID {
		num("Without a user_id", m.NoUserID)
	}
	num("Outside the days kept", m.OutOfDays)
	for _, src := range rep.Quality.Sources {
		v := fmt.Sprintf("%d read, %d rejected", src.Read, src.Rejected)
		for i, rc := range src.Reasons {
			if i == 0 {
				v += ": "
			} else {
				v += "; "
			}
			v += fmt.Sprintf("%s %d", rc.Reason, rc.Count)
		}
		line(src.Name, v)
	}
	return s.finish()
}

func zone(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// streamable says whether t goes through the streamed list sheets: only
// text, counts and times, and no chart.
func streamable(t *analytics.Table) bool {
	if len(t.Charts) > 0 {
		return false
	}
	for _, c := range t.Columns {
		switch c.Kind {
		case analytics.KindText, analytics.KindInt, analytics.KindTime:
		default:
			return false
		}
	}
	return true
}

// wall is t's wall clock in loc as a UTC time: the book works in UTC.
func wall(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	t = t.In(zone(loc))
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC)
}

// streamAnalytics writes t as a streamed list sheet.
func (b *book) streamAnalytics(t *analytics.Table, loc *time.Location) error {
	headers := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		headers[i] = c.Header
	}
	return b.writeTable(&table{
		sheet: t.Name, headers: headers, rows: t.Len,
		fill: func(_ *formatter, i int, row []cell) {
			v := make([]analytics.Value, len(t.Columns))
			t.Row(i, v)
			for c, col := range t.Columns {
				if v[c].Empty {
					continue
				}
				switch col.Kind {
				case analytics.KindInt:
					row[c] = intCell(v[c].Int)
				case analytics.KindTime:
					row[c] = timeCell(wall(v[c].Time, loc))
				default:
					row[c] = textCell(v[c].Text)
				}
			}
		},
	})
}

// sheetCells writes cells in normal (not streamed) mode and keeps the
// widest content per column for the widths.
type sheetCells struct {
	b      *book
	sheet  string
	widths []int // by column number
	err    error
}

func (s *sheetCells) set(col, row int, value any, style, width int) {
	if s.err != nil {
		return
	}
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err == nil {
		switch v := value.(type) {
		case string:
			err = s.b.f.SetCellStr(s.sheet, ref, v) // never a formula
		case int64:
			err = s.b.f.SetCellInt(s.sheet, ref, v)
		case float64:
			err = s.b.f.SetCellFloat(s.sheet, ref, v, -1, 64)
		}
	}
	if err == nil && style != 0 {
		err = s.b.f.SetCellStyle(s.sheet, ref, ref, style)
	}
	if col >= len(s.widths) {
		s.widths = append(s.widths, make([]int, col+1-len(s.widths))...)
	}
	s.widths[col] = max(s.widths[col], width)
	s.err = err
}

func (s *sheetCells) text(col, row int, v string, style int) {
	v = fitCell(v)
	s.set(col, row, v, style, textWidth(v, maxColWidth))
}

// finish sets the column widths.
func (s *sheetCells) finish() error {
	for col, w := range s.widths {
		if w == 0 || s.err != nil {
			continue
		}
		name, _ := excelize.ColumnNumberToName(col)
		s.err = s.b.f.SetColWidth(s.sheet, name, name, colWidth(w, 0))
	}
	return s.err
}

// anaSheet writes table n cell by cell, as an Excel table (bold frozen
// header, autofilter), with its charts to the right.
func (b *book) anaSheet(t *analytics.Table, n int, loc *time.Location, st anaStyles) error {
	if _, err := b.f.NewSheet(t.Name); err != nil {
		return err
	}
	s := &sheetCells{b: b, sheet: t.Name}
	for c, col := range t.Columns {
		s.set(c+1, 1, fitCell(col.Header), b.styles.header, headerWidth(col.Header)-widthPadding)
	}
	row := make([]analytics.Value, len(t.Columns))
	for i := range t.Len {
		clear(row)
		t.Row(i, row)
		r := i + 2
		for c, col := range t.Columns {
			v := &row[c]
			if v.Empty {
				continue
			}
			switch col.Kind {
			case analytics.KindText:
				s.text(c+1, r, v.Text, 0)
			case analytics.KindInt:
				s.set(c+1, r, v.Int, b.styles.count, intWidth(v.Int))
			case analytics.KindFloat, analytics.KindPercent, analytics.KindHours:
				f := v.Float
				s.set(c+1, r, f, st.float, len(strconv.FormatFloat(f, 'f', 2, 64)))
			case analytics.KindDay:
				serial, _ := excelTime(v.Day.Date(), time.UTC)
				s.set(c+1, r, serial, st.day, len(dayFormat))
			case analytics.KindTime:
				if serial, ok := excelTime(wall(v.Time, loc), time.UTC); ok {
					s.set(c+1, r, serial, b.styles.date, timeWidth)
				} else {
					s.text(c+1, r, v.Time.In(zone(loc)).Format(timeLayout), 0)
				}
			}
		}
	}
	if err := s.finish(); err != nil {
		return err
	}
	if err := b.f.SetPanes(t.Name, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(t.Columns))
	if err := b.f.AddTable(t.Name, &excelize.Table{
		Range: "A1:" + last + strconv.Itoa(max(t.Len, 1)+1), Name: tableName(t.Name, 0) + "_" + strconv.Itoa(n+1), StyleName: tableStyle,
	}); err != nil {
		return err
	}
	if t.Len == 0 {
		return nil
	}
	for k, ch := range t.Charts {
		if err := b.anaChart(t, ch, k, row); err != nil {
			return fmt.Errorf("chart %q: %w", ch.Title, err)
		}
	}
	return nil
}

// anaChart draws chart k of t beside the table. row is scratch.
func (b *book) anaChart(t *analytics.Table, ch analytics.Chart, k int, row []analytics.Value) error {
	quoted := "'" + t.Name + "'!"
	ref := func(col, from, to int) string { // rows are 0-based table rows
		name, _ := excelize.ColumnNumberToName(col + 1)
		return quoted + "$" + name + "$" + strconv.Itoa(from+2) + ":$" + name + "$" + strconv.Itoa(to+1)
	}
	header := func(col int) string {
		name, _ := excelize.ColumnNumberToName(col + 1)
		return quoted + "$" + name + "$1"
	}
	// Runs of one group value are one series each; without a group the
	// whole table is one run.
	type run struct{ from, to int }
	runs := []run{{0, t.Len}}
	if ch.GroupBy >= 0 {
		runs = runs[:0]
		var prev analytics.Value
		for i := range t.Len {
			clear(row)
			t.Row(i, row)
			if g := row[ch.GroupBy]; i == 0 || g.Text != prev.Text || g.Day != prev.Day || g.Int != prev.Int {
				runs = append(runs, run{from: i, to: i})
				prev = g
			}
			runs[len(runs)-1].to = i + 1
		}
	}
	var series []excelize.ChartSeries
	for _, v := range ch.Values {
		for _, r := range runs {
			name := header(v)
			if ch.GroupBy >= 0 {
				gname, _ := excelize.ColumnNumberToName(ch.GroupBy + 1)
				name = quoted + "$" + gname + "$" + strconv.Itoa(r.from+2)
			}
			series = append(series, excelize.ChartSeries{
				Name:       name,
				Categories: ref(ch.Category, runs[0].from, runs[0].to),
				Values:     ref(v, r.from, r.to),
			})
		}
	}
	kind := excelize.Line
	if ch.Kind == analytics.ChartColumn {
		kind = excelize.Col
	}
	legend := "bottom"
	if len(series) == 1 {
		legend = "none"
	}
	anchor, _ := excelize.CoordinatesToCellName(len(t.Columns)+2, 2+k*anaChartRows)
	return b.f.AddChart(t.Name, anchor, &excelize.Chart{
		Type:      kind,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: ch.Title}}},
		Legend:    excelize.ChartLegend{Position: legend},
		Dimension: excelize.ChartDimension{Width: anaChartWidth, Height: anaChartHeight},
		YAxis:     excelize.ChartAxis{MajorGridLines: true},
	})
}
