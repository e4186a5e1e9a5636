package analytics

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/tally"
)

// Default buckets of the usage distribution: inclusive upper bounds, the
// last bucket holding everything above the last bound.
var (
	DefaultSessionBounds = []int64{1, 2, 3, 5, 8, 12}
	DefaultRuntimeBounds = []time.Duration{5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour}
)

// Buckets cut a number line at inclusive upper bounds: bucket 0 holds
// values up to Bounds[0], bucket i those above Bounds[i-1] up to
// Bounds[i], and the last those above the last bound.
type Buckets struct {
	Bounds []int64   // whole numbers (counts, runtime in ns)
	Floats []float64 // averages, for OfFloat
	Labels []string
}

// NewCountBuckets makes buckets of whole numbers: <=1, 2, 3, 4-5, ...,
// >=13 for bounds 1,2,3,5,8,12.
func NewCountBuckets(bounds []int64) (Buckets, error) {
	if err := increasing(bounds); err != nil {
		return Buckets{}, err
	}
	b := Buckets{Bounds: bounds}
	for i, ub := range bounds {
		switch {
		case i == 0:
			b.Labels = append(b.Labels, "<="+strconv.FormatInt(ub, 10))
		case bounds[i-1]+1 == ub:
			b.Labels = append(b.Labels, strconv.FormatInt(ub, 10))
		default:
			b.Labels = append(b.Labels, strconv.FormatInt(bounds[i-1]+1, 10)+"-"+strconv.FormatInt(ub, 10))
		}
	}
	b.Labels = append(b.Labels, ">="+strconv.FormatInt(bounds[len(bounds)-1]+1, 10))
	return b, nil
}

// NewRuntimeBuckets makes buckets of runtime from bounds in whole
// minutes, labelled h:mm: <=0:05, 0:06-0:15, ..., >=2:01. A runtime of
// 5m30s is above 0:05, so in 0:06-0:15.
func NewRuntimeBuckets(bounds []time.Duration) (Buckets, error) {
	ns := make([]int64, len(bounds))
	for i, d := range bounds {
		if d%time.Minute != 0 {
			return Buckets{}, fmt.Errorf("runtime bound %v: want whole minutes", d)
		}
		ns[i] = int64(d)
	}
	if err := increasing(ns); err != nil {
		return Buckets{}, err
	}
	b := Buckets{Bounds: ns}
	for i, d := range bounds {
		if i == 0 {
			b.Labels = append(b.Labels, "<="+hmm(d))
			continue
		}
		b.Labels = append(b.Labels, hmm(bounds[i-1]+time.Minute)+"-"+hmm(d))
	}
	b.Labels = append(b.Labels, ">="+hmm(bounds[len(bounds)-1]+time.Minute))
	return b, nil
}

// ParseRuntimeBound reads a runtime bound: h:mm (1:30) or a Go duration
// of whole minutes (90m).
func ParseRuntimeBound(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if h, m, ok := strings.Cut(s, ":"); ok {
		hn, err1 := strconv.Atoi(h)
		mn, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || hn < 0 || mn < 0 || mn > 59 || len(m) != 2 {
			return 0, fmt.Errorf("runtime bound %q: want h:mm, e.g. 0:05 or 1:30", s)
		}
		return time.Duration(hn)*time.Hour + time.Duration(mn)*time.Minute, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("runtime bound %q: want h:mm (0:05) or a duration (5m)", s)
	}
	return d, nil
}

func hmm(d time.Duration) string {
	m := int64(d / time.Minute)
	return strconv.FormatInt(m/60, 10) + ":" + fmt.Sprintf("%02d", m%60)
}

func increasing(bounds []int64) error {
	if len(bounds) == 0 {
		return errors.New("no bucket bounds")
	}
	for i, b := range bounds {
		if b < 0 || i > 0 && b <= bounds[i-1] {
			return fmt.Errorf("bucket bounds must be increasing and not negative: %v", bounds)
		}
	}
	return nil
}

// Of is the bucket of v.
func (b *Buckets) Of(v int64) int {
	for i, ub := range b.Bounds {
		if v <= ub {
			return i
		}
	}
	return len(b.Bounds)
}

