package analytics

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/usagerep/usagerep/pkg/internal/tally"
)

// EventFigures are one event's (or category's) figures over a population
// of active users.
type EventFigures struct {
	Occurrences int64 // the sum of count
	Users       int64 // users who performed it at least once
	// Of the population: its users and their sessions, the divisors of
	// the averages.
	Active   int64
	Sessions int64
}

// Never is the population's users who never performed it.
func (f *EventFigures) Never() int64 { return f.Active - f.Users }

func (f *EventFigures) values() [7]Value {
	occ := float64(f.Occurrences)
	return [7]Value{
		count(f.Occurrences), count(f.Users), count(f.Never()),
		ratio(occ, float64(f.Users)), ratio(occ, float64(f.Active)), ratio(occ, float64(f.Sessions)),
		percent(f.Users, f.Active),
	}
}

// EventSortKeys are the keys an events table sorts by.
var EventSortKeys = []string{"occurrences", "users", "never", "per_user", "per_active_user", "per_session", "share", "name"}

// EventsOptions choose the events table.
type EventsOptions struct {
	// Hierarchy groups the events by category: a row per category, then
	// its events.
	Hierarchy bool
	Segment   SegmentOptions
	// Sort is one of EventSortKeys: numbers sort largest first and names
	// A to Z, the other way round with Reverse. Ties go by name.
	Sort       string
	Reverse    bool
	Offset     int
	Limit      int                // 0 means all
	Population func(u int32) bool // nil: every user active in the range
}

// EventRow is one event (or, with Hierarchy, one category: Event is then
// empty) and its figures, in total and per segment.
type EventRow struct {
	Category, Event string
	Total           EventFigures
	Segments        []EventFigures // by EventsTable.Segments; nil unsegmented
	Children        []EventRow     // a category's events (Hierarchy)
}

// EventsTable is the events table of a range.
type EventsTable struct {
	Segments  []string // nil unsegmented
	Hierarchy bool
	Total     int // rows (events, or categories) before paging
	Offset    int
	Rows      []EventRow
	// Active and Sessions are the population's, in total.
	Active, Sessions int64
}

// eventScan sums one user's events over the range at a time.
type eventScan struct {
	ds      *Dataset
	sum     []int64 // by event
	seen    []bool  // by event: performed (a count of 0 still is)
	touched []uint32
}

func newEventScan(ds *Dataset) *eventScan {
	return &eventScan{ds: ds, sum: make([]int64, len(ds.Events)), seen: make([]bool, len(ds.Events))}
}

// user calls fn for every event user u performed in the range, with its
// occurrences, in event order.
func (e *eventScan) user(u int32, fn func(ev uint32, n int64)) {
	e.touched = e.touched[:0]
	for _, de := range e.ds.Users[u].Events {
		if !e.ds.inRange(de.Day) {
			continue
		}
		if !e.seen[de.Event] {
			e.seen[de.Event] = true
			e.touched = append(e.touched, de.Event)
		}
		e.sum[de.Event] = tally.AddSat(e.sum[de.Event], de.N)
	}
	slices.Sort(e.touched)
	for _, ev := range e.touched {
		n := e.sum[ev]
		e.sum[ev], e.seen[ev] = 0, false
		fn(ev, n)
	}
}

