package analytics

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/source"
)

// The fixture's settings (testdata/analytics/README.md).
var (
	fixFrom = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	fixTo   = time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	fixAsOf = time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	week    = 7 * 24 * time.Hour
)

const fixturePath = "../../testdata/analytics/activity.jsonl"

// fixtureOptions keeps the range's days and the latest plan and
// props.os.
func fixtureOptions(t testing.TB) Options {
	t.Helper()
	plan, err := ParseField("plan")
	if err != nil {
		t.Fatal(err)
	}
	os, err := ParseField("props.os")
	if err != nil {
		t.Fatal(err)
	}
	return Options{From: fixFrom, To: fixTo, AsOf: fixAsOf, Latest: []Field{plan, os}, Events: true, AllProps: true}
}

const (
	fieldPlan = 0
	fieldOS   = 1
)

// loadFixture reads the fixture through the scan every command uses, on
// two workers.
func loadFixture(t testing.TB, opts Options) *Dataset {
	t.Helper()
	acc, err := NewAccumulator(opts)
	if err != nil {
		t.Fatal(err)
	}
	accs := []*Accumulator{acc, acc.Sibling()}
	sinks := []source.Sink{accs[0], accs[1]}
	_, err = source.Scan(context.Background(), []string{fixturePath},
		source.ScanOptions{Workers: 2, Decode: source.DecodeOptions{KeepProps: true}}, sinks,
		func(r source.Reject) error { t.Errorf("reject: %v", r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	acc.Merge(accs[1])
	return Build(acc, BuildOptions{})
}

func TestFixtureUsers(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	// Six people; alice's two spellings are one user.
	if len(ds.Users) != 6 {
		t.Fatalf("%d users, want 6", len(ds.Users))
	}
	if q := ds.Quality; q.Records != 22 || q.AfterAsOf != 1 || q.Anonymous != 1 {
		t.Errorf("quality %+v, want 22 records, 1 after as-of (bob's 03-16), 1 anonymous (03-07)", q)
	}
	var events, sessions, runtime int64
	for _, u := range ds.Users {
		for _, d := range u.Days {
			events += d.Events
			sessions += d.Sessions
			runtime += d.Runtime
		}
	}
	// README, "Days, sessions and runtime": 19 events, 11 sessions, 2h24m.
	if events != 19 || sessions != 11 || runtime != int64(144*time.Minute) {
		t.Errorf("events %d, sessions %d, runtime %v; want 19, 11, 2h24m", events, sessions, time.Duration(runtime))
	}
}

func TestTimelineWeekly(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	tl, err := BuildTimeline(ds, TimelineOptions{Split: SplitWeek, LostAfter: week, Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []Day{day("2026-02-23"), day("2026-03-02"), day("2026-03-09")}; !equalDays(tl.Periods, want) {
		t.Fatalf("periods %v, want %v", tl.Periods, want)
	}
	m := int64(time.Minute)
	// README, "analytics timeline", --split week.
	want := []Figures{
		{New: 1, Active: 1, Sessions: 1, Runtime: 45 * m, Events: 3},
		{Active: 4, Lost: 1, Sessions: 6, Runtime: 37 * m, Events: 11},
		{New: 1, Active: 3, Lost: 2, Sessions: 4, Runtime: 62 * m, Events: 5},
	}
	if len(tl.Segments) != 1 || tl.Segments[0] != AllLabel {
		t.Fatalf("segments %v, want [All]", tl.Segments)
	}
	for p, w := range want {
		if got := tl.Figures[0][p]; got != w {
			t.Errorf("week of %s: %+v, want %+v", tl.Periods[p], got, w)
		}
	}
}

func TestTimelineDaily(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	tl, err := BuildTimeline(ds, TimelineOptions{Split: SplitDay, LostAfter: week, Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Periods) != 14 {
		t.Fatalf("%d days, want 14", len(tl.Periods))
	}
	m := int64(time.Minute)
	// README, "Days, sessions and runtime" and "New and lost", day by day.
	want := map[string]Figures{
		"2026-03-01": {New: 1, Active: 1, Sessions: 1, Runtime: 45 * m, Events: 3},
		"2026-03-02": {Active: 1, Sessions: 2, Runtime: 15 * m, Events: 4},
		"2026-03-03": {Active: 2, Sessions: 2, Runtime: 20 * m, Events: 2},
		"2026-03-04": {Active: 1, Events: 1},
		"2026-03-05": {Active: 1, Lost: 1, Sessions: 1, Runtime: 2 * m, Events: 3},
		"2026-03-06": {Active: 1, Sessions: 1, Events: 1},
		"2026-03-09": {New: 1, Active: 1, Sessions: 1, Runtime: 60 * m, Events: 2},
		"2026-03-10": {Active: 1, Lost: 1, Sessions: 1, Runtime: m, Events: 1},
		"2026-03-11": {Lost: 1},
		"2026-03-12": {Active: 1, Sessions: 1, Runtime: m, Events: 1},
		"2026-03-14": {Active: 1, Sessions: 1, Events: 1},
	}
	for p, d := range tl.Periods {
		if got, w := tl.Figures[0][p], want[d.String()]; got != w {
			t.Errorf("%s: %+v, want %+v", d, got, w)
		}
	}
}

func TestTimelineSegmented(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	tl, err := BuildTimeline(ds, TimelineOptions{Split: SplitWeek, LostAfter: week, Segment: SegmentOptions{By: fieldOS}})
	if err != nil {
		t.Fatal(err)
	}
	// README: Linux 2, Windows 2, (none) 1, Mac 1.
	if want := []string{"Linux", "Windows", NoneLabel, "Mac"}; !equalStrings(tl.Segments, want) {
		t.Fatalf("segments %q, want %q", tl.Segments, want)
	}
	m := int64(time.Minute)
	want := [][]Figures{
		{{New: 1, Active: 1, Sessions: 1, Runtime: 45 * m, Events: 3}, {Active: 1, Lost: 1, Sessions: 1, Runtime: 20 * m, Events: 2}, {Lost: 1}},
		{{}, {Active: 2, Sessions: 4, Runtime: 17 * m, Events: 8}, {Active: 2, Sessions: 2, Runtime: 2 * m, Events: 2}},
		{{}, {Active: 1, Sessions: 1, Events: 1}, {Lost: 1}},
		{{}, {}, {New: 1, Active: 1, Sessions: 2, Runtime: 60 * m, Events: 3}},
	}
	for s := range want {
		for p := range want[s] {
			if got := tl.Figures[s][p]; got != want[s][p] {
				t.Errorf("%s, week of %s: %+v, want %+v", tl.Segments[s], tl.Periods[p], got, want[s][p])
			}
		}
	}
	// --top 2: Linux, Windows, Other (erin and dave).
	tl, err = BuildTimeline(ds, TimelineOptions{LostAfter: week, Segment: SegmentOptions{By: fieldOS, Top: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Linux", "Windows", OtherLabel}; !equalStrings(tl.Segments, want) {
		t.Fatalf("top 2: segments %q, want %q", tl.Segments, want)
	}
	if got, want := tl.Figures[2][0], (Figures{New: 1, Active: 2, Lost: 1, Sessions: 3, Runtime: 60 * m, Events: 4}); got != want {
		t.Errorf("Other: %+v, want %+v", got, want)
	}
}

func TestTimelineLevels(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	tl, err := BuildTimeline(ds, TimelineOptions{LostAfter: week, Segment: SegmentOptions{By: -1}, Levels: []int{fieldPlan, fieldOS}})
	if err != nil {
		t.Fatal(err)
	}
	m := int64(time.Minute)
	// README, --levels plan,props.os, depth first.
	type row struct {
		path string
		f    Figures
	}
	want := []row{
		{"All", Figures{New: 2, Active: 5, Lost: 3, Sessions: 11, Runtime: 144 * m, Events: 19}},
		{"(none)", Figures{New: 1, Active: 2, Lost: 1, Sessions: 3, Runtime: 60 * m, Events: 4}},
		{"(none)/(none)", Figures{Active: 1, Lost: 1, Sessions: 1, Events: 1}},
		{"(none)/Mac", Figures{New: 1, Active: 1, Sessions: 2, Runtime: 60 * m, Events: 3}},
		{"Free", Figures{New: 1, Active: 1, Lost: 2, Sessions: 2, Runtime: 65 * m, Events: 5}},
		{"Free/Linux", Figures{New: 1, Active: 1, Lost: 2, Sessions: 2, Runtime: 65 * m, Events: 5}},
		{"Pro", Figures{Active: 2, Sessions: 6, Runtime: 19 * m, Events: 10}},
		{"Pro/Windows", Figures{Active: 2, Sessions: 6, Runtime: 19 * m, Events: 10}},
	}
	var got []row
	got = append(got, row{"All", tl.Tree.Figures})
	for _, n := range tl.Tree.Children {
		got = append(got, row{n.Value, n.Figures})
		for _, c := range n.Children {
			got = append(got, row{n.Value + "/" + c.Value, c.Figures})
		}
	}
	if len(got) != len(want) {
		t.Fatalf("tree rows %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// The levels table reads the same.
	tabs := tl.Report()
	if len(tabs) != 2 || tabs[0].Len != 8 || tabs[1].Len != 3 {
		t.Fatalf("tables %d, rows %d/%d; want 2 tables of 8 and 3 rows", len(tabs), tabs[0].Len, tabs[1].Len)
	}
	row3 := make([]Value, len(tabs[0].Columns))
	tabs[0].Row(3, row3)
	if row3[0].Text != NoneLabel || row3[1].Text != "Mac" || row3[2].Int != 1 || row3[3].Int != 1 {
		t.Errorf("levels row 3: %+v, want (none), Mac, 1 new, 1 active", row3)
	}
}

func TestTimelineErrors(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	for _, o := range []TimelineOptions{
		{Split: SplitDay, Levels: []int{0}, Segment: SegmentOptions{By: -1}},
		{Levels: []int{0, 1, 0, 1}, Segment: SegmentOptions{By: -1}},
		{Levels: []int{0}, Segment: SegmentOptions{By: 1}},
	} {
		if _, err := BuildTimeline(ds, o); err == nil {
			t.Errorf("BuildTimeline(%+v) gave no error", o)
		}
	}
}

func TestCurrent(t *testing.T) {
	opts := fixtureOptions(t)
	opts.From = fixTo.AddDate(0, 0, -29) // the 30-day window's days
	ds := loadFixture(t, opts)
	c, err := BuildCurrent(ds, CurrentOptions{Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	// README, "analytics current": known 6; active 1, 3, 6.
	if c.Known[0] != 6 || !equalInts(c.Active[0], []int64{1, 3, 6}) {
		t.Errorf("known %d, active %v; want 6, [1 3 6]", c.Known[0], c.Active[0])
	}
	c, err = BuildCurrent(ds, CurrentOptions{Segment: SegmentOptions{By: fieldOS}, Windows: []int{7}})
	if err != nil {
		t.Fatal(err)
	}
	// Last 7 days: dave (Mac), alice and carol (Windows).
	wantActive := map[string]int64{"Linux": 0, "Windows": 2, NoneLabel: 0, "Mac": 1}
	for s, label := range c.Segments {
		if c.Active[s][0] != wantActive[label] {
			t.Errorf("%s: %d active in 7 days, want %d", label, c.Active[s][0], wantActive[label])
		}
	}
	// Known since 03-01 leaves out frank (last seen 02-26).
	c, err = BuildCurrent(ds, CurrentOptions{Segment: SegmentOptions{By: -1}, KnownSince: fixFrom})
	if err != nil {
		t.Fatal(err)
	}
	if c.Known[0] != 5 {
		t.Errorf("known since 03-01: %d, want 5", c.Known[0])
	}
	if _, err := BuildCurrent(ds, CurrentOptions{Segment: SegmentOptions{By: -1}, Windows: []int{31}}); err == nil {
		t.Error("a 31-day window over 30 kept days gave no error")
	}
}

func equalDays(a, b []Day) bool       { return slices.Equal(a, b) }
func equalStrings(a, b []string) bool { return slices.Equal(a, b) }
func equalInts(a, b []int64) bool     { return slices.Equal(a, b) }