// DistributionOptions choose the usage distribution.
type DistributionOptions struct {
	Sessions, Runtime Buckets
	Segment           SegmentOptions
}

// Distribution is how the users active in the range spread over active
// days, sessions and runtime, per segment.
type Distribution struct {
	MaxDays  int // the most active days of any user
	Sessions Buckets
	Runtime  Buckets
	Segments []string
	// Matrix[s][d-1] are segment s's users active on d days, and how they
	// spread over the session and runtime buckets.
	Matrix [][]DistRow
	// SessionUsers[s][b] and RuntimeUsers[s][b] are the plain
	// histograms; the active days one is Matrix's Users.
	SessionUsers, RuntimeUsers [][]int64
}

// DistRow is the users with one number of active days.
type DistRow struct {
	Days     int
	Users    int64
	Sessions []int64 // by session bucket
	Runtime  []int64 // by runtime bucket
}

// userUsage is one user's activity over the range.
type userUsage struct {
	days              int
	sessions, runtime int64
}

func usageOf(ds *Dataset, u *User) userUsage {
	var x userUsage
	for _, d := range u.Days {
		if !ds.inRange(d.Day) {
			continue
		}
		x.days++
		x.sessions = tally.AddSat(x.sessions, d.Sessions)
		x.runtime = tally.AddSat(x.runtime, d.Runtime)
	}
	return x
}

// activeUsers are the users with activity in the range.
func (ds *Dataset) activeUsers() []int32 {
	var pop []int32
	for i := range ds.Users {
		for _, d := range ds.Users[i].Days {
			if ds.inRange(d.Day) {
				pop = append(pop, int32(i))
				break
			}
		}
	}
	return pop
}

// BuildDistribution spreads the active users over active days, session
// and runtime buckets.
func BuildDistribution(ds *Dataset, opts DistributionOptions) (*Distribution, error) {
	if len(opts.Sessions.Bounds) == 0 || len(opts.Runtime.Bounds) == 0 {
		return nil, errors.New("no buckets")
	}
	pop := ds.activeUsers()
	seg, err := opts.Segment.segments(ds, pop)
	if err != nil {
		return nil, err
	}
	usage := make([]userUsage, len(pop))
	d := &Distribution{Sessions: opts.Sessions, Runtime: opts.Runtime, Segments: seg.Labels}
	for i, u := range pop {
		usage[i] = usageOf(ds, &ds.Users[u])
		d.MaxDays = max(d.MaxDays, usage[i].days)
	}
	ns, nr := len(opts.Sessions.Labels), len(opts.Runtime.Labels)
	d.Matrix = make([][]DistRow, len(seg.Labels))
	d.SessionUsers = make([][]int64, len(seg.Labels))
	d.RuntimeUsers = make([][]int64, len(seg.Labels))
	for s := range d.Matrix {
		d.Matrix[s] = make([]DistRow, d.MaxDays)
		for k := range d.Matrix[s] {
			d.Matrix[s][k] = DistRow{Days: k + 1, Sessions: make([]int64, ns), Runtime: make([]int64, nr)}
		}
		d.SessionUsers[s] = make([]int64, ns)
		d.RuntimeUsers[s] = make([]int64, nr)
	}
	for i, u := range pop {
		s := seg.segment(u)
		x := usage[i]
		sb, rb := opts.Sessions.Of(x.sessions), opts.Runtime.Of(x.runtime)
		row := &d.Matrix[s][x.days-1]
		row.Users++
		row.Sessions[sb]++
		row.Runtime[rb]++
		d.SessionUsers[s][sb]++
		d.RuntimeUsers[s][rb]++
	}
	return d, nil
}

