// Package usage accumulates activity records into mergeable state and builds
// the models of Usage Reports.zip (one workbook per period). It knows nothing
// of Excel: rendering lives in pkg/render.
package usage

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PeriodSpec is a parsed period such as "6m": N units back from as-of.
type PeriodSpec struct {
	Text string
	N    int
	Unit byte // 'd', 'w', 'm' or 'y'
}

// ParsePeriods parses a comma-separated list like "6m,1y". Duplicates are
// an error because they would produce two workbooks with one name.
func ParsePeriods(s string) ([]PeriodSpec, error) {
	var out []PeriodSpec
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := ParsePeriod(part)
		if err != nil {
			return nil, err
		}
		label := p.Label()
		if seen[label] {
			return nil, fmt.Errorf("period %q given twice", part)
		}
		seen[label] = true
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no period given (want e.g. 6m,1y)")
	}
	return out, nil
}

// ParsePeriod parses one period: a positive whole number and d, w, m or y.
func ParsePeriod(s string) (PeriodSpec, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return PeriodSpec{}, fmt.Errorf("invalid period %q (want a number and d, w, m or y, e.g. 6m)", s)
	}
	unit := s[len(s)-1] | 0x20 // ASCII lower-case
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > 1000 || !strings.ContainsRune("dwmy", rune(unit)) {
		return PeriodSpec{}, fmt.Errorf("invalid period %q (want a number from 1 to 1000 and d, w, m or y, e.g. 6m)", s)
	}
	return PeriodSpec{Text: s, N: n, Unit: unit}, nil
}

// Label names the period as workbooks do: "Last 6 Months", "Last 1 Year".
func (p PeriodSpec) Label() string {
	var unit string
	switch p.Unit {
	case 'd':
		unit = "Day"
	case 'w':
		unit = "Week"
	case 'm':
		unit = "Month"
	default:
		unit = "Year"
	}
	if p.N != 1 {
		unit += "s"
	}
	return fmt.Sprintf("Last %d %s", p.N, unit)
}

// Start is the first instant of the window that ends at asOf, computed with
// calendar arithmetic in asOf's location.
func (p PeriodSpec) Start(asOf time.Time) time.Time {
	switch p.Unit {
	case 'd':
		return asOf.AddDate(0, 0, -p.N)
	case 'w':
		return asOf.AddDate(0, 0, -7*p.N)
	case 'm':
		return AddMonthsClamped(asOf, -p.N)
	default:
		return AddMonthsClamped(asOf, -12*p.N)
	}
}

// AddMonthsClamped adds months like a calendar does: March 31 minus one
// month is the last day of February, not March 3 as time.AddDate gives.
func AddMonthsClamped(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + months
	ny := y + floorDiv(total, 12)
	nm := time.Month(total - floorDiv(total, 12)*12 + 1)
	if last := daysIn(ny, nm); d > last {
		d = last
	}
	h, mi, s := t.Clock()
	return time.Date(ny, nm, d, h, mi, s, t.Nanosecond(), t.Location())
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// ParseAsOf reads --as-of: RFC 3339, "YYYY-MM-DD HH:MM:SS" (in loc), or a bare
// date meaning the end of that day in loc (the start of the next day, since
// windows are half-open).
func ParseAsOf(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(loc), nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if d, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	return time.Time{}, fmt.Errorf("invalid --as-of %q (want a date like 2026-11-22 or a time like 2026-11-22T18:00:00Z)", s)
}