// BuildEventsTable computes every event's figures over the users active
// in the range (or opts.Population of them).
func BuildEventsTable(ds *Dataset, opts EventsOptions) (*EventsTable, error) {
	if opts.Sort == "" {
		opts.Sort = "occurrences"
	}
	if !slices.Contains(EventSortKeys, opts.Sort) {
		return nil, fmt.Errorf("sort %q: want one of %s", opts.Sort, strings.Join(EventSortKeys, ", "))
	}
	if opts.Offset < 0 || opts.Limit < 0 {
		return nil, errors.New("offset and limit must be 0 or more")
	}
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
	segmented := !seg.single
	ns := len(seg.Labels)
	// Per segment: active users and sessions.
	active := make([]int64, ns)
	sessions := make([]int64, ns)
	for _, u := range pop {
		s := seg.segment(u)
		active[s]++
		sessions[s] = tally.AddSat(sessions[s], usageOf(ds, &ds.Users[u]).sessions)
	}
	// Per (unit, segment) figures; a unit is an event, or a category.
	unitOf, units := eventUnits(ds, opts.Hierarchy)
	nu := len(units)
	figs := make([]EventFigures, nu*ns)
	evFigs := make([]EventFigures, len(ds.Events)*ns) // events under categories
	scan := newEventScan(ds)
	var touched []uint32
	seen := make([]bool, nu)
	for _, u := range pop {
		s := seg.segment(u)
		touched = touched[:0]
		scan.user(u, func(ev uint32, n int64) {
			f := &evFigs[int(ev)*ns+s]
			f.Occurrences = tally.AddSat(f.Occurrences, n)
			f.Users++
			k := unitOf[ev]
			g := &figs[int(k)*ns+s]
			g.Occurrences = tally.AddSat(g.Occurrences, n)
			if !seen[k] {
				seen[k] = true
				g.Users++
				touched = append(touched, k)
			}
		})
		for _, k := range touched {
			seen[k] = false
		}
	}
	withPop := func(f EventFigures, s int) EventFigures {
		f.Active, f.Sessions = active[s], sessions[s]
		return f
	}
	var totalActive, totalSessions int64
	for s := range ns {
		totalActive += active[s]
		totalSessions = tally.AddSat(totalSessions, sessions[s])
	}
	row := func(cat, name string, at func(s int) EventFigures) EventRow {
		r := EventRow{Category: cat, Event: name}
		r.Total = EventFigures{Active: totalActive, Sessions: totalSessions}
		for s := range ns {
			f := withPop(at(s), s)
			r.Total.Occurrences = tally.AddSat(r.Total.Occurrences, f.Occurrences)
			r.Total.Users += f.Users
			if segmented {
				r.Segments = append(r.Segments, f)
			}
		}
		return r
	}
	var rows []EventRow
	for k, unit := range units {
		if opts.Hierarchy {
			r := row(unit, "", func(s int) EventFigures { return figs[k*ns+s] })
			for ev := range ds.Events {
				if int(unitOf[ev]) == k {
					c := row(unit, ds.Events[ev].Name(), func(s int) EventFigures { return evFigs[ev*ns+s] })
					if c.Total.Users > 0 {
						r.Children = append(r.Children, c)
					}
				}
			}
			if r.Total.Users > 0 {
				sortEvents(r.Children, opts.Sort, opts.Reverse)
				rows = append(rows, r)
			}
			continue
		}
		r := row(ds.Events[k].Category, ds.Events[k].Name(), func(s int) EventFigures { return figs[k*ns+s] })
		if r.Total.Users > 0 {
			rows = append(rows, r)
		}
	}
	sortEvents(rows, opts.Sort, opts.Reverse)
	t := &EventsTable{Hierarchy: opts.Hierarchy, Total: len(rows), Offset: opts.Offset, Active: totalActive, Sessions: totalSessions}
	if segmented {
		t.Segments = seg.Labels
	}
	lo := min(opts.Offset, len(rows))
	hi := len(rows)
	if opts.Limit > 0 {
		hi = min(lo+opts.Limit, hi)
	}
	t.Rows = rows[lo:hi]
	return t, nil
}

// eventUnits maps each event to its unit: itself, or its category with
// hierarchy (units are then the categories, by name).
func eventUnits(ds *Dataset, hierarchy bool) ([]uint32, []string) {
	unitOf := make([]uint32, len(ds.Events))
	if !hierarchy {
		units := make([]string, len(ds.Events))
		for i, e := range ds.Events {
			unitOf[i] = uint32(i)
			units[i] = e.Name()
		}
		return unitOf, units
	}
	var units []string
	index := map[string]uint32{}
	for i, e := range ds.Events { // events are sorted by category
		c := categoryLabel(e.Category)
		k, ok := index[c]
		if !ok {
			k = uint32(len(units))
			index[c] = k
			units = append(units, c)
		}
		unitOf[i] = k
	}
	return unitOf, units
}

// categoryLabel names a category; events without one are "(none)".
func categoryLabel(c string) string {
	if c == "" {
		return NoneLabel
	}
	return c
}

// sortEvents orders rows by key: numbers largest first, names A to Z,
// reversed on request; ties by name.
func sortEvents(rows []EventRow, key string, reverse bool) {
	name := func(r *EventRow) string {
		if r.Event != "" {
			return r.Event
		}
		return r.Category
	}
	slices.SortStableFunc(rows, func(a, b EventRow) int {
		var c int
		if key == "name" {
			c = strings.Compare(name(&a), name(&b))
		} else {
			c = -compareFigure(key, &a.Total, &b.Total)
		}
		if reverse {
			c = -c
		}
		return cmp.Or(c, strings.Compare(name(&a), name(&b)))
	})
}

