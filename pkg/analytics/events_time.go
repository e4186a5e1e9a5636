package analytics

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/tally"
)

// DefaultEventsShown is how many events, by occurrences, a timeline or
// lifetime report shows when none are named.
const DefaultEventsShown = 5

// eventGroup is one chosen event: a name and the dataset's events it
// counts (several for an action without its category, or category/*).
type eventGroup struct {
	name string
	ids  []uint32
}

// chooseEvents resolves event names: category/action or an action alone
// (every category's), or category/* (all of a category's). Without names,
// the top events of the range by occurrences.
func chooseEvents(ds *Dataset, names []string, top int) ([]eventGroup, error) {
	if len(names) == 0 {
		t, err := BuildEventsTable(ds, EventsOptions{Segment: SegmentOptions{By: -1}, Limit: top})
		if err != nil {
			return nil, err
		}
		for _, r := range t.Rows {
			names = append(names, r.Event)
		}
	}
	var out []eventGroup
	for _, name := range names {
		g := eventGroup{name: name}
		for i, e := range ds.Events {
			if e.Name() == name {
				g.ids = append(g.ids, uint32(i))
			}
		}
		if len(g.ids) == 0 {
			cat, all := strings.CutSuffix(name, "/*")
			for i, e := range ds.Events {
				if all && e.Category == cat || !all && e.Action == name {
					g.ids = append(g.ids, uint32(i))
				}
			}
		}
		if len(g.ids) == 0 {
			return nil, fmt.Errorf("no event %q in the data (events are category/action, an action, or category/*)", name)
		}
		out = append(out, g)
	}
	return out, nil
}

// groupOf maps each dataset event to its chosen groups.
func groupOf(ds *Dataset, groups []eventGroup) [][]int {
	of := make([][]int, len(ds.Events))
	for gi, g := range groups {
		for _, id := range g.ids {
			of[id] = append(of[id], gi)
		}
	}
	return of
}

// Per says what an events timeline divides occurrences by.
type Per uint8

const (
	PerNone     Per = iota
	PerUsers        // the period's active users
	PerSessions     // the sessions started in the period
	PerRuntime      // the period's runtime, in hours
)

// ParsePer reads users, sessions or runtime ("" for none).
func ParsePer(s string) (Per, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return PerNone, nil
	case "users":
		return PerUsers, nil
	case "sessions":
		return PerSessions, nil
	case "runtime":
		return PerRuntime, nil
	}
	return 0, fmt.Errorf("per %q: want users, sessions or runtime", s)
}

// EventTimelineOptions choose an events timeline.
type EventTimelineOptions struct {
	Split   Split
	Events  []string // nil: the top Top by occurrences
	Top     int      // 0 means DefaultEventsShown
	Per     Per
	Segment SegmentOptions
}

// EventTimeline is the occurrences of chosen events per period and
// segment, with the divisors of Per.
type EventTimeline struct {
	Split    Split
	Per      Per
	Periods  []Day
	Segments []string
	Events   []string
	// Occurrences[s][p][e]; Active, Sessions and Runtime (ns) [s][p].
	Occurrences [][][]int64
	Active      [][]int64
	Sessions    [][]int64
	Runtime     [][]int64
}

// BuildEventTimeline counts the chosen events per period and segment.
func BuildEventTimeline(ds *Dataset, opts EventTimelineOptions) (*EventTimeline, error) {
	if opts.Top <= 0 {
		opts.Top = DefaultEventsShown
	}
	groups, err := chooseEvents(ds, opts.Events, opts.Top)
	if err != nil {
		return nil, err
	}
	of := groupOf(ds, groups)
	pop := ds.activeUsers()
	seg, err := opts.Segment.segments(ds, pop)
	if err != nil {
		return nil, err
	}
	per := newPeriods(opts.Split, ds.From, ds.To)
	np, ne := len(per.starts), len(groups)
	et := &EventTimeline{Split: opts.Split, Per: opts.Per, Periods: per.starts, Segments: seg.Labels}
	for _, g := range groups {
		et.Events = append(et.Events, g.name)
	}
	grid := func() [][]int64 {
		g := make([][]int64, len(seg.Labels))
		for s := range g {
			g[s] = make([]int64, np)
		}
		return g
	}
	et.Active, et.Sessions, et.Runtime = grid(), grid(), grid()
	et.Occurrences = make([][][]int64, len(seg.Labels))
	for s := range et.Occurrences {
		et.Occurrences[s] = make([][]int64, np)
		for p := range np {
			et.Occurrences[s][p] = make([]int64, ne)
		}
	}
	for _, u := range pop {
		s := seg.segment(u)
		user := &ds.Users[u]
		last := -1
		for _, d := range user.Days {
			p := per.index(d.Day)
			if p < 0 {
				continue
			}
			if p != last {
				et.Active[s][p]++
				last = p
			}
			et.Sessions[s][p] = tally.AddSat(et.Sessions[s][p], d.Sessions)
			et.Runtime[s][p] = tally.AddSat(et.Runtime[s][p], d.Runtime)
		}
		for _, de := range user.Events {
			p := per.index(de.Day)
			if p < 0 {
				continue
			}
			for _, g := range of[de.Event] {
				o := &et.Occurrences[s][p][g]
				*o = tally.AddSat(*o, de.N)
			}
		}
	}
	return et, nil
}

