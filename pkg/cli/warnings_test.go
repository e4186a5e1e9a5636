package cli

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/source"
)

func TestWarnIfMissedBounds(t *testing.T) {
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 7)
	r := reportRange{what: "the range", from: from, to: to, loc: time.UTC, hint: rangeHint}
	ns := func(t time.Time) int64 { return t.UnixNano() }
	for _, c := range []struct {
		name string
		span source.Span
		warn bool
	}{
		{"no records", source.Span{}, false},
		{"all before", source.Span{Oldest: ns(from) - 9, Newest: ns(from) - 1, Any: true}, true},
		{"newest at from", source.Span{Oldest: ns(from) - 9, Newest: ns(from), Any: true}, false},
		{"oldest just before to", source.Span{Oldest: ns(to) - 1, Newest: ns(to) + 9, Any: true}, false},
		{"oldest at to", source.Span{Oldest: ns(to), Newest: ns(to) + 9, Any: true}, true},
		{"around the range", source.Span{Oldest: ns(from) - 9, Newest: ns(to) + 9, Any: true}, false},
	} {
		var out strings.Builder
		warnIfEmpty(&out, &scanResult{stats: source.Stats{Span: c.span}, records: 12, rejected: 2}, nil, &r)
		if got := out.Len() > 0; got != c.warn {
			t.Errorf("%s: warned %v, want %v: %q", c.name, got, c.warn, out.String())
		}
		if c.warn && !strings.Contains(out.String(), "none of the 10 records read is in the range (2026-03-01 to 2026-03-07)") {
			t.Errorf("%s: %q", c.name, out.String())
		}
	}
}

func TestDaysRange(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	at := func(s string) time.Time {
		ts, err := time.ParseInLocation(time.DateTime, s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	for _, c := range []struct {
		name             string
		last, asOf       time.Time
		wantFrom, wantTo time.Time
	}{
		// The clocks went back on 2026-10-25: that day has 25 hours.
		{"days in the zone", day("2026-10-25"), time.Time{}, at("2026-10-24 00:00:00"), at("2026-10-26 00:00:00")},
		{"as-of first", day("2026-10-25"), at("2026-10-25 12:00:00"), at("2026-10-24 00:00:00"), at("2026-10-25 12:00:00")},
		{"as-of after", day("2026-10-25"), at("2026-11-01 00:00:00"), at("2026-10-24 00:00:00"), at("2026-10-26 00:00:00")},
		{"open to as-of", time.Time{}, at("2026-11-01 00:00:00"), at("2026-10-24 00:00:00"), at("2026-11-01 00:00:00")},
	} {
		r := daysRange("the range", day("2026-10-24"), c.last, c.asOf, paris, rangeHint)
		if !r.from.Equal(c.wantFrom) || !r.to.Equal(c.wantTo) {
			t.Errorf("%s: [%v, %v), want [%v, %v)", c.name, r.from, r.to, c.wantFrom, c.wantTo)
		}
	}
	if d := daysRange("", day("2026-10-25"), day("2026-10-25"), time.Time{}, paris, rangeHint); d.to.Sub(d.from) != 25*time.Hour {
		t.Errorf("2026-10-25 in Paris lasts %v, want 25h", d.to.Sub(d.from))
	}
}

// TestWarnAllRejected: the warning names the commonest reason and, as its
// example, the earliest reject by source and line, whichever worker found
// it first.
func TestWarnAllRejected(t *testing.T) {
	isolate(t)
	var b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&b, "{\"email\":\"u%d@example.com\"}\n", i) // no time
	}
	b.WriteString("{not json\n")
	for name, data := range map[string]string{"b.jsonl": b.String(), "a.jsonl": "\n{\"time\":\"yesterday\",\"email\":\"x@example.com\"}\n" + b.String()} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := `usagerep: warning: all 6,003 records read were rejected, most for "missing time" (e.g. a.jsonl:2: invalid time: yesterday); `
	for range 3 {
		code, _, stderr := run(t, "", "export", "-q", "--as-of", "2026-11-22", "--workers", "2", "b.jsonl", "a.jsonl")
		if code != ExitOK || !strings.HasPrefix(stderr, want) || !strings.HasSuffix(stderr, "; usagerep inspect b.jsonl a.jsonl says how to read them\n") {
			t.Fatalf("exit %d, stderr %q, want the warning starting %q", code, stderr, want)
		}
	}
}

func TestTopReason(t *testing.T) {
	st := source.Stats{Sources: []source.SourceStats{
		{Reasons: map[string]int64{"bad time": 2, "invalid JSON": 3}},
		{Reasons: map[string]int64{"bad time": 2, "missing time": 4}},
	}}
	if got := topReason(st); got != "bad time" {
		t.Errorf("top reason %q, want bad time (4 of them, before missing time)", got)
	}
}
