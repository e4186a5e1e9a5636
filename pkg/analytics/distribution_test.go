package analytics

import (
	"slices"
	"testing"
	"time"
)

func defaultBuckets(t *testing.T) (Buckets, Buckets) {
	t.Helper()
	sb, err := NewCountBuckets(DefaultSessionBounds)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := NewRuntimeBuckets(DefaultRuntimeBounds)
	if err != nil {
		t.Fatal(err)
	}
	return sb, rb
}

func TestBuckets(t *testing.T) {
	sb, rb := defaultBuckets(t)
	// The spec's default labels.
	if want := []string{"<=1", "2", "3", "4-5", "6-8", "9-12", ">=13"}; !slices.Equal(sb.Labels, want) {
		t.Errorf("session labels %q, want %q", sb.Labels, want)
	}
	if want := []string{"<=0:05", "0:06-0:15", "0:16-0:30", "0:31-1:00", "1:01-2:00", ">=2:01"}; !slices.Equal(rb.Labels, want) {
		t.Errorf("runtime labels %q, want %q", rb.Labels, want)
	}
	for _, c := range []struct {
		v    int64
		want int
	}{{0, 0}, {1, 0}, {2, 1}, {4, 3}, {5, 3}, {6, 4}, {12, 5}, {13, 6}, {1000, 6}} {
		if got := sb.Of(c.v); got != c.want {
			t.Errorf("%d sessions: bucket %d, want %d", c.v, got, c.want)
		}
	}
	for _, c := range []struct {
		v    time.Duration
		want int
	}{{0, 0}, {5 * time.Minute, 0}, {5*time.Minute + time.Second, 1}, {time.Hour, 3}, {121 * time.Minute, 5}} {
		if got := rb.Of(int64(c.v)); got != c.want {
			t.Errorf("runtime %v: bucket %d, want %d", c.v, got, c.want)
		}
	}
	for _, bad := range [][]int64{nil, {3, 2}, {1, 1}, {-1, 2}} {
		if _, err := NewCountBuckets(bad); err == nil {
			t.Errorf("bounds %v gave no error", bad)
		}
	}
	if _, err := NewRuntimeBuckets([]time.Duration{90 * time.Second}); err == nil {
		t.Error("a bound of 90s gave no error")
	}
	for in, want := range map[string]time.Duration{"0:05": 5 * time.Minute, "1:30": 90 * time.Minute, "45m": 45 * time.Minute} {
		if got, err := ParseRuntimeBound(in); err != nil || got != want {
			t.Errorf("ParseRuntimeBound(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"1:5", "1:60", "x", "-1:00"} {
		if _, err := ParseRuntimeBound(bad); err == nil {
			t.Errorf("ParseRuntimeBound(%q) gave no error", bad)
		}
	}
}

func TestDistribution(t *testing.T) {
	ds := loadFixture(t, fixtureOptions(t))
	sb, rb := defaultBuckets(t)
	d, err := BuildDistribution(ds, DistributionOptions{Sessions: sb, Runtime: rb, Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	// README, "analytics distribution": five active users (frank has no
	// day in the range); 1 day: erin; 2 days: alice (3 sessions, 16m),
	// dave (2, 60m); 3 days: bob (2, 65m), carol (3, 3m).
	want := []DistRow{
		{Days: 1, Users: 1, Sessions: []int64{1, 0, 0, 0, 0, 0, 0}, Runtime: []int64{1, 0, 0, 0, 0, 0}},
		{Days: 2, Users: 2, Sessions: []int64{0, 1, 1, 0, 0, 0, 0}, Runtime: []int64{0, 0, 1, 1, 0, 0}},
		{Days: 3, Users: 2, Sessions: []int64{0, 1, 1, 0, 0, 0, 0}, Runtime: []int64{1, 0, 0, 0, 1, 0}},
	}
	if d.MaxDays != 3 || len(d.Matrix[0]) != 3 {
		t.Fatalf("max days %d, rows %d; want 3", d.MaxDays, len(d.Matrix[0]))
	}
	for k, w := range want {
		got := d.Matrix[0][k]
		if got.Days != w.Days || got.Users != w.Users || !slices.Equal(got.Sessions, w.Sessions) || !slices.Equal(got.Runtime, w.Runtime) {
			t.Errorf("%d days: %+v, want %+v", w.Days, got, w)
		}
	}
	if got, want := d.SessionUsers[0], []int64{1, 2, 2, 0, 0, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("sessions histogram %v, want %v", got, want)
	}
	if got, want := d.RuntimeUsers[0], []int64{2, 0, 1, 1, 1, 0}; !slices.Equal(got, want) {
		t.Errorf("runtime histogram %v, want %v", got, want)
	}

	// By plan: Pro (alice, carol), (none) (dave, erin), Free (bob; frank
	// is not active), in that order.
	d, err = BuildDistribution(ds, DistributionOptions{Sessions: sb, Runtime: rb, Segment: SegmentOptions{By: fieldPlan}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{NoneLabel, "Pro", "Free"}; !slices.Equal(d.Segments, want) {
		t.Fatalf("segments %q, want %q", d.Segments, want)
	}
	// Pro: alice 2 days, carol 3 days.
	if got := []int64{d.Matrix[1][0].Users, d.Matrix[1][1].Users, d.Matrix[1][2].Users}; !slices.Equal(got, []int64{0, 1, 1}) {
		t.Errorf("Pro by active days %v, want [0 1 1]", got)
	}
	tabs := d.Report()
	if len(tabs) != 4 || tabs[0].Len != 9 || tabs[2].Len != 21 || tabs[3].Len != 18 {
		t.Errorf("tables %d (rows %d, %d, %d), want 4 (9, 21, 18)", len(tabs), tabs[0].Len, tabs[2].Len, tabs[3].Len)
	}
}
