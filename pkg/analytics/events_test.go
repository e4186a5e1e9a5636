package analytics

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// figureText writes an events row as name,occurrences,users,never,per
// user,per active user,per session,share (4 decimals; - for none).
func figureText(name string, f *EventFigures) string {
	out := name
	for i, v := range f.values() {
		switch {
		case v.Empty:
			out += ",-"
		case i < 3:
			out += fmt.Sprintf(",%d", v.Int)
		default:
			out += fmt.Sprintf(",%g", math.Round(v.Float*1e4)/1e4)
		}
	}
	return out
}

func TestEventsTable(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	et, err := BuildEventsTable(ds, EventsOptions{Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	// README, "analytics events table": 5 active users, 11 sessions.
	if et.Active != 5 || et.Sessions != 11 || et.Total != 5 {
		t.Fatalf("active %d, sessions %d, rows %d; want 5, 11, 5", et.Active, et.Sessions, et.Total)
	}
	var got []string
	for i := range et.Rows {
		got = append(got, figureText(et.Rows[i].Event, &et.Rows[i].Total))
	}
	want := []string{
		"code/push,8,3,2,2.6667,1.6,0.7273,60",
		"collab/comment,4,1,4,4,0.8,0.3636,20",
		"auth/login,3,3,2,1,0.6,0.2727,60",
		"code/review,3,2,3,1.5,0.6,0.2727,40",
		"sync,1,1,4,1,0.2,0.0909,20",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%q\nwant\n%q", got, want)
	}

	// Sorted by users, then paged.
	et, err = BuildEventsTable(ds, EventsOptions{Segment: SegmentOptions{By: -1}, Sort: "users", Offset: 1, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := eventNames(et.Rows); !slices.Equal(got, []string{"code/push", "code/review"}) || et.Total != 5 {
		t.Errorf("by users, rows 2-3: %v of %d, want [code/push code/review] of 5", got, et.Total)
	}
	et, err = BuildEventsTable(ds, EventsOptions{Segment: SegmentOptions{By: -1}, Sort: "name", Reverse: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := eventNames(et.Rows); !slices.Equal(got, []string{"sync", "collab/comment", "code/review", "code/push", "auth/login"}) {
		t.Errorf("by name, Z to A: %v", got)
	}
	if _, err := BuildEventsTable(ds, EventsOptions{Segment: SegmentOptions{By: -1}, Sort: "colour"}); err == nil {
		t.Error("sort by colour gave no error")
	}
}

func eventNames(rows []EventRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Event)
	}
	return out
}

func TestEventsHierarchy(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	et, err := BuildEventsTable(ds, EventsOptions{Segment: SegmentOptions{By: -1}, Hierarchy: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := range et.Rows {
		r := &et.Rows[i]
		got = append(got, figureText(r.Category, &r.Total))
		for j := range r.Children {
			got = append(got, "  "+figureText(r.Children[j].Event, &r.Children[j].Total))
		}
	}
	// README: code 11 (alice, bob, dave), collab 4, auth 3, (none) 1.
	want := []string{
		"code,11,3,2,3.6667,2.2,1,60",
		"  code/push,8,3,2,2.6667,1.6,0.7273,60",
		"  code/review,3,2,3,1.5,0.6,0.2727,40",
		"collab,4,1,4,4,0.8,0.3636,20",
		"  collab/comment,4,1,4,4,0.8,0.3636,20",
		"auth,3,3,2,1,0.6,0.2727,60",
		"  auth/login,3,3,2,1,0.6,0.2727,60",
		"(none),1,1,4,1,0.2,0.0909,20",
		"  sync,1,1,4,1,0.2,0.0909,20",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%q\nwant\n%q", got, want)
	}
	tab := et.Report("Events", "Events")
	if tab.Len != 9 {
		t.Errorf("%d table rows, want 9", tab.Len)
	}
}

func TestEventsSegmented(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	et, err := BuildEventsTable(ds, EventsOptions{Segment: SegmentOptions{By: fieldPlan}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(et.Segments, []string{NoneLabel, "Pro", "Free"}) {
		t.Fatalf("segments %q", et.Segments)
	}
	push := &et.Rows[0]
	// code/push: (none) dave 2 of 2 active users with 3 sessions; Pro
	// alice 3 of 2 (6 sessions); Free bob 3 of 1 (2 sessions).
	var got []string
	for s := range push.Segments {
		got = append(got, figureText(et.Segments[s], &push.Segments[s]))
	}
	want := []string{"(none),2,1,1,2,1,0.6667,50", "Pro,3,1,1,3,1.5,0.5,50", "Free,3,1,0,3,3,1.5,100"}
	if !slices.Equal(got, want) {
		t.Errorf("code/push by plan\n%q\nwant\n%q", got, want)
	}
}

func TestEventTimeline(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	for _, tt := range []struct {
		per  Per
		want [][]string // [period][event]
	}{
		// README, "analytics events timeline".
		{PerNone, [][]string{{"3", "0"}, {"3", "1"}, {"2", "2"}}},
		{PerUsers, [][]string{{"3", "0"}, {"0.75", "0.25"}, {"0.6667", "0.6667"}}},
		{PerSessions, [][]string{{"3", "0"}, {"0.5", "0.1667"}, {"0.5", "0.5"}}},
		{PerRuntime, [][]string{{"4", "0"}, {"4.8649", "1.6216"}, {"1.9355", "1.9355"}}},
	} {
		et, err := BuildEventTimeline(ds, EventTimelineOptions{Split: SplitWeek, Events: []string{"code/push", "login"}, Per: tt.per, Segment: SegmentOptions{By: -1}})
		if err != nil {
			t.Fatal(err)
		}
		for p := range et.Periods {
			for e := range et.Events {
				v := et.value(0, p, e)
				got := fmt.Sprint(v.Int)
				if tt.per != PerNone {
					got = fmt.Sprint(math.Round(v.Float*1e4) / 1e4)
				}
				if got != tt.want[p][e] {
					t.Errorf("per %d, %s, %s: %s, want %s", tt.per, et.Periods[p], et.Events[e], got, tt.want[p][e])
				}
			}
		}
	}
	// code/* is push and review: push 3, 3, 2 by week, review (alice on
	// 03-02, bob on 03-03 and 03-04) 0, 3, 0.
	et, err := BuildEventTimeline(ds, EventTimelineOptions{Split: SplitWeek, Events: []string{"code/*"}, Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if got := []int64{et.Occurrences[0][0][0], et.Occurrences[0][1][0], et.Occurrences[0][2][0]}; !slices.Equal(got, []int64{3, 6, 2}) {
		t.Errorf("code/* by week %v, want [3 6 2]", got)
	}
	// Without names: the top 5 by occurrences, in that order.
	et, err = BuildEventTimeline(ds, EventTimelineOptions{Split: SplitDay, Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"code/push", "collab/comment", "auth/login", "code/review", "sync"}; !slices.Equal(et.Events, want) {
		t.Errorf("default events %q, want %q", et.Events, want)
	}
	if _, err := BuildEventTimeline(ds, EventTimelineOptions{Events: []string{"fly"}, Segment: SegmentOptions{By: -1}}); err == nil {
		t.Error("an unknown event gave no error")
	}
}

func TestLifetime(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	totals, err := NewCountBuckets(DefaultTotalBounds)
	if err != nil {
		t.Fatal(err)
	}
	avgs, err := NewAverageBuckets(DefaultAverageBounds)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"<=1", "1-2", "2-5", "5-10", "10-20", ">20"}; !slices.Equal(avgs.Labels, want) {
		t.Errorf("average labels %q, want %q", avgs.Labels, want)
	}
	lt, err := BuildLifetime(ds, LifetimeOptions{Events: []string{"code/push", "auth/login"}, Totals: totals, Averages: avgs, Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	// README, "analytics events lifetime": code/push by alice (3 in 2
	// days, 2 weeks, 1 month), bob (3 in 3 days, 2 weeks, 1 month), dave
	// (2 in 2 days, 1 week, 1 month); auth/login by alice, dave, erin,
	// once each.
	col := func(m, e int) []int64 {
		var out []int64
		for _, b := range lt.Users[m][0] {
			out = append(out, b[e])
		}
		return out
	}
	for _, c := range []struct {
		m, e int
		want []int64
	}{
		{0, 0, []int64{0, 1, 2, 0, 0, 0, 0, 0}}, // totals: 2 (dave), 3-5 (alice, bob)
		{1, 0, []int64{2, 1, 0, 0, 0, 0}},       // per day: 1.5 (alice); 1 (bob, dave)
		{2, 0, []int64{0, 3, 0, 0, 0, 0}},       // per week: 1.5, 1.5, 2
		{3, 0, []int64{0, 1, 2, 0, 0, 0}},       // per month: 3, 3, 2
		{0, 1, []int64{3, 0, 0, 0, 0, 0, 0, 0}},
		{1, 1, []int64{3, 0, 0, 0, 0, 0}},
		{2, 1, []int64{3, 0, 0, 0, 0, 0}},
		{3, 1, []int64{3, 0, 0, 0, 0, 0}},
	} {
		if got := col(c.m, c.e); !slices.Equal(got, c.want) {
			t.Errorf("%s, %s: %v, want %v", lifetimeMeasures[c.m].name, lt.Events[c.e], got, c.want)
		}
	}
	if tabs := lt.Report(""); len(tabs) != 4 || tabs[0].Len != 8 || tabs[1].Len != 6 {
		t.Errorf("lifetime tables: %d", len(tabs))
	}
}
