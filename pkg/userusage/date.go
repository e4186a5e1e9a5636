package userusage

import (
	"fmt"
	"strings"
	"time"
)

// Date is a calendar date, counted in days since 1970-01-01. Which
// instants belong to it depends on a time zone (see Bounds).
type Date int32

// Dates must lie in these years: Unix nanoseconds hold no others, and
// record times are limited to them.
const (
	minYear = 1678
	maxYear = 2261
)

// ParseDate reads a date written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil || t.Year() < minYear || t.Year() > maxYear {
		return 0, fmt.Errorf("invalid date %q (want YYYY-MM-DD between %d and %d)", s, minYear, maxYear)
	}
	return DateOf(t), nil
}

// DateOf is t's calendar date in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// dateAt is the date, in loc, of the instant ns (Unix nanoseconds).
func dateAt(ns int64, loc *time.Location) Date { return DateOf(time.Unix(0, ns).In(loc)) }

// Time is the date as midnight UTC.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

func (d Date) String() string { return d.Time().Format(time.DateOnly) }

// Start is the first instant (Unix ns) of the date in loc. time.Date
// puts a midnight that a zone skips at the first instant after it.
func (d Date) Start(loc *time.Location) int64 {
	y, m, day := d.Time().Date()
	return time.Date(y, m, day, 0, 0, 0, 0, loc).UnixNano()
}

// valid says whether the date lies in the years a record can have.
func (d Date) valid() bool {
	y := d.Time().Year()
	return y >= minYear && y <= maxYear
}
