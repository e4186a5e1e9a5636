package xlsx

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/xuri/excelize/v2"

	"github.com/usagerep/usagerep/pkg/usage"
)

// table is one of the list sheets: a header row, then one row per item.
type table struct {
	sheet   string // sheet name; continuation sheets add " (2)" and so on
	headers []string
	rows    int
	// fill sets row i's cells; row has len(headers) cells, all empty. It
	// may run on several goroutines at once, each with its own formatter.
	fill func(f *formatter, i int, row []cell)
	// bold marks rows shown in bold (the total row).
	bold func(i int) bool
}

// Column headers, as the spec names them.
var (
	userCountHeaders = []string{"System / Source", "Count", "Usernames or Emails", "Emails", "Display Names", "Usernames"}
	entityHeaders    = []string{"System Pairs", "End System", "Entity Types", "Status", "Last Synced"}
	projectHeaders   = []string{"End System 1", "End System 2", "End System 1 Project", "End System 2 Project", "Status", "Last Updated", "Last Synced"}
	syncedHeaders    = []string{"End System 1", "End System 2", "Counts Based on System Pair", "Last Synced"}
	userHeaders      = []string{"Email", "Username", "Display Name", "Interaction Types", "Observed In", "Service Account", "Last Seen", "Duplicates", "Aliases", "Identified By", "Profile Id"}
)

// totalLabel names the Unique User Count total row when the model leaves
// it unnamed.
const totalLabel = "Total (all systems)"

func (b *book) tables(wb *usage.Workbook) []*table {
	return []*table{
		{
			sheet:   SheetUserCount,
			headers: userCountHeaders,
			rows:    len(wb.UserCounts) + 1,
			fill: func(_ *formatter, i int, row []cell) {
				c := wb.UserTotal
				if i < len(wb.UserCounts) {
					c = wb.UserCounts[i]
				} else if c.System == "" {
					c.System = totalLabel
				}
				row[0] = textCell(c.System)
				row[1] = intCell(c.Count)
				row[2] = intCell(c.UsernamesOrEmails)
				row[3] = intCell(c.Emails)
				row[4] = intCell(c.DisplayNames)
				row[5] = intCell(c.Usernames)
			},
			bold: func(i int) bool { return i == len(wb.UserCounts) },
		},
		{
			sheet:   SheetEntityTypes,
			headers: entityHeaders,
			rows:    len(wb.EntityTypes),
			fill: func(_ *formatter, i int, row []cell) {
				e := &wb.EntityTypes[i]
				row[0] = textCell(e.SystemPair)
				row[1] = textCell(e.EndSystem)
				row[2] = textCell(e.EntityType)
				row[3] = textCell(e.Status)
				row[4] = timeCell(e.LastSynced)
			},
		},
		{
			sheet:   SheetProjects,
			headers: projectHeaders,
			rows:    len(wb.ProjectPairs),
			fill: func(_ *formatter, i int, row []cell) {
				p := &wb.ProjectPairs[i]
				row[0] = textCell(p.System1)
				row[1] = textCell(p.System2)
				row[2] = textCell(p.Project1)
				row[3] = textCell(p.Project2)
				row[4] = textCell(p.Status)
				row[5] = timeCell(p.LastUpdated)
				row[6] = timeCell(p.LastSynced)
			},
		},
		{
			sheet:   SheetSyncedData,
			headers: syncedHeaders,
			rows:    len(wb.SystemPairs),
			fill: func(_ *formatter, i int, row []cell) {
				p := &wb.SystemPairs[i]
				row[0] = textCell(p.System1)
				row[1] = textCell(p.System2)
				row[2] = intCell(p.Entities)
				row[3] = timeCell(p.LastSynced)
			},
		},
		{
			sheet:   SheetDetailedUser,
			headers: userHeaders,
			rows:    len(wb.Users),
			fill: func(f *formatter, i int, row []cell) {
				f.fillUser(&wb.Users[i], row)
			},
		},
	}
}

// formatter turns model values into cells. Each goroutine that fills rows
// has its own.
type formatter struct {
	loc *time.Location
	// text holds the cells of the row being filled whose text is joined
	// from parts. Every row is used up (measured or encoded) before the
	// next is filled, so one buffer serves them all: a million rows would
	// otherwise leave a million joined strings behind for the collector.
	text []byte
}

// beginRow starts a row: the texts of the previous row's cells are gone.
func (f *formatter) beginRow() { f.text = f.text[:0] }

// cellText is the text appended to f.text since from, as a cell's text
// that is valid until the next beginRow.
func (f *formatter) cellText(from int) cell {
	b := f.text[from:]
	if len(b) == 0 {
		return cell{}
	}
	// f.text is only appended to until beginRow, and an append that moves
	// it leaves the bytes already shown where they were.
	return cell{kind: kindText, text: unsafe.String(&b[0], len(b))}
}

// joinCell is parts joined with sep, as a cell valid until the next
// beginRow.
func (f *formatter) joinCell(parts []string, sep string) cell {
	if len(parts) == 1 {
		return textCell(parts[0])
	}
	from := len(f.text)
	for i, p := range parts {
		if i > 0 {
			f.text = append(f.text, sep...)
		}
		f.text = append(f.text, p...)
	}
	return f.cellText(from)
}

