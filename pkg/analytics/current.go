package analytics

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// DefaultWindows are current's windows, in days.
var DefaultWindows = []int{1, 7, 30}

// CurrentOptions choose the current report.
type CurrentOptions struct {
	// Windows are the numbers of days, ending with the dataset's last
	// day, a user must have been active in; nil means DefaultWindows.
	Windows []int
	// KnownSince, unless zero, leaves out of the known users those last
	// seen before its day.
	KnownSince time.Time
	Segment    SegmentOptions
}

// Current is the state of the user base at the end of the range.
type Current struct {
	To       Day   // the last day of every window
	Windows  []int // days
	Segments []string
	Known    []int64   // users seen by the end of To, per segment
	Active   [][]int64 // [segment][window]: users active in the window
}

// BuildCurrent counts known and recently active users per segment. The
// dataset must keep the longest window's days, ending at the range's end.
func BuildCurrent(ds *Dataset, opts CurrentOptions) (*Current, error) {
	wins := opts.Windows
	if wins == nil {
		wins = DefaultWindows
	}
	for _, w := range wins {
		if w < 1 {
			return nil, fmt.Errorf("window of %d days: want 1 or more", w)
		}
	}
	if len(wins) == 0 {
		return nil, errors.New("no window")
	}
	if longest := slices.Max(wins); ds.To-ds.From+1 < Day(longest) {
		return nil, fmt.Errorf("the dataset keeps %d days, fewer than the %d-day window", ds.To-ds.From+1, longest)
	}
	var pop []int32
	for i := range ds.Users {
		u := &ds.Users[i]
		if dayAt(u.First, ds.Location) > ds.To {
			continue
		}
		if !opts.KnownSince.IsZero() && dayAt(u.Last, ds.Location) < DayOfDate(opts.KnownSince) {
			continue
		}
		pop = append(pop, int32(i))
	}
	seg, err := opts.Segment.segments(ds, pop)
	if err != nil {
		return nil, err
	}
	c := &Current{To: ds.To, Windows: slices.Clone(wins), Segments: seg.Labels}
	c.Known = make([]int64, len(seg.Labels))
	c.Active = make([][]int64, len(seg.Labels))
	for s := range c.Active {
		c.Active[s] = make([]int64, len(wins))
	}
	for _, u := range pop {
		s := seg.segment(u)
		c.Known[s]++
		days := ds.Users[u].Days
		if len(days) == 0 {
			continue
		}
		latest := days[len(days)-1].Day
		for w, n := range wins {
			if latest > ds.To-Day(n) {
				c.Active[s][w]++
			}
		}
	}
	return c, nil
}

// Report is one row per segment: known users and the active users of
// each window, charted as bars per segment.
func (c *Current) Report() []*Table {
	cols := []Column{{Key: "segment", Header: "Segment", Kind: KindText}, {Key: "known", Header: "Known users", Kind: KindInt}}
	var vals []int
	for _, w := range c.Windows {
		label := strconv.Itoa(w) + " days"
		if w == 1 {
			label = "1 day"
		}
		vals = append(vals, len(cols))
		cols = append(cols, Column{Key: "active_" + strconv.Itoa(w) + "d", Header: "Active in the last " + label, Kind: KindInt})
	}
	t := &Table{
		Name: "Current", Title: "Users known and recently active, as of " + c.To.String(),
		Columns: cols, Len: len(c.Segments),
		Row: func(i int, dst []Value) {
			dst[0] = text(c.Segments[i])
			dst[1] = count(c.Known[i])
			for w, n := range c.Active[i] {
				dst[2+w] = count(n)
			}
		},
		Charts: []Chart{{Kind: ChartColumn, Title: "Active users", Category: 0, Values: vals, GroupBy: -1}},
	}
	return []*Table{t}
}
