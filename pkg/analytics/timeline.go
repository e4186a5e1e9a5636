package analytics

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/tally"
)

// DefaultLostAfter is how long after its last activity a user is lost.
const DefaultLostAfter = 30 * 24 * time.Hour

// Figures are the timeline's numbers for one period and segment.
type Figures struct {
	New    int64 // users first seen in the period
	Active int64 // users with activity in the period
	Lost   int64 // users whose last activity became LostAfter old in the period
	// Sessions started in the period, their runtime (ns) and the
	// occurrences of every event.
	Sessions int64
	Runtime  int64
	Events   int64
}

func (f *Figures) add(o *Figures) {
	f.New += o.New
	f.Active += o.Active
	f.Lost += o.Lost
	f.Sessions = tally.AddSat(f.Sessions, o.Sessions)
	f.Runtime = tally.AddSat(f.Runtime, o.Runtime)
	f.Events = tally.AddSat(f.Events, o.Events)
}

// TimelineOptions choose a timeline.
type TimelineOptions struct {
	Split     Split
	LostAfter time.Duration // 0 means DefaultLostAfter
	Segment   SegmentOptions
	// Levels, only without a split, are up to three fields (indices into
	// User.Latest) nesting the totals: each level's segments carry their
	// totals and the next level's.
	Levels []int
	// Columns are the figures shown, in order: new, active, lost,
	// sessions, runtime, events. Nil shows all.
	Columns []string
}

// Timeline is users and activity per period and segment over the range.
type Timeline struct {
	Split     Split
	From, To  Day
	LostAfter time.Duration
	Periods   []Day    // each period's first day
	Segments  []string // labels; AllLabel when unsegmented
	// Figures[s][p] are segment s's figures in period p.
	Figures [][]Figures
	// Tree is the nested totals of Levels (nil without levels).
	Tree        *Node
	LevelFields []string
	Columns     []string
}

// Node is one segment of one level: its totals and the next level.
type Node struct {
	Value    string
	Figures  Figures
	Children []*Node
}

// TimelineColumns are the figures a timeline can show, in order.
var TimelineColumns = []string{"new", "active", "lost", "sessions", "runtime", "events"}

