package analytics

import (
	"errors"
	"strings"
	"time"
)

// ChurnOptions choose the churn report.
type ChurnOptions struct {
	// Split cuts cohorts and offsets: day, week or month.
	Split     Split
	LostAfter time.Duration // 0 means DefaultLostAfter
	// Cohorts are the users first seen in [From, To]; the dataset must
	// keep their days from From to as-of.
	From, To          Day
	Sessions, Runtime Buckets
	Segment           SegmentOptions
	// Events tunes the table of the lost users' events (its Population
	// is set here).
	Events EventsOptions
}

// Churn is how the users first seen in the range were engaged or lost
// over the periods since, and what the lost ones did in their lifetime.
type Churn struct {
	Split     Split
	LostAfter time.Duration
	Segments  []string
	Cohorts   []Day // each cohort's period, by its first day
	// Size[s][c] is cohort c's users in segment s; Engaged[s][c][k] and
	// Lost[s][c][k] those active in the k-th period since (k = 0 is the
	// cohort's own) and those lost by its end.
	Size          [][]int64
	Engaged, Lost [][][]int64
	// The lost users' lifetime histograms: users by active days (index
	// d-1), session bucket and runtime bucket, per segment.
	MaxDays                     int
	DaysHist, SessHist, RunHist [][]int64
	Sessions, Runtime           Buckets
	Events                      *EventsTable
}

// BuildChurn follows each cohort from its period to the one holding
// as-of.
func BuildChurn(ds *Dataset, opts ChurnOptions) (*Churn, error) {
	if opts.Split == SplitNone {
		return nil, errors.New("churn needs a split: day, week or month")
	}
	if opts.LostAfter == 0 {
		opts.LostAfter = DefaultLostAfter
	}
	if opts.From < ds.From || opts.To < opts.From {
		return nil, errors.New("the cohorts' range must start within the days kept")
	}
	// Periods from the first cohort's to the one holding the last day
	// kept (as-of's).
	per := newPeriods(opts.Split, opts.Split.start(opts.From, opts.From), ds.To)
	type member struct {
		u      int32
		cohort int // global period index of its first day
		lost   int // global period index of its lost day, -1 if not lost
	}
	var members []member
	var pop []int32
	for i := range ds.Users {
		u := &ds.Users[i]
		first := dayAt(u.First, ds.Location)
		if first < opts.From || first > opts.To {
			continue
		}
		m := member{u: int32(i), cohort: per.index(first), lost: -1}
		if t, ok := lostAt(ds, u, opts.LostAfter); ok {
			m.lost = per.index(dayAt(t, ds.Location))
		}
		members = append(members, m)
		pop = append(pop, int32(i))
	}
	seg, err := opts.Segment.segments(ds, pop)
	if err != nil {
		return nil, err
	}
	ns := len(seg.Labels)
	c := &Churn{Split: opts.Split, LostAfter: opts.LostAfter, Segments: seg.Labels, Sessions: opts.Sessions, Runtime: opts.Runtime}
	// Cohorts: the periods holding a first day in the range.
	firstCohort := per.index(opts.From)
	lastCohort := per.index(opts.To)
	if lastCohort < 0 {
		lastCohort = len(per.starts) - 1
	}
	for g := firstCohort; g <= lastCohort; g++ {
		c.Cohorts = append(c.Cohorts, per.starts[g])
	}
	nc := len(c.Cohorts)
	c.Size = make([][]int64, ns)
	c.Engaged = make([][][]int64, ns)
	c.Lost = make([][][]int64, ns)
	for s := range ns {
		c.Size[s] = make([]int64, nc)
		c.Engaged[s] = make([][]int64, nc)
		c.Lost[s] = make([][]int64, nc)
		for k := range nc {
			offsets := len(per.starts) - (firstCohort + k) // to the period of as-of
			c.Engaged[s][k] = make([]int64, offsets)
			c.Lost[s][k] = make([]int64, offsets)
		}
	}
	lost := map[int32]bool{}
	var lostPop []int32
	for _, m := range members {
		s := seg.segment(m.u)
		ci := m.cohort - firstCohort
		c.Size[s][ci]++
		eng := c.Engaged[s][ci]
		last := -1
		for _, d := range ds.Users[m.u].Days {
			g := per.index(d.Day)
			if g < 0 || g == last {
				continue
			}
			last = g
			if k := g - m.cohort; k >= 0 && k < len(eng) {
				eng[k]++
			}
		}
		if m.lost >= 0 {
			lost[m.u] = true
			lostPop = append(lostPop, m.u)
			for k := max(m.lost-m.cohort, 0); k < len(c.Lost[s][ci]); k++ {
				c.Lost[s][ci][k]++
			}
		}
	}
	// The lost users' lifetimes: every day kept is theirs, as they were
	// first seen in the range.
	c.DaysHist = make([][]int64, ns)
	c.SessHist = make([][]int64, ns)
	c.RunHist = make([][]int64, ns)
	usage := make([]userUsage, len(lostPop))
	for i, u := range lostPop {
		usage[i] = usageOf(ds, &ds.Users[u])
		c.MaxDays = max(c.MaxDays, usage[i].days)
	}
	for s := range ns {
		c.DaysHist[s] = make([]int64, c.MaxDays)
		c.SessHist[s] = make([]int64, len(opts.Sessions.Labels))
		c.RunHist[s] = make([]int64, len(opts.Runtime.Labels))
	}
	for i, u := range lostPop {
		s := seg.segment(u)
		x := usage[i]
		if x.days > 0 {
			c.DaysHist[s][x.days-1]++
		}
		c.SessHist[s][opts.Sessions.Of(x.sessions)]++
		c.RunHist[s][opts.Runtime.Of(x.runtime)]++
	}
	eo := opts.Events
	eo.Segment = opts.Segment
	eo.Population = func(u int32) bool { return lost[u] }
	if c.Events, err = BuildEventsTable(ds, eo); err != nil {
		return nil, err
	}
	return c, nil
}

