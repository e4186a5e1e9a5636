package analytics

import (
	"slices"
	"testing"
)

// churnDataset keeps the fixture's days from 03-01 to as-of's day, 03-14.
func churnDataset(t *testing.T) *Dataset {
	t.Helper()
	return loadFixture(t, fixtureOptions(t))
}

func TestChurnWeekly(t *testing.T) {
	ds := churnDataset(t)
	sb, rb := defaultBuckets(t)
	c, err := BuildChurn(ds, ChurnOptions{
		Split: SplitWeek, LostAfter: week, From: day("2026-03-01"), To: day("2026-03-14"),
		Sessions: sb, Runtime: rb, Segment: SegmentOptions{By: -1}, Events: EventsOptions{Segment: SegmentOptions{By: -1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// README, "analytics churn": cohorts bob (week of 02-23) and dave (week
	// of 03-09).
	if want := []Day{day("2026-02-23"), day("2026-03-02"), day("2026-03-09")}; !slices.Equal(c.Cohorts, want) {
		t.Fatalf("cohorts %v, want %v", c.Cohorts, want)
	}
	if got := c.Size[0]; !slices.Equal(got, []int64{1, 0, 1}) {
		t.Errorf("cohort sizes %v, want [1 0 1]", got)
	}
	// bob: engaged in offsets 0 and 1, lost in offset 2 (03-11); dave:
	// engaged in offset 0, not lost.
	for _, tt := range []struct {
		c             int
		engaged, lost []int64
	}{
		{0, []int64{1, 1, 0}, []int64{0, 0, 1}},
		{1, []int64{0, 0}, []int64{0, 0}},
		{2, []int64{1}, []int64{0}},
	} {
		if !slices.Equal(c.Engaged[0][tt.c], tt.engaged) || !slices.Equal(c.Lost[0][tt.c], tt.lost) {
			t.Errorf("cohort %s: engaged %v, lost %v; want %v, %v", c.Cohorts[tt.c], c.Engaged[0][tt.c], c.Lost[0][tt.c], tt.engaged, tt.lost)
		}
	}
	// The lost users: bob, 3 active days, 2 sessions, 65m.
	if !slices.Equal(c.DaysHist[0], []int64{0, 0, 1}) || c.SessHist[0][1] != 1 || c.RunHist[0][4] != 1 {
		t.Errorf("histograms: days %v, sessions %v, runtime %v", c.DaysHist[0], c.SessHist[0], c.RunHist[0])
	}
	// bob's events: code/push 3 and code/review 2, over 1 user and 2
	// sessions.
	var got []string
	for i := range c.Events.Rows {
		got = append(got, figureText(c.Events.Rows[i].Event, &c.Events.Rows[i].Total))
	}
	if want := []string{"code/push,3,1,0,3,3,1.5,100", "code/review,2,1,0,2,2,1,100"}; !slices.Equal(got, want) {
		t.Errorf("lost users' events %q, want %q", got, want)
	}

	tabs := c.Report()
	if len(tabs) != 6 {
		t.Fatalf("%d tables, want 6", len(tabs))
	}
	// Retention: offset 0 over both cohorts (2 users, 2 engaged); 1 and 2
	// over bob's alone.
	ret := tabs[1]
	want := [][4]float64{{2, 2, 100, 0}, {1, 1, 100, 0}, {1, 0, 0, 1}}
	row := make([]Value, len(ret.Columns))
	if ret.Len != 3 {
		t.Fatalf("retention rows %d, want 3", ret.Len)
	}
	for k, w := range want {
		clear(row)
		ret.Row(k, row)
		if g := [4]float64{float64(row[1].Int), float64(row[2].Int), row[3].Float, float64(row[4].Int)}; g != w {
			t.Errorf("retention offset %d: %v, want %v", k, g, w)
		}
	}
}

func TestChurnDaily(t *testing.T) {
	ds := churnDataset(t)
	sb, rb := defaultBuckets(t)
	c, err := BuildChurn(ds, ChurnOptions{
		Split: SplitDay, LostAfter: week, From: day("2026-03-01"), To: day("2026-03-14"),
		Sessions: sb, Runtime: rb, Segment: SegmentOptions{By: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	// bob's cohort, 03-01: 14 offsets to 03-14, engaged on 03-01, 03-03
	// and 03-04, lost from 03-11 (offset 10) on.
	eng := make([]int64, 14)
	eng[0], eng[2], eng[3] = 1, 1, 1
	lost := make([]int64, 14)
	for k := 10; k < 14; k++ {
		lost[k] = 1
	}
	if !slices.Equal(c.Engaged[0][0], eng) || !slices.Equal(c.Lost[0][0], lost) {
		t.Errorf("03-01: engaged %v, lost %v; want %v, %v", c.Engaged[0][0], c.Lost[0][0], eng, lost)
	}
	// dave's, 03-09: 6 offsets, engaged on 03-09 and 03-14.
	if got := c.Engaged[0][8]; !slices.Equal(got, []int64{1, 0, 0, 0, 0, 1}) {
		t.Errorf("03-09: engaged %v", got)
	}
	if _, err := BuildChurn(ds, ChurnOptions{Split: SplitNone, From: ds.From, To: ds.To}); err == nil {
		t.Error("churn without a split gave no error")
	}
}
