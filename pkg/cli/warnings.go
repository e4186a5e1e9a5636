package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/usagerep/usagerep/pkg/source"
)

// reportRange is a report's range of time, to be checked against the
// records a scan read.
type reportRange struct {
	what     string    // the range, as the user knows it: "the last 1 year"
	from, to time.Time // the instants read: from <= t < to
	loc      *time.Location
	// hint says what to give instead, from the days of the oldest and
	// newest records.
	hint func(oldest, newest string) string
}

// warnIfEmpty warns when records were read but the report has none of
// them for a reason the user can mend: every one was rejected (a mapping
// that does not fit), or none is dated in r, when r is given (an old dump
// reported as of today). Such a report reads like a quiet period, so this
// is a warning, not a summary, and --quiet does not hold it back.
func warnIfEmpty(w io.Writer, res *scanResult, inputs []string, r *reportRange) {
	if res.records > 0 && res.rejected == res.records {
		fmt.Fprintf(w, "usagerep: warning: all %s records read were rejected, most for %q (e.g. %s); usagerep inspect %s says how to read them\n",
			groupDigits(res.records), topReason(res.stats), res.example, commandInputs(inputs))
		return
	}
	span := res.stats.Span
	if r == nil || !span.Any || span.Newest >= r.from.UnixNano() && span.Oldest < r.to.UnixNano() {
		return
	}
	oldest, newest := time.Unix(0, span.Oldest).In(r.loc), time.Unix(0, span.Newest).In(r.loc)
	fmt.Fprintf(w, "usagerep: warning: none of the %s records read is in %s (%s to %s): they run from %s to %s; %s\n",
		groupDigits(res.records-res.rejected), r.what,
		r.from.In(r.loc).Format(time.DateOnly), r.to.Add(-time.Nanosecond).In(r.loc).Format(time.DateOnly),
		oldest.Format(time.RFC3339), newest.Format(time.RFC3339),
		r.hint(oldest.Format(time.DateOnly), newest.Format(time.DateOnly)))
}

// topReason is the reason most rejects gave (the first in order of
// names among equals).
func topReason(st source.Stats) string {
	counts := map[string]int64{}
	for _, src := range st.Sources {
		for reason, n := range src.Reasons {
			counts[reason] += n
		}
	}
	top := ""
	for reason, n := range counts {
		if n > counts[top] || n == counts[top] && reason < top {
			top = reason
		}
	}
	return top
}

// asOfHint suggests ending the report on the newest record's day.
func asOfHint(_, newest string) string {
	return fmt.Sprintf("--as-of %s ends the report on the day of the newest", newest)
}

// rangeHint suggests a range of days that holds every record.
func rangeHint(oldest, newest string) string {
	return fmt.Sprintf("--from %s --to %s holds them all", oldest, newest)
}

// daysRange is the range of the days first to last (dates as the flag
// parsers return them), inclusive, in loc; a zero last leaves it open.
// It ends at asOf when that is earlier (a zero asOf ends nothing).
func daysRange(what string, first, last, asOf time.Time, loc *time.Location, hint func(oldest, newest string) string) *reportRange {
	r := &reportRange{what: what, from: dayStart(first, loc), to: asOf, loc: loc, hint: hint}
	if !last.IsZero() && (asOf.IsZero() || dayStart(last, loc).AddDate(0, 0, 1).Before(asOf)) {
		r.to = dayStart(last, loc).AddDate(0, 0, 1)
	}
	return r
}

// dayStart is midnight, in loc, of the date d.
func dayStart(d time.Time, loc *time.Location) time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day, 0, 0, 0, 0, loc)
}
