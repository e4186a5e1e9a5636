package cli

import (
	"io"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/analytics"
	"github.com/usagerep/usagerep/pkg/render/csvout"
	"github.com/usagerep/usagerep/pkg/render/xlsx"
	"github.com/usagerep/usagerep/pkg/report"
)

// writeAnalytics renders rep in format to w; CSV writes one table, the
// one named by table (default the first).
func writeAnalytics(w io.Writer, format, table string, rep *analytics.Report) error {
	switch format {
	case "xlsx":
		return xlsx.WriteAnalyticsWorkbook(w, rep)
	case "csv":
		t, err := pickTable(rep, table)
		if err != nil {
			return err
		}
		return writeAnalyticsCSV(w, t, rep.Location)
	}
	return report.WriteAnalyticsJSON(w, rep)
}

// pickTable finds a table by its name or JSON key, case-insensitively.
func pickTable(rep *analytics.Report, name string) (*analytics.Table, error) {
	if len(rep.Tables) == 0 {
		return nil, usageErrorf("the report has no table")
	}
	if name == "" {
		return rep.Tables[0], nil
	}
	var names []string
	for _, t := range rep.Tables {
		if strings.EqualFold(t.Name, name) || strings.EqualFold(report.AnalyticsTableKey(t.Name), name) {
			return t, nil
		}
		names = append(names, report.AnalyticsTableKey(t.Name))
	}
	return nil, usageErrorf("--table %q: this report's tables are %s", name, strings.Join(names, ", "))
}

// writeAnalyticsCSV writes t's header and rows through csvout: text
// neutralised, numbers as numbers.
func writeAnalyticsCSV(w io.Writer, t *analytics.Table, loc *time.Location) error {
	cw := csvout.NewWriter(w)
	for _, c := range t.Columns {
		cw.Text(c.Header)
	}
	if err := cw.EndRow(); err != nil {
		return err
	}
	row := make([]analytics.Value, len(t.Columns))
	var buf []byte
	for i := range t.Len {
		clear(row)
		t.Row(i, row)
		for c, col := range t.Columns {
			v := &row[c]
			switch {
			case v.Empty:
				cw.Text("")
			case col.Kind == analytics.KindInt:
				cw.Int(v.Int)
			case col.Kind == analytics.KindText:
				cw.Text(v.Text)
			default:
				// Numbers and dates start with a digit: csvout writes
				// them as they are.
				buf = report.AppendAnalyticsValue(buf[:0], col.Kind, v, loc)
				cw.Text(string(buf))
			}
		}
		if err := cw.EndRow(); err != nil {
			return err
		}
	}
	return cw.Flush()
}
