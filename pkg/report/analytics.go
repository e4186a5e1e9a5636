package report

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/analytics"
	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/source"
)

// AnalyticsReports are the analytics reports, named as the commands after
// "analytics" name them.
var AnalyticsReports = []string{
	"timeline", "current", "distribution", "events table", "events timeline", "events lifetime", "churn", "clients",
}

// AnalyticsQuery is what an analytics report depends on beyond its inputs.
// Values are its options as strings, keyed by the flags' names in
// snake_case (lost_after); an absent one takes the flag's default, and
// filter may repeat.
type AnalyticsQuery struct {
	Report          string // one of AnalyticsReports
	Location        *time.Location
	AsOf            time.Time
	Values          url.Values
	ServiceAccounts []string
}

// AnalyticsError is a bad option of an analytics query. Msg names it as
// the command's flag (--lost-after), Param as the query parameter.
type AnalyticsError struct {
	Param string
	Msg   string
}

func (e *AnalyticsError) Error() string { return e.Msg }

var flagName = regexp.MustCompile(`--([a-z][a-z-]*)`)

// QueryMessage is Msg with query parameters (lost_after) for flags, and
// naming Param.
func (e *AnalyticsError) QueryMessage() string {
	m := flagName.ReplaceAllStringFunc(e.Msg, func(f string) string {
		return strings.ReplaceAll(strings.TrimPrefix(f, "--"), "-", "_")
	})
	if e.Param != "" && !strings.Contains(m, e.Param) {
		m = e.Param + ": " + m
	}
	return m
}

func badOption(param, format string, args ...any) error {
	return &AnalyticsError{Param: param, Msg: fmt.Sprintf(format, args...)}
}

// AnalyticsPlan is a checked analytics query: what to keep while
// scanning and how to build the report.
type AnalyticsPlan struct {
	command         string
	from, to        analytics.Day // the report's range
	opts            analytics.Options
	seg             analytics.SegmentOptions
	latest          []int
	keepProps       bool
	serviceAccounts []string
	params          []analytics.Param
	build           analyticsBuild
}

// analyticsBuild makes a report's tables. seg.By indexes the dataset's
// latest fields (-1 for none); latest[i] is the index of the report's own
// latest field i.
type analyticsBuild func(ds *analytics.Dataset, seg analytics.SegmentOptions, latest []int) ([]*analytics.Table, error)

// ownPlan is what one report asks of the shared part.
type ownPlan struct {
	// ownFrom says from is the report's own, not the range's start: the
	// report's range is then the days kept.
	ownFrom bool
	// days returns the days to keep per user for the range [from, to]
	// and the day of as-of (default: the range).
	days func(from, to, asOf analytics.Day) (analytics.Day, analytics.Day)
	// latest are fields besides segment_by whose latest value per user
	// is needed (timeline's levels).
	latest           []analytics.Field
	events, allProps bool
	params           []analytics.Param
	build            analyticsBuild
}

