// Package access builds the per-day project access report (spec
// 04-access-csv.md): one row per calendar day, resolved user and project
// with any activity, and per row the sum of count of each action.
//
// An Accumulator per worker collects, in the scan's one pass, the sums per
// (day, observation, project, action) and the distinct observations of the
// range; Build resolves identities once over those observations and folds
// the sums into rows. Memory grows with the (day, user, project) cells
// present in the input, never with the number of records.
package access

import (
	"errors"
	"fmt"
	"time"
)

// Options fix what an Accumulator collects.
type Options struct {
	// From and To are the first and last day of the report, inclusive.
	// Only their calendar date (year, month, day) matters.
	From, To time.Time
	// Location draws the day boundaries; nil means UTC.
	Location *time.Location
	// Plan keeps only records whose plan is exactly this; "" keeps all.
	Plan string
	// AsOf, when not zero, leaves out records at or after it.
	AsOf time.Time
}

// Times must lie in these years: a Unix nanosecond count holds no others
// (records outside them are rejected when read).
const (
	firstYear = 1678
	lastYear  = 2261
)

// days are the report's day boundaries: day i is [starts[i], starts[i+1]).
type days struct {
	from  time.Time // the first day, as midnight UTC
	n     int
	start []int64 // n+1 instants, Unix ns, non-decreasing
	end   int64   // nothing at or after it counts: the range's end or as-of
}

func newDays(opts Options) (*days, error) {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	fy, fm, fd := opts.From.Date()
	ty, tm, td := opts.To.Date()
	if fy < firstYear || ty > lastYear || ty < firstYear || fy > lastYear {
		return nil, fmt.Errorf("days must lie in the years %d-%d", firstYear, lastYear)
	}
	from := time.Date(fy, fm, fd, 0, 0, 0, 0, time.UTC)
	to := time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)
	if to.Before(from) {
		return nil, errors.New("the last day is before the first")
	}
	n := int(to.Sub(from)/(24*time.Hour)) + 1
	d := &days{from: from, n: n, start: make([]int64, n+1)}
	for i := range d.start {
		// time.Date normalises day fd+i into the right month and year.
		s := time.Date(fy, fm, fd+i, 0, 0, 0, 0, loc).UnixNano()
		// A day a zone skipped (Samoa's 2011-12-30) has no length; never
		// let a boundary go backwards.
		if i > 0 && s < d.start[i-1] {
			s = d.start[i-1]
		}
		d.start[i] = s
	}
	d.end = d.start[n]
	if !opts.AsOf.IsZero() {
		d.end = min(d.end, opts.AsOf.UnixNano())
	}
	return d, nil
}

// date is day i as midnight UTC.
func (d *days) date(i int32) time.Time { return d.from.AddDate(0, 0, int(i)) }

// index returns the day holding t, or -1 outside the range. hint is the
// last day found: records come roughly in time order, so it usually holds.
func (d *days) index(t int64, hint int32) int32 {
	if t < d.start[0] || t >= d.end {
		return -1
	}
	if hint >= 0 && int(hint) < d.n && d.start[hint] <= t && t < d.start[hint+1] {
		return hint
	}
	// The first boundary after t, less one.
	lo, hi := 0, d.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d.start[m+1] <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return int32(lo)
}
