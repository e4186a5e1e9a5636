package analytics

import (
	"fmt"
	"strings"
	"time"
)

// Day is a calendar day in the report's zone, counted from 1970-01-01.
type Day int32

// noDay marks a time outside the days kept.
const noDay Day = -1 << 31

// DayOfDate is the day of a date's year, month and day (its zone and
// clock do not matter).
func DayOfDate(t time.Time) Day {
	y, m, d := t.Date()
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Date is the day as midnight UTC, the way dates are handed to renderers.
func (d Day) Date() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

func (d Day) String() string { return d.Date().Format(time.DateOnly) }

// dayAt is the day holding instant t (Unix ns) in loc.
func dayAt(t int64, loc *time.Location) Day {
	return DayOfDate(time.Unix(0, t).In(loc))
}

// calendar maps instants to the days kept, [from, from+n), in one zone.
type calendar struct {
	loc   *time.Location
	from  Day
	n     int
	start []int64 // n+1 instants (Unix ns), non-decreasing
}

func newCalendar(from, to Day, loc *time.Location) (*calendar, error) {
	if to < from {
		return nil, fmt.Errorf("the last day %s is before the first %s", to, from)
	}
	if from < minDay || to > maxDay {
		return nil, fmt.Errorf("days must lie in the years %d-%d", firstYear, lastYear)
	}
	c := &calendar{loc: loc, from: from, n: int(to-from) + 1}
	c.start = make([]int64, c.n+1)
	y, m, d := from.Date().Date()
	for i := range c.start {
		s := time.Date(y, m, d+i, 0, 0, 0, 0, loc).UnixNano()
		if i > 0 && s < c.start[i-1] { // a day the zone skipped
			s = c.start[i-1]
		}
		c.start[i] = s
	}
	return c, nil
}

const (
	firstYear = 1678
	lastYear  = 2261
)

var (
	minDay = DayOfDate(time.Date(firstYear, 1, 2, 0, 0, 0, 0, time.UTC))
	maxDay = DayOfDate(time.Date(lastYear, 12, 30, 0, 0, 0, 0, time.UTC))
)

// to is the last day kept.
func (c *calendar) to() Day { return c.from + Day(c.n-1) }

// day returns the day holding t, or noDay outside the days kept. hint is
// the last day found: records come roughly in time order.
func (c *calendar) day(t int64, hint Day) Day {
	if t < c.start[0] || t >= c.start[c.n] {
		return noDay
	}
	if i := int(hint - c.from); hint != noDay && i >= 0 && i < c.n && c.start[i] <= t && t < c.start[i+1] {
		return hint
	}
	lo, hi := 0, c.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c.start[m+1] <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return c.from + Day(lo)
}

// Split is how a range is cut into periods.
type Split uint8

const (
	SplitNone  Split = iota // the whole range is one period
	SplitDay                // calendar days
	SplitWeek               // ISO weeks, Monday to Sunday
	SplitMonth              // calendar months
)

// ParseSplit reads day, week, month or none.
func ParseSplit(s string) (Split, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none":
		return SplitNone, nil
	case "day":
		return SplitDay, nil
	case "week":
		return SplitWeek, nil
	case "month":
		return SplitMonth, nil
	}
	return 0, fmt.Errorf("split %q: want day, week or month", s)
}

func (s Split) String() string {
	return [...]string{"none", "day", "week", "month"}[s]
}

// start is the first day of the period holding d; for SplitNone it is
// origin, the range's first day.
func (s Split) start(d, origin Day) Day {
	switch s {
	case SplitDay:
		return d
	case SplitWeek:
		// 1970-01-01 was a Thursday: Monday is weekday 0.
		wd := (int(d)%7 + 7 + 3) % 7
		return d - Day(wd)
	case SplitMonth:
		y, m, _ := d.Date().Date()
		return DayOfDate(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
	}
	return origin
}

// next is the first day of the period after the one starting at p.
func (s Split) next(p Day) Day {
	switch s {
	case SplitDay:
		return p + 1
	case SplitWeek:
		return p + 7
	case SplitMonth:
		y, m, _ := p.Date().Date()
		return DayOfDate(time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC))
	}
	return maxDay + 1
}

// periods are the periods of a range [from, to]: each named by its first
// day, the first and last possibly reaching outside the range. Only the
// range's days belong to them.
type periods struct {
	split    Split
	from, to Day
	starts   []Day
}

func newPeriods(split Split, from, to Day) *periods {
	p := &periods{split: split, from: from, to: to}
	for d := split.start(from, from); d <= to; d = split.next(d) {
		p.starts = append(p.starts, d)
	}
	return p
}

// index is the period holding d, or -1.
func (p *periods) index(d Day) int {
	if d < p.from || d > p.to {
		return -1
	}
	s := p.split.start(d, p.from)
	switch p.split {
	case SplitNone:
		return 0
	case SplitDay:
		return p.within(int(s - p.starts[0]))
	case SplitWeek:
		return p.within(int(s-p.starts[0]) / 7)
	}
	y0, m0, _ := p.starts[0].Date().Date()
	y, m, _ := s.Date().Date()
	return p.within((y-y0)*12 + int(m-m0))
}

func (p *periods) within(i int) int {
	if i < 0 || i >= len(p.starts) {
		return -1
	}
	return i
}