// compareFigure compares one figure of a and b; an average over nobody
// is the smallest.
func compareFigure(key string, a, b *EventFigures) int {
	av, bv := a.values(), b.values()
	i := slices.Index(EventSortKeys, key)
	x, y := av[i], bv[i]
	switch {
	case x.Empty || y.Empty:
		return cmp.Compare(boolInt(!x.Empty), boolInt(!y.Empty))
	case i < 3:
		return cmp.Compare(x.Int, y.Int)
	}
	return cmp.Compare(x.Float, y.Float)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var eventColumns = []Column{
	{Key: "occurrences", Header: "Occurrences", Kind: KindInt},
	{Key: "users", Header: "Users", Kind: KindInt},
	{Key: "never", Header: "Users who never did", Kind: KindInt},
	{Key: "per_user", Header: "Average per user", Kind: KindFloat},
	{Key: "per_active_user", Header: "Average per active user", Kind: KindFloat},
	{Key: "per_session", Header: "Average per session", Kind: KindFloat},
	{Key: "share", Header: "Share of users (%)", Kind: KindPercent},
}

// Report lays the table out: a row per event (with Hierarchy a row per
// category followed by its events' rows), and segmented, a row per event
// and segment. Occurrences are charted as bars.
func (t *EventsTable) Report(name, title string) *Table {
	type line struct {
		r   *EventRow
		seg int // -1: the total
	}
	var lines []line
	add := func(r *EventRow) {
		if t.Segments == nil {
			lines = append(lines, line{r, -1})
			return
		}
		for s := range t.Segments {
			lines = append(lines, line{r, s})
		}
	}
	for i := range t.Rows {
		r := &t.Rows[i]
		add(r)
		for j := range r.Children {
			add(&r.Children[j])
		}
	}
	cols := []Column{{Key: "event", Header: "Event", Kind: KindText}}
	if t.Hierarchy {
		cols = []Column{{Key: "category", Header: "Category", Kind: KindText}, {Key: "event", Header: "Event", Kind: KindText}}
	}
	nl := len(cols)
	if t.Segments != nil {
		cols = append(cols, Column{Key: "segment", Header: "Segment", Kind: KindText})
	}
	lead := len(cols)
	cols = append(cols, eventColumns...)
	tab := &Table{
		Name: name, Title: title + fmt.Sprintf(" (rows %d to %d of %d)", t.Offset+1, t.Offset+len(t.Rows), t.Total),
		Columns: cols, Len: len(lines),
		Row: func(i int, dst []Value) {
			l := lines[i]
			if t.Hierarchy {
				dst[0] = text(categoryLabel(l.r.Category))
				if l.r.Event == "" {
					dst[1] = Value{Empty: true}
				} else {
					dst[1] = text(l.r.Event)
				}
			} else {
				dst[0] = text(l.r.Event)
			}
			f := &l.r.Total
			if l.seg >= 0 {
				dst[nl] = text(t.Segments[l.seg])
				f = &l.r.Segments[l.seg]
			}
			v := f.values()
			copy(dst[lead:], v[:])
		},
	}
	if len(t.Rows) == 0 {
		tab.Title = title + " (no events)"
	}
	if !t.Hierarchy && t.Segments == nil {
		tab.Charts = []Chart{{Kind: ChartColumn, Title: "Occurrences", Category: 0, Values: []int{lead}, GroupBy: -1}}
	}
	return tab
}

// ParseEventSort reads "key", "key:asc" or "key:desc" into a key of
// EventSortKeys and whether it reverses the key's natural order.
func ParseEventSort(s string) (key string, reverse bool, err error) {
	key, dir, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), ":")
	if key == "" {
		key = "occurrences"
	}
	key = strings.ReplaceAll(key, "-", "_")
	if !slices.Contains(EventSortKeys, key) {
		return "", false, fmt.Errorf("sort %q: want one of %s, optionally :asc or :desc", s, strings.Join(EventSortKeys, ", "))
	}
	natural := "desc"
	if key == "name" {
		natural = "asc"
	}
	switch dir {
	case "", natural:
		return key, false, nil
	case "asc", "desc":
		return key, true, nil
	}
	return "", false, fmt.Errorf("sort %q: the order is asc or desc", s)
}
