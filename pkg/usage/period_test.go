package usage

import (
	"testing"
	"time"
)

func TestParsePeriods(t *testing.T) {
	tests := []struct {
		in     string
		labels []string
		err    bool
	}{
		{in: "6m,1y", labels: []string{"Last 6 Months", "Last 1 Year"}},
		{in: "30d, 2w", labels: []string{"Last 30 Days", "Last 2 Weeks"}},
		{in: "1d,1w,1m,2y", labels: []string{"Last 1 Day", "Last 1 Week", "Last 1 Month", "Last 2 Years"}},
		{in: "6M", labels: []string{"Last 6 Months"}},
		{in: "", err: true},
		{in: "6", err: true},
		{in: "0m", err: true},
		{in: "-1m", err: true},
		{in: "6x", err: true},
		{in: "6m,6m", err: true},
	}
	for _, tt := range tests {
		got, err := ParsePeriods(tt.in)
		if tt.err {
			if err == nil {
				t.Errorf("ParsePeriods(%q): want error, got %v", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Fatalf("ParsePeriods(%q): %v", tt.in, err)
		}
		if len(got) != len(tt.labels) {
			t.Fatalf("ParsePeriods(%q) = %d periods, want %d", tt.in, len(got), len(tt.labels))
		}
		for i, p := range got {
			if p.Label() != tt.labels[i] {
				t.Errorf("ParsePeriods(%q)[%d].Label() = %q, want %q", tt.in, i, p.Label(), tt.labels[i])
			}
		}
	}
	p, _ := ParsePeriod("6m")
	if got := (Period{Label: p.Label()}).FileName(); got != "Usage Report (Last 6 Months).xlsx" {
		t.Errorf("FileName = %q", got)
	}
}

func TestPeriodStartClampsMonths(t *testing.T) {
	d := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		period, asOf, want string
	}{
		{"1m", "2026-03-31T12:00:00Z", "2026-02-28T12:00:00Z"},
		{"1m", "2024-03-31T12:00:00Z", "2024-02-29T12:00:00Z"},
		{"6m", "2026-11-23T00:00:00Z", "2026-05-23T00:00:00Z"},
		{"6m", "2026-08-31T00:00:00Z", "2026-02-28T00:00:00Z"},
		{"1y", "2024-02-29T00:00:00Z", "2023-02-28T00:00:00Z"},
		{"13m", "2026-01-15T00:00:00Z", "2024-12-15T00:00:00Z"},
		{"30d", "2026-03-01T00:00:00Z", "2026-01-30T00:00:00Z"},
		{"2w", "2026-03-01T00:00:00Z", "2026-02-15T00:00:00Z"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.period)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Start(d(tt.asOf)); !got.Equal(d(tt.want)) {
			t.Errorf("%s before %s = %s, want %s", tt.period, tt.asOf, got.Format(time.RFC3339), tt.want)
		}
	}
}

func TestPeriodStartIsCalendarInZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// 30 days before 2026-04-01 00:00 Berlin crosses the March DST change:
	// the window starts at midnight local time, not 720 hours earlier.
	asOf := time.Date(2026, 4, 1, 0, 0, 0, 0, berlin)
	p, _ := ParsePeriod("30d")
	got := p.Start(asOf)
	if want := time.Date(2026, 3, 2, 0, 0, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("start = %s, want %s", got, want)
	}
}

func TestParseAsOf(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		in   string
		loc  *time.Location
		want time.Time
		err  bool
	}{
		{in: "2026-11-22", loc: time.UTC, want: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		{in: "2026-11-22", loc: berlin, want: time.Date(2026, 11, 23, 0, 0, 0, 0, berlin)},
		{in: "2026-11-22T18:00:00Z", loc: berlin, want: time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)},
		{in: "2026-11-22 18:00:00", loc: berlin, want: time.Date(2026, 11, 22, 18, 0, 0, 0, berlin)},
		{in: "yesterday", loc: time.UTC, err: true},
		{in: "2026-02-30", loc: time.UTC, err: true},
	}
	for _, tt := range tests {
		got, err := ParseAsOf(tt.in, tt.loc)
		if tt.err {
			if err == nil {
				t.Errorf("ParseAsOf(%q) = %v, want error", tt.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseAsOf(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