// fillUser formats one Detailed User Report row.
func (f *formatter) fillUser(u *usage.UserRow, row []cell) {
	row[0] = textCell(u.Email)
	row[1] = textCell(u.Username)
	row[2] = textCell(u.DisplayName)
	row[3] = f.joinCell(u.Interactions, ", ")
	from := len(f.text)
	for i, s := range u.ObservedIn {
		if i > 0 {
			f.text = append(f.text, "; "...)
		}
		f.text = append(f.text, s.System...)
		f.text = append(f.text, " ("...)
		f.text = f.appendTime(f.text, s.First)
		f.text = append(f.text, " - "...)
		f.text = f.appendTime(f.text, s.Last)
		f.text = append(f.text, ')')
	}
	row[4] = f.cellText(from)
	if u.ServiceAccount {
		row[5] = textCell("Yes")
	} else {
		row[5] = textCell("No")
	}
	row[6] = timeCell(u.LastSeen)
	from = len(f.text)
	for i, d := range u.Duplicates {
		if i > 0 {
			f.text = append(f.text, ", "...)
		}
		f.text = append(f.text, d.Username...)
		f.text = append(f.text, " ("...)
		f.text = append(f.text, d.System...)
		f.text = append(f.text, ')')
	}
	row[7] = f.cellText(from)
	row[8] = f.joinCell(u.Aliases, ", ")
	if u.Ambiguous {
		from = len(f.text)
		f.text = append(f.text, u.IdentifiedBy.Name()...)
		f.text = append(f.text, " (ambiguous)"...)
		row[9] = f.cellText(from)
	} else {
		row[9] = textCell(u.IdentifiedBy.Name())
	}
	row[10] = textCell(u.ProfileID)
}

// appendTime appends t as text; the zero time as nothing.
func (f *formatter) appendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return dst
	}
	return appendTime(dst, t, f.loc)
}

// writeTable writes t on as many sheets as its rows need.
func (b *book) writeTable(t *table) error {
	perSheet := max(maxSheetRows-1, 1)
	sheets := max((t.rows+perSheet-1)/perSheet, 1)
	for n := range sheets {
		lo := n * perSheet
		hi := min(lo+perSheet, t.rows)
		if err := b.writeTableSheet(t, n, lo, hi); err != nil {
			return err
		}
	}
	return nil
}

// writeTableSheet writes rows [lo, hi) of t as the n-th sheet of t.
func (b *book) writeTableSheet(t *table, n, lo, hi int) error {
	name := sheetName(t.sheet, n)
	if _, err := b.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return err
	}

	// Widths and panes must be set before the first row is written.
	widths := b.measure(t, lo, hi)
	// excelize prepends each column it is given: go backwards so that the
	// columns come out in the ascending order Excel expects.
	for c := len(t.headers) - 1; c >= 0; c-- {
		if err := sw.SetColWidth(c+1, c+1, colWidth(widths[c], headerWidth(t.headers[c]))); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze:      true,
		YSplit:      1,
		TopLeftCell: "A2",
		ActivePane:  "bottomLeft",
		Selection:   []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}

	header := make([]any, len(t.headers))
	for c, h := range t.headers {
		header[c] = excelize.Cell{StyleID: b.styles.header, Value: fitCell(h)}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	part, err := b.sheetPart(name)
	if err != nil {
		return err
	}
	b.splices[part] = func(w io.Writer) error { return b.writeRows(w, t, lo, hi) }

	// A table gives the sheet its autofilter; excelize's AutoFilter writes
	// nothing on a streamed sheet. A table needs a data row, so an empty
	// list gets an empty one.
	last, _ := excelize.ColumnNumberToName(len(t.headers))
	if err := sw.AddTable(&excelize.Table{
		Range:     "A1:" + last + strconv.Itoa(max(hi-lo, 1)+1),
		Name:      tableName(t.sheet, n),
		StyleName: tableStyle,
	}); err != nil {
		return err
	}
	return sw.Flush()
}

// parallelRows is the number of rows from which measuring and formatting
// are worth spreading over goroutines.
const parallelRows = 4096

// measure returns the widest content of each column of rows [lo, hi),
// capped at maxColWidth. Large tables are measured on every core.
func (b *book) measure(t *table, lo, hi int) []int {
	parts := 1
	if hi-lo >= parallelRows {
		parts = runtime.GOMAXPROCS(0)
	}
	results := make([][]int, parts)
	var wg sync.WaitGroup
	for p := range parts {
		from, to := lo+(hi-lo)*p/parts, lo+(hi-lo)*(p+1)/parts
		wg.Go(func() {
			f := &formatter{loc: b.loc}
			row := make([]cell, len(t.headers))
			widths := make([]int, len(t.headers))
			for i := from; i < to; i++ {
				clear(row)
				f.beginRow()
				t.fill(f, i, row)
				for c := range row {
					// A text is never wider than its bytes: one that
					// cannot widen its column is not measured.
					if cl := &row[c]; widths[c] < maxColWidth && (cl.kind != kindText || len(cl.text) > widths[c]) {
						widths[c] = max(widths[c], cellWidth(*cl, maxColWidth))
					}
				}
			}
			results[p] = widths
		})
	}
	wg.Wait()
	widths := results[0]
	for _, r := range results[1:] {
		for c := range widths {
			widths[c] = max(widths[c], r[c])
		}
	}
	return widths
}

// sheetPart is the zip part of sheet name: excelize names a new sheet's
// part after its sheet id.
func (b *book) sheetPart(name string) (string, error) {
	for id, n := range b.f.GetSheetMap() {
		if n == name {
			return "xl/worksheets/sheet" + strconv.Itoa(id) + ".xml", nil
		}
	}
	return "", fmt.Errorf("sheet %q not found", name)
}