// Report lays the distribution out as four tables: the matrix, then the
// active days, sessions and runtime histograms, each with a bar chart
// (a series per segment).
func (d *Distribution) Report() []*Table {
	segmented := len(d.Segments) > 1 || d.Segments[0] != AllLabel
	lead := func(first Column) []Column {
		cols := []Column{first}
		if segmented {
			cols = append(cols, Column{Key: "segment", Header: "Segment", Kind: KindText})
		}
		return cols
	}
	group := -1
	if segmented {
		group = 1
	}
	nl := 1
	if segmented {
		nl = 2
	}

	daysCol := Column{Key: "active_days", Header: "Active days", Kind: KindInt}
	cols := append(lead(daysCol), Column{Key: "users", Header: "Users", Kind: KindInt})
	var sessCols, rtCols []int
	for i, l := range d.Sessions.Labels {
		cols = append(cols, Column{Key: "sessions_" + bucketKey(l), Header: "Sessions " + l, Kind: KindInt})
		sessCols = append(sessCols, nl+1+i)
	}
	for i, l := range d.Runtime.Labels {
		cols = append(cols, Column{Key: "runtime_" + bucketKey(l), Header: "Runtime " + l, Kind: KindInt})
		rtCols = append(rtCols, nl+1+len(d.Sessions.Labels)+i)
	}
	nd := d.MaxDays
	matrix := &Table{
		Name: "Distribution", Title: "Users by active days, and how they spread over sessions and runtime",
		Columns: cols, Len: len(d.Segments) * nd,
		Row: func(i int, dst []Value) {
			s, k := i/max(nd, 1), i%max(nd, 1)
			r := &d.Matrix[s][k]
			dst[0] = count(int64(r.Days))
			if segmented {
				dst[1] = text(d.Segments[s])
			}
			dst[nl] = count(r.Users)
			for j, n := range r.Sessions {
				dst[nl+1+j] = count(n)
			}
			for j, n := range r.Runtime {
				dst[nl+1+len(r.Sessions)+j] = count(n)
			}
		},
	}
	if segmented {
		matrix.Charts = []Chart{{Kind: ChartColumn, Title: "Users by active days", Category: 0, Values: []int{nl}, GroupBy: group}}
	} else {
		// A series per bucket: how each number of active days spreads.
		matrix.Charts = []Chart{
			{Kind: ChartColumn, Title: "Sessions by active days", Category: 0, Values: sessCols, GroupBy: -1},
			{Kind: ChartColumn, Title: "Runtime by active days", Category: 0, Values: rtCols, GroupBy: -1},
		}
	}
	days := &Table{
		Name: "Active days", Title: "Users by number of active days in the range",
		Columns: append(lead(daysCol), Column{Key: "users", Header: "Users", Kind: KindInt}), Len: matrix.Len,
		Row: func(i int, dst []Value) {
			s, k := i/max(nd, 1), i%max(nd, 1)
			dst[0] = count(int64(k + 1))
			if segmented {
				dst[1] = text(d.Segments[s])
			}
			dst[nl] = count(d.Matrix[s][k].Users)
		},
		Charts: []Chart{{Kind: ChartColumn, Title: "Users by active days", Category: 0, Values: []int{nl}, GroupBy: group}},
	}
	hist := func(name, title, key, header string, b Buckets, users [][]int64) *Table {
		nb := len(b.Labels)
		return &Table{
			Name: name, Title: title,
			Columns: append(lead(Column{Key: key, Header: header, Kind: KindText}), Column{Key: "users", Header: "Users", Kind: KindInt}),
			Len:     len(d.Segments) * nb,
			Row: func(i int, dst []Value) {
				s, k := i/nb, i%nb
				dst[0] = text(b.Labels[k])
				if segmented {
					dst[1] = text(d.Segments[s])
				}
				dst[nl] = count(users[s][k])
			},
			Charts: []Chart{{Kind: ChartColumn, Title: title, Category: 0, Values: []int{nl}, GroupBy: group}},
		}
	}
	return []*Table{
		matrix, days,
		hist("Sessions", "Users by number of sessions in the range", "sessions", "Sessions", d.Sessions, d.SessionUsers),
		hist("Runtime", "Users by runtime in the range (h:mm)", "runtime", "Runtime", d.Runtime, d.RuntimeUsers),
	}
}

// bucketKey is a JSON-key form of a bucket label: le1, 2, 4_5, ge13,
// le0_05, 0_06_0_15.
func bucketKey(label string) string {
	r := strings.NewReplacer("<=", "le", ">=", "ge", "-", "_", ":", "_")
	return r.Replace(label)
}
