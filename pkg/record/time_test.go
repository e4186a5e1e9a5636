package record

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

func ns(year int, month time.Month, day, hour, min, sec, nsec int) int64 {
	return time.Date(year, month, day, hour, min, sec, nsec, time.UTC).UnixNano()
}

func TestParseTime(t *testing.T) {
	base := ns(2026, 3, 3, 10, 15, 0, 0)
	tests := []struct {
		in   string
		want int64
	}{
		{"2026-03-03T10:15:00Z", base},
		{"2026-03-03t10:15:00z", base},
		{"2026-03-03T12:15:00+02:00", base},
		{"2026-03-03T04:45:00-05:30", base},
		{"2026-03-03T10:15:00-00:00", base},
		{"2026-03-03 10:15:00", base},
		{"2026-03-03 10:15:00Z", base},
		{"2026-03-03 11:15:00+01:00", base},
		{"  2026-03-03T10:15:00Z\t", base},
		{"2026-03-03T10:15:00.5Z", base + 5e8},
		{"2026-03-03T10:15:00.123456789Z", base + 123456789},
		{"2026-03-03T10:15:00.000000001+00:00", base + 1},
		{"2026-03-03 10:15:00.25", base + 25e7},
		{"2024-02-29T00:00:00Z", ns(2024, 2, 29, 0, 0, 0, 0)},
		{"2000-02-29T23:59:59Z", ns(2000, 2, 29, 23, 59, 59, 0)},
		{"1970-01-01T00:00:00Z", 0},
		{"1969-12-31T23:59:59Z", -1e9},
		{"1678-01-01T00:00:00Z", ns(1678, 1, 1, 0, 0, 0, 0)},
		{"2261-12-31T23:59:59.999999999Z", ns(2261, 12, 31, 23, 59, 59, 999999999)},
		// Epoch seconds and milliseconds.
		{"1772532900", base},
		{"1772532900.5", base + 5e8},
		{"1772532900.123456789123", base + 123456789},
		{"1772532900000", base},
		{"1772532900000.5", base + 5e5},
		{"0", 0},
		{"-86400", -86400e9},
		{"9200000000", 9200000000e9},
		{"-9200000000", -9200000000e9},
		{"100000000000", 100000000000e6},
		{"1.7725329e9", base},
		{"1.7725329E+12", base},
		{"0001772532900", base},
	}
	for _, tt := range tests {
		got, err := ParseTime([]byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("ParseTime(%q) = %d, %v; want %d (%s)", tt.in, got, err, tt.want, time.Unix(0, tt.want).UTC())
		}
	}
}

func TestParseTimeRejects(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrTimeSyntax},
		{"   ", ErrTimeSyntax},
		{"yesterday", ErrTimeSyntax},
		{"2026-03-03", ErrTimeSyntax},
		{"2026-03-03T10:15:00", ErrTimeSyntax}, // RFC 3339 needs a zone
		{"2026-03-03T10:15Z", ErrTimeSyntax},
		{"2026-3-3T10:15:00Z", ErrTimeSyntax},
		{"2026-03-03X10:15:00Z", ErrTimeSyntax},
		{"2026-02-30T10:15:00Z", ErrTimeSyntax},
		{"2025-02-29T10:15:00Z", ErrTimeSyntax},
		{"1900-02-29T10:15:00Z", ErrTimeSyntax},
		{"2026-04-31T10:15:00Z", ErrTimeSyntax},
		{"2026-13-01T10:15:00Z", ErrTimeSyntax},
		{"2026-00-01T10:15:00Z", ErrTimeSyntax},
		{"2026-01-00T10:15:00Z", ErrTimeSyntax},
		{"2026-03-03T24:00:00Z", ErrTimeSyntax},
		{"2026-03-03T10:60:00Z", ErrTimeSyntax},
		{"2026-03-03T10:15:60Z", ErrTimeSyntax},
		{"2026-03-03T10:15:00.Z", ErrTimeSyntax},
		{"2026-03-03T10:15:00.1234567890Z", ErrTimeSyntax},
		{"2026-03-03T10:15:00+0200", ErrTimeSyntax},
		{"2026-03-03T10:15:00+24:00", ErrTimeSyntax},
		{"2026-03-03T10:15:00+02:60", ErrTimeSyntax},
		{"2026-03-03T10:15:00ZZ", ErrTimeSyntax},
		{"2026-03-03T10:15:00 UTC", ErrTimeSyntax},
		{"+2026-03-03T10:15:00Z", ErrTimeSyntax},
		{"2026-03-03T1a:15:00Z", ErrTimeSyntax},
		{"1677-12-31T23:59:59Z", ErrTimeRange},
		{"2262-01-01T00:00:00Z", ErrTimeRange},
		{"9999-12-31T23:59:59Z", ErrTimeRange},
		{"-", ErrTimeSyntax},
		{".5", ErrTimeSyntax},
		{"12abc", ErrTimeSyntax},
		{"1e", ErrTimeSyntax},
		{"NaN", ErrTimeSyntax},
		{"Inf", ErrTimeSyntax},
		{"0x10", ErrTimeSyntax},
		{"1_000", ErrTimeSyntax},
		{"true", ErrTimeSyntax},
		{"99999999999999999999", ErrTimeRange},
		{"99999999999", ErrTimeRange}, // seconds, year 5138
		{"9300000000", ErrTimeRange},
		{"9300000000000", ErrTimeRange}, // ms past 2262
		{"-9300000000000", ErrTimeRange},
		{"1e300", ErrTimeRange},
	}
	for _, tt := range tests {
		got, err := ParseTime([]byte(tt.in))
		if !errors.Is(err, tt.want) {
			t.Errorf("ParseTime(%q) = %d, %v; want error %v", tt.in, got, err, tt.want)
		}
	}
}

