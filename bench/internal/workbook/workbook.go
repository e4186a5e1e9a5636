// Package workbook reads bench's summary figures back out of a Usage
// Reports.zip written by usagerep, so that usagerep is measured end to end
// (the figures are what a user would see) and compared with its peers.
package workbook

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/usagerep/usagerep/bench/internal/figures"
)

// Summary is what the Summary sheet says beyond the shared figures.
type Summary struct {
	TotalUsers        int64
	UsernamesOrEmails int64
	Emails            int64
	DisplayNames      int64
	Usernames         int64
	ServiceAccounts   int64
	Projects          int64 // Total Unique Projects
	From, To          time.Time
}

// Read opens member name of the zip at path and returns its figures: the
// Summary's counts and the rows of Integrated Project Count. Figures
// usagerep does not show are figures.Unknown.
func Read(path, name string) (*figures.Figures, *Summary, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, err
	}
	defer zr.Close()
	var data []byte
	var names []string
	for _, m := range zr.File {
		names = append(names, m.Name)
		if m.Name != name {
			continue
		}
		rc, err := m.Open()
		if err != nil {
			return nil, nil, err
		}
		data, err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, nil, err
		}
	}
	if data == nil {
		return nil, nil, fmt.Errorf("%s has no %q (it has %q)", path, name, names)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	fig := figures.Unset()
	sum := &Summary{}
	if err := readSummary(f, &fig, sum); err != nil {
		return nil, nil, fmt.Errorf("%s: Summary: %w", name, err)
	}
	if fig.ProjectPairs, err = readPairs(f); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return &fig, sum, nil
}

func readSummary(f *excelize.File, fig *figures.Figures, sum *Summary) error {
	raw, err := f.GetRows("Summary", excelize.Options{RawCellValue: true})
	if err != nil {
		return err
	}
	shown, err := f.GetRows("Summary")
	if err != nil {
		return err
	}
	// Label in column A, value in B; the first occurrence wins, as the
	// per-source table below repeats no label used here.
	counts := map[string]*int64{
		"Total Unique Users": &sum.TotalUsers, "Usernames or Emails": &sum.UsernamesOrEmails,
		"Emails": &sum.Emails, "Display Names": &sum.DisplayNames, "Usernames": &sum.Usernames,
		"Service accounts": &sum.ServiceAccounts, "Total Unique Projects": &sum.Projects,
		"Total Unique Entity Types": &fig.EntityTypes, "Total Entities Synced": &fig.Entities,
		"Records read": &fig.Records, "Records in window": &fig.InWindow,
	}
	times := map[string]*time.Time{"From": &sum.From, "To": &sum.To}
	seen := map[string]bool{}
	for i, row := range raw {
		if len(row) < 2 || seen[row[0]] {
			continue
		}
		if p := counts[row[0]]; p != nil {
			n, err := strconv.ParseFloat(row[1], 64)
			if err != nil {
				return fmt.Errorf("%s: %q is not a number", row[0], row[1])
			}
			*p = int64(n)
			seen[row[0]] = true
		}
		if p := times[row[0]]; p != nil && i < len(shown) && len(shown[i]) > 1 {
			if *p, err = parseShown(shown[i][1]); err != nil {
				return fmt.Errorf("%s: %w", row[0], err)
			}
			seen[row[0]] = true
		}
	}
	for label := range counts {
		if !seen[label] {
			return fmt.Errorf("no %q", label)
		}
	}
	return nil
}

// readPairs reads Integrated Project Count and its continuation sheets.
func readPairs(f *excelize.File) ([]figures.ProjectPair, error) {
	const sheet = "Integrated Project Count"
	var out []figures.ProjectPair
	for _, name := range f.GetSheetList() {
		if name != sheet && !strings.HasPrefix(name, sheet+" (") {
			continue
		}
		rows, err := f.GetRows(name)
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			continue
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		want := []string{"End System 1", "End System 2", "End System 1 Project", "End System 2 Project", "Last Synced"}
		for _, h := range want {
			if _, ok := col[h]; !ok {
				return nil, fmt.Errorf("%s: no column %q", name, h)
			}
		}
		cell := func(row []string, h string) string {
			if i := col[h]; i < len(row) {
				return row[i]
			}
			return ""
		}
		for _, row := range rows[1:] {
			p := figures.ProjectPair{
				System1: cell(row, want[0]), System2: cell(row, want[1]),
				Project1: cell(row, want[2]), Project2: cell(row, want[3]),
				Syncs: figures.Unknown,
			}
			if s := cell(row, want[4]); s != "" {
				t, err := parseShown(s)
				if err != nil {
					return nil, fmt.Errorf("%s: Last Synced: %w", name, err)
				}
				p.LastSynced = t.Format(figures.TimeLayout)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// parseShown reads a date-time cell as shown (yyyy-mm-dd hh:mm:ss); the
// driver runs usagerep with the default --tz UTC.
func parseShown(s string) (time.Time, error) {
	return time.Parse("2006-01-02 15:04:05", s)
}