// ParseAnalytics checks q; every error is an *AnalyticsError.
func ParseAnalytics(q AnalyticsQuery) (*AnalyticsPlan, error) {
	own, ok := analyticsParsers[q.Report]
	if !ok {
		return nil, badOption("report", "unknown analytics report %q (known: %s)", q.Report, strings.Join(AnalyticsReports, ", "))
	}
	v := optionValues(q.Values)
	op, err := own(v)
	if err != nil {
		return nil, err
	}
	from, to, asOf, err := analyticsRange(v, q.Location, q.AsOf, op.ownFrom)
	if err != nil {
		return nil, err
	}
	filters := make([]*analytics.Filter, 0, len(q.Values["filter"]))
	for _, s := range q.Values["filter"] {
		f, err := analytics.ParseFilter(s, q.Location)
		if err != nil {
			return nil, badOption("filter", "--filter: %v", err)
		}
		filters = append(filters, f)
	}
	gapText := v.str("session_gap", "30m")
	gap, err := parseDays(gapText)
	if err != nil || gap <= 0 {
		return nil, badOption("session_gap", "--session-gap %q: want a positive duration such as 30m", gapText)
	}
	byText := strings.TrimSpace(v.str("by", "identity"))
	if byText == "" {
		byText = "identity"
	}
	by, err := analytics.ParseClientBy(byText)
	if err != nil {
		return nil, badOption("by", "--by %q: want identity, user_id or session", byText)
	}
	top, err := v.int("top", analytics.DefaultTop)
	if err != nil {
		return nil, err
	}
	if top < 1 {
		return nil, badOption("top", "--top must be 1 or more")
	}
	if err := identity.ValidatePatterns(q.ServiceAccounts); err != nil {
		return nil, badOption("service_account", "--service-account: %v", err)
	}
	// The latest fields: segment_by first, then the report's own.
	var latest []analytics.Field
	index := func(f analytics.Field) int {
		for i, g := range latest {
			if g.Name == f.Name {
				return i
			}
		}
		latest = append(latest, f)
		return len(latest) - 1
	}
	seg := analytics.SegmentOptions{By: -1, Top: top}
	if by := v.str("segment_by", ""); by != "" {
		f, err := analytics.ParseField(strings.TrimSpace(by))
		if err != nil {
			return nil, badOption("segment_by", "--segment-by: %v", err)
		}
		if !f.Segmentable() {
			return nil, badOption("segment_by", "--segment-by %s: a time has no segments", f.Name)
		}
		seg.By = index(f)
	}
	latestIdx := make([]int, len(op.latest))
	for i, f := range op.latest {
		latestIdx[i] = index(f)
	}
	keepFrom, keepTo := from, to
	if op.days != nil {
		keepFrom, keepTo = op.days(from, to, asOf)
	}
	if op.ownFrom {
		from, to = keepFrom, keepTo
	}
	keepProps := op.allProps
	for _, f := range filters {
		keepProps = keepProps || strings.HasPrefix(f.Field.Name, "props.")
	}
	for _, f := range latest {
		keepProps = keepProps || strings.HasPrefix(f.Name, "props.")
	}
	var ps []analytics.Param
	for _, f := range filters {
		ps = append(ps, analytics.Param{Key: "filter", Value: f.String()})
	}
	if seg.By >= 0 {
		ps = append(ps, analytics.Param{Key: "segment_by", Value: latest[seg.By].Name}, analytics.Param{Key: "top", Value: strconv.Itoa(seg.Top)})
	}
	ps = append(ps, analytics.Param{Key: "session_gap", Value: gapText})
	if by != analytics.ByIdentity {
		// Only off the default, so that identity reports stay as they were.
		ps = append(ps, analytics.Param{Key: "by", Value: by.String()})
	}
	return &AnalyticsPlan{
		command: "analytics " + q.Report, from: from, to: to,
		opts: analytics.Options{
			From: keepFrom.Date(), To: keepTo.Date(), Location: q.Location, AsOf: q.AsOf,
			SessionGap: gap, Filters: filters, Latest: latest, AllProps: op.allProps, Events: op.events, By: by,
		},
		seg: seg, latest: latestIdx, keepProps: keepProps, serviceAccounts: q.ServiceAccounts,
		params: append(ps, op.params...), build: op.build,
	}, nil
}

// analyticsRange reads from and to; the day of as-of is the day of its
// last instant, so a bare as-of date is that day.
func analyticsRange(v optionValues, loc *time.Location, asOfTime time.Time, ownFrom bool) (from, to, asOf analytics.Day, err error) {
	asOf = analytics.DayOfDate(asOfTime.Add(-time.Nanosecond).In(loc))
	to = asOf
	if s := v.str("to", ""); s != "" {
		d, err := parseOptionDay("to", s)
		if err != nil {
			return 0, 0, 0, err
		}
		to = analytics.DayOfDate(d)
	}
	from = to - 29
	if s := v.str("from", ""); s != "" && !ownFrom {
		d, err := parseOptionDay("from", s)
		if err != nil {
			return 0, 0, 0, err
		}
		from = analytics.DayOfDate(d)
	}
	if to < from {
		return 0, 0, 0, badOption("to", "--to %s is before --from %s", to, from)
	}
	return from, to, asOf, nil
}

// KeepProps says whether the scan must keep the records' props.
func (p *AnalyticsPlan) KeepProps() bool { return p.keepProps }

// NewAccumulator is the accumulator of p, whose siblings a scan fills; an
// error is a range the accumulator cannot hold.
func (p *AnalyticsPlan) NewAccumulator() (*analytics.Accumulator, error) {
	acc, err := analytics.NewAccumulator(p.opts)
	if err != nil {
		return nil, badOption("from", "--from %s --to %s: %v", p.from, p.to, err)
	}
	return acc, nil
}