// TestParseTimeMatchesTimePackage checks the hand-written parser against
// the standard library over random instants of the whole range.
func TestParseTimeMatchesTimePackage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{time.UTC, time.FixedZone("", 5*3600+30*60), time.FixedZone("", -8*3600), time.FixedZone("", 14*3600)}
	lo, hi := MinTime+14*3600e9, MaxTime-14*3600e9
	for range 20000 {
		want := lo + int64(r.Uint64N(uint64(hi)-uint64(lo)))
		tm := time.Unix(0, want).In(zones[r.IntN(len(zones))])
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z07:00"} {
			s := tm.Format(layout)
			exp := want
			if layout != time.RFC3339Nano {
				exp = want - want%1e9
				if want < 0 && want%1e9 != 0 {
					exp -= 1e9
				}
			}
			got, err := ParseTime([]byte(s))
			if err != nil || got != exp {
				t.Fatalf("ParseTime(%q) = %d, %v; want %d", s, got, err, exp)
			}
		}
	}
}

func TestFromEpoch(t *testing.T) {
	tests := []struct {
		in   float64
		want int64
		err  error
	}{
		{1772532900, 1772532900e9, nil},
		{1772532900000, 1772532900e9, nil},
		{1.5, 15e8, nil},
		{-1, -1e9, nil},
		{1e20, 0, ErrTimeRange},
		{-1e20, 0, ErrTimeRange},
	}
	for _, tt := range tests {
		got, err := FromEpoch(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("FromEpoch(%v) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseTimeAllocs(t *testing.T) {
	inputs := [][]byte{
		[]byte("2026-03-03T10:15:00.123+02:00"),
		[]byte("2026-03-03 10:15:00"),
		[]byte("1772532900123"),
		[]byte("1.7725329e9"),
		[]byte("not a time"),
		[]byte("2026-02-30T10:15:00Z"),
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, in := range inputs {
			_, _ = ParseTime(in)
		}
	})
	if allocs != 0 {
		t.Errorf("ParseTime allocates %v times per run, want 0", allocs)
	}
}

func TestBounds(t *testing.T) {
	if got := time.Unix(0, MinTime).UTC(); got != time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC) {
		t.Errorf("MinTime = %v", got)
	}
	if got := time.Unix(0, MaxTime+1).UTC(); got != time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC) {
		t.Errorf("MaxTime+1 = %v", got)
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2026-03-03T10:15:00Z", "2026-03-03 10:15:00.5", "2026-03-03T10:15:00.123456789-07:00",
		"1772532900", "1772532900000.25", "1.7e9", "-0", "2026-02-29T00:00:00Z", "",
	} {
		f.Add([]byte(s))
	}
	for _, s := range corpusTimes(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseTime(b)
		if err != nil {
			return
		}
		if got < MinTime || got > MaxTime {
			t.Fatalf("ParseTime(%q) = %d, outside [MinTime, MaxTime]", b, got)
		}
		// Whatever RFC 3339 text is accepted must mean what Go says it means.
		if len(b) >= 20 && b[10] == 'T' && (b[len(b)-1] == 'Z' || b[len(b)-3] == ':') {
			want, err := time.Parse(time.RFC3339Nano, string(b))
			if err != nil {
				t.Fatalf("ParseTime(%q) = %d, but time.Parse fails: %v", b, got, err)
			}
			if want.UnixNano() != got {
				t.Fatalf("ParseTime(%q) = %d, time.Parse says %d", b, got, want.UnixNano())
			}
		}
	})
}

// corpusTimes are the times of the malformed-input corpus
// (testdata/bad/bad-time.*), as the decoders hand them to ParseTime.
func corpusTimes(tb testing.TB) []string {
	tb.Helper()
	var out []string
	data, err := os.ReadFile("../../testdata/bad/bad-time.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	for ln := range bytes.Lines(data) {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(ln, &rec); err != nil {
			tb.Fatalf("bad-time.jsonl: %q: %v", ln, err)
		}
		raw := rec["time"]
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw) // a number
		}
		out = append(out, s)
	}
	f, err := os.Open("../../testdata/bad/bad-time.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	for _, row := range rows[1:] {
		out = append(out, row[0])
	}
	return out
}