// ParseTimelineColumns checks a list of statuses and metrics.
func ParseTimelineColumns(status, metrics []string) ([]string, error) {
	var cols []string
	for _, s := range status {
		s = strings.ToLower(strings.TrimSpace(s))
		if !slices.Contains(TimelineColumns[:3], s) {
			return nil, fmt.Errorf("status %q: want new, active or lost", s)
		}
		cols = append(cols, s)
	}
	for _, m := range metrics {
		m = strings.ToLower(strings.TrimSpace(m))
		if !slices.Contains(TimelineColumns[3:], m) {
			return nil, fmt.Errorf("metric %q: want sessions, runtime or events", m)
		}
		cols = append(cols, m)
	}
	var out []string
	for _, c := range TimelineColumns { // the fixed order, once each
		if slices.Contains(cols, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// userTimes are what the timeline needs of one user besides its days.
type userTimes struct {
	newDay, lostDay Day // noDay when not in range
}

// lostAt is the instant user u counts as lost, and whether that is before
// as-of.
func lostAt(ds *Dataset, u *User, after time.Duration) (int64, bool) {
	t := u.Last + int64(after)
	if t < u.Last { // past the largest time
		return 0, false
	}
	asOf := int64(math.MaxInt64)
	if !ds.AsOf.IsZero() {
		asOf = ds.AsOf.UnixNano()
	}
	return t, t < asOf
}

func (ds *Dataset) inRange(d Day) bool { return d >= ds.From && d <= ds.To }

// times are each user's new and lost days within the range.
func (ds *Dataset) times(after time.Duration) []userTimes {
	out := make([]userTimes, len(ds.Users))
	for i := range ds.Users {
		u := &ds.Users[i]
		out[i] = userTimes{newDay: noDay, lostDay: noDay}
		if d := dayAt(u.First, ds.Location); ds.inRange(d) {
			out[i].newDay = d
		}
		if t, ok := lostAt(ds, u, after); ok {
			if d := dayAt(t, ds.Location); ds.inRange(d) {
				out[i].lostDay = d
			}
		}
	}
	return out
}

// population is the users a timeline counts: active, new or lost in range.
func (ds *Dataset) population(ts []userTimes) []int32 {
	var pop []int32
	for i := range ds.Users {
		if len(ds.Users[i].Days) > 0 || ts[i].lostDay != noDay || ts[i].newDay != noDay {
			pop = append(pop, int32(i))
		}
	}
	return pop
}

// BuildTimeline counts users and activity per period and segment.
func BuildTimeline(ds *Dataset, opts TimelineOptions) (*Timeline, error) {
	if opts.LostAfter == 0 {
		opts.LostAfter = DefaultLostAfter
	}
	if len(opts.Levels) > 0 && opts.Split != SplitNone {
		return nil, errors.New("levels nest the totals: they take no split")
	}
	if len(opts.Levels) > 3 {
		return nil, errors.New("at most three levels")
	}
	if len(opts.Levels) > 0 && opts.Segment.By >= 0 {
		return nil, errors.New("levels segment the totals already: no segmentation besides")
	}
	cols := opts.Columns
	if cols == nil {
		cols = TimelineColumns
	}
	ts := ds.times(opts.LostAfter)
	pop := ds.population(ts)
	seg, err := opts.Segment.segments(ds, pop)
	if err != nil {
		return nil, err
	}
	per := newPeriods(opts.Split, ds.From, ds.To)
	tl := &Timeline{
		Split: opts.Split, From: ds.From, To: ds.To, LostAfter: opts.LostAfter,
		Periods: per.starts, Segments: seg.Labels, Columns: slices.Clone(cols),
	}
	tl.Figures = make([][]Figures, len(seg.Labels))
	for s := range tl.Figures {
		tl.Figures[s] = make([]Figures, len(per.starts))
	}
	for _, u := range pop {
		s := seg.segment(u)
		if s < 0 {
			continue
		}
		row := tl.Figures[s]
		user := &ds.Users[u]
		last := -1
		for _, d := range user.Days {
			p := per.index(d.Day)
			if p < 0 {
				continue
			}
			f := &row[p]
			if p != last {
				f.Active++
				last = p
			}
			f.Sessions = tally.AddSat(f.Sessions, d.Sessions)
			f.Runtime = tally.AddSat(f.Runtime, d.Runtime)
			f.Events = tally.AddSat(f.Events, d.Events)
		}
		if p := per.index(ts[u].newDay); p >= 0 {
			row[p].New++
		}
		if p := per.index(ts[u].lostDay); p >= 0 {
			row[p].Lost++
		}
	}
	if len(opts.Levels) > 0 {
		for _, l := range opts.Levels {
			tl.LevelFields = append(tl.LevelFields, ds.Fields[l])
		}
		tl.Tree = &Node{Value: AllLabel, Figures: tl.Figures[0][0]}
		tl.Tree.Children = levelNodes(ds, pop, ts, opts.Levels, opts.Segment.top())
	}
	return tl, nil
}

// levelNodes splits pop by the first level's values (top N, the rest
// Other) and each part by the next levels.
func levelNodes(ds *Dataset, pop []int32, ts []userTimes, levels []int, top int) []*Node {
	if len(levels) == 0 || len(pop) == 0 {
		return nil
	}
	seg := segmentUsers(ds, pop, levels[0], top)
	parts := make([][]int32, len(seg.Labels))
	for _, u := range pop {
		s := seg.segment(u)
		parts[s] = append(parts[s], u)
	}
	nodes := make([]*Node, len(parts))
	for s, users := range parts {
		n := &Node{Value: seg.Labels[s]}
		for _, u := range users {
			f := userTotals(ds, u, ts)
			n.Figures.add(&f)
		}
		n.Children = levelNodes(ds, users, ts, levels[1:], top)
		nodes[s] = n
	}
	return nodes
}

// userTotals are one user's figures over the whole range.
func userTotals(ds *Dataset, u int32, ts []userTimes) Figures {
	var f Figures
	user := &ds.Users[u]
	for _, d := range user.Days {
		if !ds.inRange(d.Day) {
			continue
		}
		f.Active = 1
		f.Sessions = tally.AddSat(f.Sessions, d.Sessions)
		f.Runtime = tally.AddSat(f.Runtime, d.Runtime)
		f.Events = tally.AddSat(f.Events, d.Events)
	}
	if ts[u].newDay != noDay {
		f.New = 1
	}
	if ts[u].lostDay != noDay {
		f.Lost = 1
	}
	return f
}

var timelineHeaders = map[string]Column{
	"new":      {Key: "new", Header: "New users", Kind: KindInt},
	"active":   {Key: "active", Header: "Active users", Kind: KindInt},
	"lost":     {Key: "lost", Header: "Lost users", Kind: KindInt},
	"sessions": {Key: "sessions", Header: "Sessions", Kind: KindInt},
	"runtime":  {Key: "runtime_hours", Header: "Runtime (hours)", Kind: KindHours},
	"events":   {Key: "events", Header: "Events", Kind: KindInt},
}

func (f *Figures) value(col string) Value {
	switch col {
	case "new":
		return count(f.New)
	case "active":
		return count(f.Active)
	case "lost":
		return count(f.Lost)
	case "sessions":
		return count(f.Sessions)
	case "runtime":
		return hours(f.Runtime)
	}
	return count(f.Events)
}

// Report lays the timeline out: with a split, one row per segment and
// period (a segment's periods together) and a line chart per figure;
// without, one row per segment, or the levels' tree as rows of up to
// three level columns.
func (tl *Timeline) Report() []*Table {
	segmented := len(tl.Segments) > 1 || tl.Segments[0] != AllLabel
	if tl.Tree != nil {
		return tl.treeTables()
	}
	var cols []Column
	lead := 0
	if tl.Split != SplitNone {
		cols = append(cols, Column{Key: "period", Header: "Period", Kind: KindDay})
		lead++
	}
	if segmented || tl.Split == SplitNone {
		cols = append(cols, Column{Key: "segment", Header: "Segment", Kind: KindText})
		lead++
	}
	for _, c := range tl.Columns {
		cols = append(cols, timelineHeaders[c])
	}
	np := len(tl.Periods)
	t := &Table{
		Name: "Timeline", Title: "Users and activity per " + tl.Split.String(),
		Columns: cols, Len: len(tl.Segments) * np,
		Row: func(i int, dst []Value) {
			s, p := i/np, i%np
			c := 0
			if tl.Split != SplitNone {
				dst[c] = dayValue(tl.Periods[p])
				c++
			}
			if segmented || tl.Split == SplitNone {
				dst[c] = text(tl.Segments[s])
				c++
			}
			f := &tl.Figures[s][p]
			for j, col := range tl.Columns {
				dst[c+j] = f.value(col)
			}
		},
	}
	if tl.Split == SplitNone {
		t.Title = "Users and activity over the range"
		for j := range tl.Columns {
			t.Charts = append(t.Charts, Chart{Kind: ChartColumn, Title: cols[lead+j].Header, Category: lead - 1, Values: []int{lead + j}, GroupBy: -1})
		}
		return []*Table{t}
	}
	group := -1
	if segmented {
		group = 1
	}
	for j := range tl.Columns {
		t.Charts = append(t.Charts, Chart{Kind: ChartLine, Title: cols[lead+j].Header, Category: 0, Values: []int{lead + j}, GroupBy: group})
	}
	return []*Table{t}
}

// treeTables are the levels' tree, depth first, a row per node with its
// level values in the first columns ("All" first), and the first level
// alone with a bar chart per figure: the tree is no series, and its
// first level's rows are not contiguous in it.
func (tl *Timeline) treeTables() []*Table {
	var cols []Column
	for i, f := range tl.LevelFields {
		cols = append(cols, Column{Key: fmt.Sprintf("level%d", i+1), Header: f, Kind: KindText})
	}
	for _, c := range tl.Columns {
		cols = append(cols, timelineHeaders[c])
	}
	type row struct {
		path []string
		n    *Node
	}
	rows := []row{{nil, tl.Tree}}
	var walk func(path []string, ns []*Node)
	walk = func(path []string, ns []*Node) {
		for _, n := range ns {
			p := append(slices.Clone(path), n.Value)
			rows = append(rows, row{p, n})
			walk(p, n.Children)
		}
	}
	walk(nil, tl.Tree.Children)
	nl := len(tl.LevelFields)
	tree := &Table{
		Name: "Levels", Title: "Totals over the range by " + strings.Join(tl.LevelFields, ", then "),
		Columns: cols, Len: len(rows),
		Row: func(i int, dst []Value) {
			r := rows[i]
			for j := range nl {
				switch {
				case j < len(r.path):
					dst[j] = text(r.path[j])
				case j == 0:
					dst[j] = text(AllLabel)
				default:
					dst[j] = Value{Empty: true} // below this node's level
				}
			}
			for j, col := range tl.Columns {
				dst[nl+j] = r.n.Figures.value(col)
			}
		},
	}
	first := tl.Tree.Children
	topCols := append([]Column{{Key: "segment", Header: tl.LevelFields[0], Kind: KindText}}, cols[nl:]...)
	top := &Table{
		Name: "Level 1", Title: "Totals over the range by " + tl.LevelFields[0],
		Columns: topCols, Len: len(first),
		Row: func(i int, dst []Value) {
			dst[0] = text(first[i].Value)
			for j, col := range tl.Columns {
				dst[1+j] = first[i].Figures.value(col)
			}
		},
	}
	for j := range tl.Columns {
		top.Charts = append(top.Charts, Chart{Kind: ChartColumn, Title: topCols[1+j].Header, Category: 0, Values: []int{1 + j}, GroupBy: -1})
	}
	return []*Table{tree, top}
}