// value is segment s's figure for event e in period p.
func (et *EventTimeline) value(s, p, e int) Value {
	n := et.Occurrences[s][p][e]
	switch et.Per {
	case PerUsers:
		return ratio(float64(n), float64(et.Active[s][p]))
	case PerSessions:
		return ratio(float64(n), float64(et.Sessions[s][p]))
	case PerRuntime:
		return ratio(float64(n), float64(et.Runtime[s][p])/float64(time.Hour))
	}
	return count(n)
}

// Report is one row per segment and period, a column per event, charted
// as a line per event (and segment).
func (et *EventTimeline) Report() []*Table {
	segmented := len(et.Segments) > 1 || et.Segments[0] != AllLabel
	cols := []Column{{Key: "period", Header: "Period", Kind: KindDay}}
	if segmented {
		cols = append(cols, Column{Key: "segment", Header: "Segment", Kind: KindText})
	}
	lead := len(cols)
	kind, suffix := KindInt, ""
	switch et.Per {
	case PerUsers:
		kind, suffix = KindFloat, " per user"
	case PerSessions:
		kind, suffix = KindFloat, " per session"
	case PerRuntime:
		kind, suffix = KindFloat, " per runtime hour"
	}
	var vals []int
	for i, e := range et.Events {
		vals = append(vals, lead+i)
		cols = append(cols, Column{Key: e, Header: e + suffix, Kind: kind})
	}
	np := len(et.Periods)
	group := -1
	if segmented {
		group = 1
	}
	title := "Occurrences per " + et.Split.String()
	if suffix != "" {
		title += "," + suffix
	}
	return []*Table{{
		Name: "Events timeline", Title: title, Columns: cols, Len: len(et.Segments) * np,
		Row: func(i int, dst []Value) {
			s, p := i/np, i%np
			dst[0] = dayValue(et.Periods[p])
			if segmented {
				dst[1] = text(et.Segments[s])
			}
			for e := range et.Events {
				dst[lead+e] = et.value(s, p, e)
			}
		},
		Charts: []Chart{{Kind: ChartLine, Title: title, Category: 0, Values: vals, GroupBy: group}},
	}}
}

// Lifetime measures: what a lifetime histogram buckets per user.
var lifetimeMeasures = []struct{ name, title string }{
	{"Lifetime total", "Users by occurrences in the range"},
	{"Per active day", "Users by average occurrences per active day"},
	{"Per active week", "Users by average occurrences per active week"},
	{"Per active month", "Users by average occurrences per active month"},
}

// Default lifetime buckets: occurrences, and averages.
var (
	DefaultTotalBounds   = []int64{1, 2, 5, 10, 20, 50, 100}
	DefaultAverageBounds = []float64{1, 2, 5, 10, 20}
)