// Build makes the report of the merged accumulator acc, read with stats.
// It returns the dataset too, for the CLI's summary line.
func (p *AnalyticsPlan) Build(acc *analytics.Accumulator, stats source.Stats) (*analytics.Report, *analytics.Dataset, error) {
	ds := analytics.Build(acc, analytics.BuildOptions{ServiceAccountPatterns: p.serviceAccounts})
	tables, err := p.build(ds, p.seg, p.latest)
	if err != nil {
		return nil, nil, &AnalyticsError{Msg: fmt.Sprintf("%s: %v", p.command, err)}
	}
	rep := &analytics.Report{
		Command: p.command, From: p.from, To: p.to, AsOf: p.opts.AsOf, Location: p.opts.Location,
		Params: p.params, Tables: tables,
		Quality: analytics.DataQuality{Mentions: ds.Quality, Sources: SourceQuality(stats), By: ds.By},
	}
	return rep, ds, nil
}

// AnalyticsReport scans paths with opts and writes the JSON of the
// analytics report of q to w: what `usagerep analytics ... --format json`
// writes for the same query, byte for byte. Rejected records are only
// counted, in the stats.
func AnalyticsReport(ctx context.Context, w io.Writer, paths []string, opts source.ScanOptions, q AnalyticsQuery) (source.Stats, error) {
	p, err := ParseAnalytics(q)
	if err != nil {
		return source.Stats{}, err
	}
	rep, stats, err := BuildAnalytics(ctx, p, paths, opts)
	if err != nil {
		return stats, err
	}
	if err := WriteAnalyticsJSON(w, rep); err != nil {
		return stats, fmt.Errorf("writing the report: %w", err)
	}
	return stats, nil
}

// BuildAnalytics is a plain scan of paths for p and its report.
func BuildAnalytics(ctx context.Context, p *AnalyticsPlan, paths []string, opts source.ScanOptions) (*analytics.Report, source.Stats, error) {
	acc, err := p.NewAccumulator()
	if err != nil {
		return nil, source.Stats{}, err
	}
	opts.Decode.KeepProps = p.KeepProps()
	accs, stats, err := Scan(ctx, paths, opts, acc.Sibling)
	if err != nil {
		return nil, stats, err
	}
	for _, a := range accs {
		acc.Merge(a)
	}
	rep, _, err := p.Build(acc, stats)
	return rep, stats, err
}

// SourceQuality is the scan's per-input counts, reasons in order.
func SourceQuality(st source.Stats) []analytics.SourceQuality {
	out := make([]analytics.SourceQuality, 0, len(st.Sources))
	for _, s := range st.Sources {
		q := analytics.SourceQuality{Name: s.Name, Read: s.Records, Rejected: s.Rejected}
		for r, n := range s.Reasons {
			q.Reasons = append(q.Reasons, analytics.ReasonCount{Reason: r, Count: n})
		}
		slices.SortFunc(q.Reasons, func(a, b analytics.ReasonCount) int { return strings.Compare(a.Reason, b.Reason) })
		out = append(out, q)
	}
	return out
}

// optionValues reads a query's options; an absent one is its default.
type optionValues url.Values

func (v optionValues) str(name, def string) string {
	if xs, ok := v[name]; ok && len(xs) > 0 {
		return xs[0]
	}
	return def
}

func (v optionValues) int(name string, def int) (int, error) {
	s, ok := v[name]
	if !ok || len(s) == 0 {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s[0]))
	if err != nil {
		return 0, badOption(name, "--%s %q: want a whole number", strings.ReplaceAll(name, "_", "-"), s[0])
	}
	return n, nil
}

func (v optionValues) bool(name string) (bool, error) {
	s := v.str(name, "")
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badOption(name, "--%s %q: want true or false", name, s)
	}
	return b, nil
}

// parseOptionDay reads a from or to day.
func parseOptionDay(name, s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, badOption(name, "--%s %q: want a day like 2026-03-01", name, s)
	}
	return d, nil
}

// parseDays reads a duration in days (30d) or as Go writes one.
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	return d, nil
}

// splitList splits a comma-separated value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, it := range strings.Split(s, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}
