package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/source"
)

func TestWarnIfMissedBounds(t *testing.T) {
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 7)
	r := outOfRange{what: "the range", from: from, to: to, loc: time.UTC, hint: rangeHint}
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
		warnIfMissed(&out, &scanResult{stats: source.Stats{Span: c.span}, records: 12, rejected: 2}, r)
		if got := out.Len() > 0; got != c.warn {
			t.Errorf("%s: warned %v, want %v: %q", c.name, got, c.warn, out.String())
		}
		if c.warn && !strings.Contains(out.String(), "none of the 10 records read is in the range (2026-03-01 to 2026-03-07)") {
			t.Errorf("%s: %q", c.name, out.String())
		}
	}
}