// Report lays churn out: the cohorts by offset, all cohorts together by
// offset, the three histograms of the lost users, and their events.
func (c *Churn) Report() []*Table {
	segmented := len(c.Segments) > 1 || c.Segments[0] != AllLabel
	type line struct{ s, c, k int }
	var lines []line
	maxK := 0
	for s := range c.Segments {
		for ci := range c.Cohorts {
			for k := range c.Engaged[s][ci] {
				lines = append(lines, line{s, ci, k})
				maxK = max(maxK, k+1)
			}
		}
	}
	lead := func(cols ...Column) []Column {
		if segmented {
			cols = append(cols[:1:1], append([]Column{{Key: "segment", Header: "Segment", Kind: KindText}}, cols[1:]...)...)
		}
		return cols
	}
	off := 1
	if segmented {
		off = 2
	}
	figures := []Column{
		{Key: "users", Header: "Users", Kind: KindInt},
		{Key: "engaged", Header: "Engaged", Kind: KindInt},
		{Key: "engaged_pct", Header: "Engaged (%)", Kind: KindPercent},
		{Key: "lost", Header: "Lost", Kind: KindInt},
		{Key: "lost_pct", Header: "Lost (%)", Kind: KindPercent},
	}
	unit := c.Split.String()
	offsetCol := Column{Key: "offset", Header: strings.ToUpper(unit[:1]) + unit[1:] + "s since first seen", Kind: KindInt}
	cohorts := &Table{
		Name: "Cohorts", Title: "Users first seen in each " + unit + ": engaged (active) and lost, " + unit + " by " + unit + " since",
		Columns: append(lead(Column{Key: "cohort", Header: "Cohort", Kind: KindDay}, offsetCol), figures...),
		Len:     len(lines),
		Row: func(i int, dst []Value) {
			l := lines[i]
			dst[0] = dayValue(c.Cohorts[l.c])
			if segmented {
				dst[1] = text(c.Segments[l.s])
			}
			size := c.Size[l.s][l.c]
			eng, lost := c.Engaged[l.s][l.c][l.k], c.Lost[l.s][l.c][l.k]
			dst[off] = count(int64(l.k))
			dst[off+1] = count(size)
			dst[off+2] = count(eng)
			dst[off+3] = percent(eng, size)
			dst[off+4] = count(lost)
			dst[off+5] = percent(lost, size)
		},
	}
	if !segmented {
		// A line per cohort; the first (oldest) has the most offsets.
		cohorts.Charts = []Chart{{Kind: ChartLine, Title: "Engaged (%) by " + unit + " since first seen", Category: 1, Values: []int{4}, GroupBy: 0}}
	}

	// All cohorts together: at offset k, the cohorts that reached it.
	type agg struct{ size, eng, lost int64 }
	all := make([][]agg, len(c.Segments))
	for s := range c.Segments {
		all[s] = make([]agg, maxK)
		for ci := range c.Cohorts {
			for k := range c.Engaged[s][ci] {
				a := &all[s][k]
				a.size += c.Size[s][ci]
				a.eng += c.Engaged[s][ci][k]
				a.lost += c.Lost[s][ci][k]
			}
		}
	}
	group := -1
	if segmented {
		group = 1
	}
	retention := &Table{
		Name: "Retention", Title: "All cohorts together: engaged and lost by " + unit + " since first seen",
		Columns: append(lead(offsetCol), figures...), Len: len(c.Segments) * maxK,
		Row: func(i int, dst []Value) {
			s, k := i/max(maxK, 1), i%max(maxK, 1)
			a := all[s][k]
			dst[0] = count(int64(k))
			if segmented {
				dst[1] = text(c.Segments[s])
			}
			dst[off] = count(a.size)
			dst[off+1] = count(a.eng)
			dst[off+2] = percent(a.eng, a.size)
			dst[off+3] = count(a.lost)
			dst[off+4] = percent(a.lost, a.size)
		},
		Charts: []Chart{
			{Kind: ChartLine, Title: "Engaged (%)", Category: 0, Values: []int{off + 2}, GroupBy: group},
			{Kind: ChartLine, Title: "Lost (%)", Category: 0, Values: []int{off + 4}, GroupBy: group},
		},
	}
	hist := func(name, title string, first Column, labels func(k int) Value, n int, users [][]int64) *Table {
		return &Table{
			Name: name, Title: title,
			Columns: append(lead(first), Column{Key: "users", Header: "Lost users", Kind: KindInt}),
			Len:     len(c.Segments) * n,
			Row: func(i int, dst []Value) {
				s, k := i/max(n, 1), i%max(n, 1)
				dst[0] = labels(k)
				if segmented {
					dst[1] = text(c.Segments[s])
				}
				dst[off] = count(users[s][k])
			},
			Charts: []Chart{{Kind: ChartColumn, Title: title, Category: 0, Values: []int{off}, GroupBy: group}},
		}
	}
	tabs := []*Table{
		cohorts, retention,
		hist("Lost active days", "Lost users by active days in their lifetime", Column{Key: "active_days", Header: "Active days", Kind: KindInt},
			func(k int) Value { return count(int64(k + 1)) }, c.MaxDays, c.DaysHist),
		hist("Lost sessions", "Lost users by sessions in their lifetime", Column{Key: "sessions", Header: "Sessions", Kind: KindText},
			func(k int) Value { return text(c.Sessions.Labels[k]) }, len(c.Sessions.Labels), c.SessHist),
		hist("Lost runtime", "Lost users by runtime in their lifetime (h:mm)", Column{Key: "runtime", Header: "Runtime", Kind: KindText},
			func(k int) Value { return text(c.Runtime.Labels[k]) }, len(c.Runtime.Labels), c.RunHist),
		c.Events.Report("Lost events", "The events lost users performed in their lifetime"),
	}
	return tabs
}
