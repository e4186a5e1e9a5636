package xlsx

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/usagerep/usagerep/pkg/access"
)

// SheetAccess is the access workbook's sheet.
const SheetAccess = "Access"

// dayFormat shows a day cell.
const dayFormat = "yyyy-mm-dd"

// AccessOptions tune the access workbook.
type AccessOptions struct {
	// Usernames adds the Username and Display name columns after Email.
	Usernames bool
}

// WriteAccessWorkbook writes the access report as a workbook of one table
// sheet (continued on "Access (2)"... past Excel's row limit), made like
// the usage workbooks' list sheets: bold frozen header, autofilter table,
// fitted widths, days as date cells, counts as numbers, text never a
// formula. Identical reports give identical bytes.
func WriteAccessWorkbook(w io.Writer, rep *access.Report, opts AccessOptions) error {
	if rep == nil {
		return errors.New("xlsx: nil access report")
	}
	f := excelize.NewFile()
	defer f.Close()
	b := &book{f: f, loc: time.UTC, splices: map[string]func(io.Writer) error{}}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		z := newSortedZip(w)
		z.splices = b.splices
		return z
	})
	if err := b.buildAccess(rep, opts); err != nil {
		return fmt.Errorf("xlsx: access workbook: %w", err)
	}
	types := f.ContentTypes.Defaults
	sort.SliceStable(types, func(i, j int) bool { return types[i].Extension < types[j].Extension })
	if err := f.Write(io.Discard); err != nil {
		return fmt.Errorf("xlsx: writing the access workbook: %w", err)
	}
	return nil
}

func (b *book) buildAccess(rep *access.Report, opts AccessOptions) error {
	if err := b.newStyles(); err != nil {
		return err
	}
	// This workbook's only time cells are days, as midnight UTC: show
	// them without a clock.
	format := dayFormat
	day, err := b.f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		return err
	}
	b.styles.date = day

	span := rep.From.Format(time.DateOnly) + " to " + rep.To.Format(time.DateOnly)
	stamp := rep.To.UTC().Format("2006-01-02T15:04:05Z") // never the clock
	if err := b.f.SetDocProps(&excelize.DocProperties{
		Title:          "Project access " + span,
		Subject:        "Per-day project access",
		Creator:        "usagerep",
		LastModifiedBy: "usagerep",
		Created:        stamp,
		Modified:       stamp,
		Language:       "en-US",
	}); err != nil {
		return err
	}
	if err := b.f.SetSheetName(b.f.GetSheetName(0), SheetAccess); err != nil {
		return err
	}
	if err := b.writeTable(accessTable(rep, opts)); err != nil {
		return fmt.Errorf("sheet %s: %w", SheetAccess, err)
	}
	b.f.SetActiveSheet(0)
	return nil
}

func accessTable(rep *access.Report, opts AccessOptions) *table {
	return &table{
		sheet:   SheetAccess,
		headers: access.Headers(rep.Columns, opts.Usernames),
		rows:    len(rep.Rows),
		fill: func(_ *formatter, i int, row []cell) {
			r := &rep.Rows[i]
			u := r.User
			row[0] = timeCell(r.Date)
			row[1] = textCell(u.FirstName)
			row[2] = textCell(u.LastName)
			row[3] = textCell(u.Email)
			c := 4
			if opts.Usernames {
				row[4] = textCell(u.Username)
				row[5] = textCell(u.DisplayName)
				c = 6
			}
			row[c] = textCell(u.Company)
			row[c+1] = textCell(r.Project)
			for j, n := range r.Counts {
				row[c+2+j] = intCell(n)
			}
		},
	}
}
