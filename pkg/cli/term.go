package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// termOut formats data for standard output the way the tools people know
// do: on a terminal, times relative to now and a little colour (unless
// NO_COLOR is set); in a pipe, RFC 3339 times and plain text.
type termOut struct {
	tty   bool
	color bool
	now   time.Time
	loc   *time.Location
}

func newTermOut(ios *IOStreams, now time.Time, loc *time.Location) termOut {
	if loc == nil {
		loc = time.UTC
	}
	return termOut{tty: ios.StdoutTTY, color: ios.StdoutTTY && !ios.NoColor, now: now, loc: loc}
}

// span writes a time range: "2021-07-21 06:00 to 09:59 UTC, 4 years ago"
// on a terminal (the end's age), two RFC 3339 times otherwise.
func (o termOut) span(from, to time.Time) string {
	from, to = from.In(o.loc), to.In(o.loc)
	if !o.tty {
		return from.Format(time.RFC3339) + " to " + to.Format(time.RFC3339)
	}
	end := to.Format("2006-01-02 15:04 MST")
	if from.Format("2006-01-02") == to.Format("2006-01-02") {
		end = to.Format("15:04 MST")
	}
	return from.Format("2006-01-02 15:04") + " to " + end + ", " + relativeTime(o.now.Sub(to))
}

func (o termOut) bold(s string) string {
	if !o.color {
		return s
	}
	return "\x1b[1m" + s + "\x1b[0m"
}

func (o termOut) yellow(s string) string {
	if !o.color {
		return s
	}
	return "\x1b[33m" + s + "\x1b[0m"
}

// relativeTime writes how long ago d was, as gh does: "just now",
// "5 minutes ago", "about 1 day ago", "3 years ago", "in 2 days".
func relativeTime(d time.Duration) string {
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = countOf(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		s = countOf(int(d/time.Hour), "hour")
	case d < 30*24*time.Hour:
		s = "about " + countOf(int(d/(24*time.Hour)), "day")
	case d < 365*24*time.Hour:
		s = "about " + countOf(int(d/(30*24*time.Hour)), "month")
	default:
		s = countOf(int(math.Floor(d.Hours()/(365.25*24))), "year")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func countOf(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// writeJSON writes v as indented JSON, with <, > and & as they are.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// humanBytes writes a byte count in decimal units (1.2 MB), as disk sizes
// usually are; -1 is unknown.
func humanBytes(n int64) string {
	switch {
	case n < 0:
		return "?"
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1e6:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1e9:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}

// percent writes a rate (0..1) as a percentage with one decimal where it
// matters: 100%, 99.5%, 0.1%, <0.1%.
func percent(r float64) string {
	switch {
	case r <= 0:
		return "0%"
	case r >= 1:
		return "100%"
	case r < 0.001:
		return "<0.1%"
	}
	s := fmt.Sprintf("%.1f", r*100)
	return strings.TrimSuffix(s, ".0") + "%"
}