// NewAverageBuckets makes buckets of averages: <=1, 1-2 (above 1 up to
// 2), ..., >20.
func NewAverageBuckets(bounds []float64) (Buckets, error) {
	if len(bounds) == 0 {
		return Buckets{}, fmt.Errorf("no bucket bounds")
	}
	for i, b := range bounds {
		if !(b >= 0) || i > 0 && b <= bounds[i-1] {
			return Buckets{}, fmt.Errorf("bucket bounds must be increasing and not negative: %v", bounds)
		}
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	b := Buckets{Floats: bounds}
	for i, ub := range bounds {
		if i == 0 {
			b.Labels = append(b.Labels, "<="+f(ub))
			continue
		}
		b.Labels = append(b.Labels, f(bounds[i-1])+"-"+f(ub))
	}
	b.Labels = append(b.Labels, ">"+f(bounds[len(bounds)-1]))
	return b, nil
}

// OfFloat is the bucket of an average.
func (b *Buckets) OfFloat(v float64) int {
	for i, ub := range b.Floats {
		if v <= ub {
			return i
		}
	}
	return len(b.Floats)
}

// LifetimeOptions choose the lifetime histograms.
type LifetimeOptions struct {
	Events   []string // nil: the top Top by occurrences
	Top      int
	Totals   Buckets // count buckets of occurrences
	Averages Buckets // average buckets
	Segment  SegmentOptions
	// Population, when set, keeps only these users (churn's lost users).
	Population func(u int32) bool
}

// Lifetime is, per chosen event, how its users spread over buckets of
// their occurrences in the range and of their average occurrences per
// active day, week and month.
type Lifetime struct {
	Events   []string
	Segments []string
	Totals   Buckets
	Averages Buckets
	// Users[m][s][b][e]: users of event e in segment s whose measure m
	// (total, per day, per week, per month) is in bucket b.
	Users [4][][][]int64
}

// BuildLifetime spreads each chosen event's users over the buckets.
func BuildLifetime(ds *Dataset, opts LifetimeOptions) (*Lifetime, error) {
	if opts.Top <= 0 {
		opts.Top = DefaultEventsShown
	}
	groups, err := chooseEvents(ds, opts.Events, opts.Top)
	if err != nil {
		return nil, err
	}
	of := groupOf(ds, groups)
	var pop []int32
	for _, u := range ds.activeUsers() {
		if opts.Population == nil || opts.Population(u) {
			pop = append(pop, u)
		}
	}
	seg, err := opts.Segment.segments(ds, pop)
	if err != nil {
		return nil, err
	}
	ne := len(groups)
	lt := &Lifetime{Segments: seg.Labels, Totals: opts.Totals, Averages: opts.Averages}
	for _, g := range groups {
		lt.Events = append(lt.Events, g.name)
	}
	for m := range lt.Users {
		nb := len(opts.Averages.Labels)
		if m == 0 {
			nb = len(opts.Totals.Labels)
		}
		lt.Users[m] = make([][][]int64, len(seg.Labels))
		for s := range lt.Users[m] {
			lt.Users[m][s] = make([][]int64, nb)
			for b := range nb {
				lt.Users[m][s][b] = make([]int64, ne)
			}
		}
	}
	scan := newEventScan(ds)
	sums := make([]int64, ne)
	used := make([]bool, ne)
	for _, u := range pop {
		s := seg.segment(u)
		days, weeks, months := activePeriods(ds, &ds.Users[u])
		clear(sums)
		clear(used)
		scan.user(u, func(ev uint32, n int64) {
			for _, g := range of[ev] {
				sums[g] = tally.AddSat(sums[g], n)
				used[g] = true
			}
		})
		for e := range ne {
			if !used[e] {
				continue
			}
			n := float64(sums[e])
			lt.Users[0][s][opts.Totals.Of(sums[e])][e]++
			lt.Users[1][s][opts.Averages.OfFloat(n/float64(days))][e]++
			lt.Users[2][s][opts.Averages.OfFloat(n/float64(weeks))][e]++
			lt.Users[3][s][opts.Averages.OfFloat(n/float64(months))][e]++
		}
	}
	return lt, nil
}

// activePeriods counts the days, ISO weeks and months of the range a
// user was active in.
func activePeriods(ds *Dataset, u *User) (days, weeks, months int) {
	lastW, lastM := noDay, noDay
	for _, d := range u.Days {
		if !ds.inRange(d.Day) {
			continue
		}
		days++
		if w := SplitWeek.start(d.Day, 0); w != lastW {
			weeks++
			lastW = w
		}
		if m := SplitMonth.start(d.Day, 0); m != lastM {
			months++
			lastM = m
		}
	}
	return days, weeks, months
}

// Report is four tables, one per measure: a row per segment and bucket, a
// column per event (its users), and bars, a series per event.
func (lt *Lifetime) Report(prefix string) []*Table {
	segmented := len(lt.Segments) > 1 || lt.Segments[0] != AllLabel
	var out []*Table
	for m, meas := range lifetimeMeasures {
		b := lt.Averages
		head := "Average"
		if m == 0 {
			b, head = lt.Totals, "Occurrences"
		}
		cols := []Column{{Key: "bucket", Header: head, Kind: KindText}}
		if segmented {
			cols = append(cols, Column{Key: "segment", Header: "Segment", Kind: KindText})
		}
		lead := len(cols)
		var vals []int
		for i, e := range lt.Events {
			vals = append(vals, lead+i)
			cols = append(cols, Column{Key: e, Header: e, Kind: KindInt})
		}
		group := -1
		if segmented {
			group = 1
		}
		users := lt.Users[m]
		nb := len(b.Labels)
		out = append(out, &Table{
			Name: prefix + meas.name, Title: meas.title + " (users of each event)", Columns: cols,
			Len: len(lt.Segments) * nb,
			Row: func(i int, dst []Value) {
				s, k := i/nb, i%nb
				dst[0] = text(b.Labels[k])
				if segmented {
					dst[1] = text(lt.Segments[s])
				}
				for e := range lt.Events {
					dst[lead+e] = count(users[s][k][e])
				}
			},
			Charts: []Chart{{Kind: ChartColumn, Title: meas.title, Category: 0, Values: vals, GroupBy: group}},
		})
	}
	return out
}
