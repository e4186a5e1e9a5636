package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/analytics"
)

// The defaults of the reports' options, as the commands' flags show them.
const (
	DefaultLostAfter      = "30d"
	DefaultStatus         = "new,active,lost"
	DefaultMetrics        = "sessions,runtime,events"
	DefaultWindows        = "1,7,30"
	DefaultSessionBuckets = "1,2,3,5,8,12"
	DefaultRuntimeBuckets = "0:05,0:15,0:30,1:00,2:00"
	DefaultEventSort      = "occurrences"
	DefaultEventLimit     = 50
	DefaultBuckets        = "1,2,5,10,20,50,100"
	DefaultAverageBuckets = "1,2,5,10,20"
)

// AnalyticsParams are each report's own options, by query name; every
// report also takes the shared ones.
var AnalyticsParams = map[string][]string{
	"timeline":        {"split", "status", "metrics", "lost_after", "levels"},
	"current":         {"windows"},
	"distribution":    {"session_buckets", "runtime_buckets"},
	"events table":    {"hierarchy", "sort", "limit", "offset"},
	"events timeline": {"events", "split", "per", "limit"},
	"events lifetime": {"events", "limit", "buckets", "average_buckets"},
	"churn":           {"split", "lost_after", "session_buckets", "runtime_buckets", "sort", "limit", "offset"},
	"clients":         {"limit", "offset"},
}

// AnalyticsSharedParams are the options of every analytics report.
var AnalyticsSharedParams = []string{"from", "to", "filter", "segment_by", "top", "session_gap", "by"}

var analyticsParsers = map[string]func(optionValues) (*ownPlan, error){
	"timeline":        parseTimeline,
	"current":         parseCurrent,
	"distribution":    parseDistribution,
	"events table":    parseEventsTable,
	"events timeline": parseEventsTimeline,
	"events lifetime": parseEventsLifetime,
	"churn":           parseChurn,
	"clients":         parseClients,
}

// parseLostAfter reads lost_after: days (30d), weeks (2w) or a Go
// duration.
func parseLostAfter(s string) (time.Duration, error) {
	d, err := parseDays(weeksToDays(s))
	if err != nil || d <= 0 {
		return 0, badOption("lost_after", "--lost-after %q: want a positive duration such as 30d, 2w or 36h", s)
	}
	return d, nil
}

// weeksToDays turns "2w" into "14d".
func weeksToDays(s string) string {
	if w, ok := strings.CutSuffix(strings.TrimSpace(s), "w"); ok {
		if n, err := strconv.Atoi(w); err == nil && n > 0 && n < 1<<20 {
			return strconv.Itoa(n*7) + "d"
		}
	}
	return s
}

// page reads limit and offset.
func page(v optionValues, defLimit int) (limit, offset int, err error) {
	if limit, err = v.int("limit", defLimit); err != nil {
		return 0, 0, err
	}
	if offset, err = v.int("offset", 0); err != nil {
		return 0, 0, err
	}
	if limit < 0 || offset < 0 {
		param := "limit"
		if limit >= 0 {
			param = "offset"
		}
		return 0, 0, badOption(param, "--limit and --offset must be 0 or more")
	}
	return limit, offset, nil
}

// periodSplit reads a split that must be day, week or month.
func periodSplit(v optionValues, def string) (analytics.Split, error) {
	s := v.str("split", def)
	split, err := analytics.ParseSplit(s)
	if err != nil || split == analytics.SplitNone {
		return split, badOption("split", "--split %q: want day, week or month", s)
	}
	return split, nil
}

// parseSessionBuckets reads a session_buckets option.
func parseSessionBuckets(s string) (analytics.Buckets, error) {
	var bounds []int64
	for _, it := range splitList(s) {
		n, err := strconv.ParseInt(it, 10, 64)
		if err != nil {
			return analytics.Buckets{}, badOption("session_buckets", "--session-buckets %q: %q is not a whole number", s, it)
		}
		bounds = append(bounds, n)
	}
	b, err := analytics.NewCountBuckets(bounds)
	if err != nil {
		return b, badOption("session_buckets", "--session-buckets %q: %v", s, err)
	}
	return b, nil
}

// parseRuntimeBuckets reads a runtime_buckets option.
func parseRuntimeBuckets(s string) (analytics.Buckets, error) {
	var bounds []time.Duration
	for _, it := range splitList(s) {
		d, err := analytics.ParseRuntimeBound(it)
		if err != nil {
			return analytics.Buckets{}, badOption("runtime_buckets", "--runtime-buckets: %v", err)
		}
		bounds = append(bounds, d)
	}
	b, err := analytics.NewRuntimeBuckets(bounds)
	if err != nil {
		return b, badOption("runtime_buckets", "--runtime-buckets %q: %v", s, err)
	}
	return b, nil
}

func parseTimeline(v optionValues) (*ownPlan, error) {
	split, err := analytics.ParseSplit(v.str("split", ""))
	if err != nil {
		return nil, badOption("split", "--split: %v", err)
	}
	lostText := v.str("lost_after", DefaultLostAfter)
	lost, err := parseLostAfter(lostText)
	if err != nil {
		return nil, err
	}
	cols, err := analytics.ParseTimelineColumns(splitList(v.str("status", DefaultStatus)), splitList(v.str("metrics", DefaultMetrics)))
	if err != nil {
		param := "status"
		if strings.HasPrefix(err.Error(), "metric") {
			param = "metrics"
		}
		return nil, badOption(param, "%v", err)
	}
	if len(cols) == 0 {
		return nil, badOption("status", "--status and --metrics leave nothing to show")
	}
	levelsText := v.str("levels", "")
	var levels []analytics.Field
	for _, name := range splitList(levelsText) {
		f, err := analytics.ParseField(name)
		if err != nil {
			return nil, badOption("levels", "--levels: %v", err)
		}
		if !f.Segmentable() {
			return nil, badOption("levels", "--levels %s: a time has no segments", f.Name)
		}
		levels = append(levels, f)
	}
	switch {
	case len(levels) > 3:
		return nil, badOption("levels", "--levels: at most three fields")
	case len(levels) > 0 && split != analytics.SplitNone:
		return nil, badOption("levels", "--levels nests the totals: it takes no --split")
	case len(levels) > 0 && v.str("segment_by", "") != "":
		return nil, badOption("levels", "--levels segments the totals already: leave out --segment-by")
	}
	params := []analytics.Param{{Key: "split", Value: split.String()}, {Key: "lost_after", Value: lostText}}
	if len(levels) > 0 {
		params = append(params, analytics.Param{Key: "levels", Value: levelsText})
	}
	return &ownPlan{
		latest: levels,
		params: params,
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, latest []int) ([]*analytics.Table, error) {
			return tablesOf(analytics.BuildTimeline(ds, analytics.TimelineOptions{
				Split: split, LostAfter: lost, Segment: seg, Levels: latest, Columns: cols,
			}))
		},
	}, nil
}

func parseCurrent(v optionValues) (*ownPlan, error) {
	windows := v.str("windows", DefaultWindows)
	var wins []int
	for _, s := range splitList(windows) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 3660 {
			return nil, badOption("windows", "--windows %q: want days from 1 to 3660, e.g. 1,7,30", windows)
		}
		wins = append(wins, n)
	}
	if len(wins) == 0 {
		return nil, badOption("windows", "--windows: no window")
	}
	longest := analytics.Day(0)
	for _, w := range wins {
		longest = max(longest, analytics.Day(w))
	}
	var since time.Time
	if s := v.str("from", ""); s != "" {
		d, err := parseOptionDay("from", s)
		if err != nil {
			return nil, err
		}
		since = d
	}
	return &ownPlan{
		// from only selects the known users: the range is the windows.
		ownFrom: true,
		days: func(_, to, _ analytics.Day) (analytics.Day, analytics.Day) {
			return to - longest + 1, to
		},
		params: []analytics.Param{{Key: "windows", Value: windows}},
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			return tablesOf(analytics.BuildCurrent(ds, analytics.CurrentOptions{Windows: wins, KnownSince: since, Segment: seg}))
		},
	}, nil
}

func parseDistribution(v optionValues) (*ownPlan, error) {
	sbText, rbText := v.str("session_buckets", DefaultSessionBuckets), v.str("runtime_buckets", DefaultRuntimeBuckets)
	sb, err := parseSessionBuckets(sbText)
	if err != nil {
		return nil, err
	}
	rb, err := parseRuntimeBuckets(rbText)
	if err != nil {
		return nil, err
	}
	return &ownPlan{
		params: []analytics.Param{{Key: "session_buckets", Value: sbText}, {Key: "runtime_buckets", Value: rbText}},
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			return tablesOf(analytics.BuildDistribution(ds, analytics.DistributionOptions{Sessions: sb, Runtime: rb, Segment: seg}))
		},
	}, nil
}

func parseEventsTable(v optionValues) (*ownPlan, error) {
	sortText := v.str("sort", DefaultEventSort)
	key, reverse, err := analytics.ParseEventSort(sortText)
	if err != nil {
		return nil, badOption("sort", "--sort: %v", err)
	}
	limit, offset, err := page(v, DefaultEventLimit)
	if err != nil {
		return nil, err
	}
	hierarchy, err := v.bool("hierarchy")
	if err != nil {
		return nil, err
	}
	params := []analytics.Param{
		{Key: "sort", Value: sortText}, {Key: "limit", Value: strconv.Itoa(limit)}, {Key: "offset", Value: strconv.Itoa(offset)},
	}
	if hierarchy {
		params = append(params, analytics.Param{Key: "hierarchy", Value: "true"})
	}
	return &ownPlan{
		events: true, params: params,
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			t, err := analytics.BuildEventsTable(ds, analytics.EventsOptions{
				Hierarchy: hierarchy, Segment: seg, Sort: key, Reverse: reverse, Offset: offset, Limit: limit,
			})
			if err != nil {
				return nil, err
			}
			return []*analytics.Table{t.Report("Events", "Events over the range")}, nil
		},
	}, nil
}

func parseEventsTimeline(v optionValues) (*ownPlan, error) {
	split, err := periodSplit(v, "day")
	if err != nil {
		return nil, err
	}
	perText := v.str("per", "")
	per, err := analytics.ParsePer(perText)
	if err != nil {
		return nil, badOption("per", "--per: %v", err)
	}
	limit, err := v.int("limit", analytics.DefaultEventsShown)
	if err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, badOption("limit", "--limit must be 1 or more")
	}
	events := v.str("events", "")
	names := splitList(events)
	return &ownPlan{
		events: true,
		params: []analytics.Param{{Key: "events", Value: events}, {Key: "split", Value: split.String()}, {Key: "per", Value: perText}},
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			return tablesOf(analytics.BuildEventTimeline(ds, analytics.EventTimelineOptions{
				Split: split, Events: names, Top: limit, Per: per, Segment: seg,
			}))
		},
	}, nil
}

func parseEventsLifetime(v optionValues) (*ownPlan, error) {
	totalsText, avgsText := v.str("buckets", DefaultBuckets), v.str("average_buckets", DefaultAverageBuckets)
	var tb []int64
	for _, it := range splitList(totalsText) {
		n, err := strconv.ParseInt(it, 10, 64)
		if err != nil {
			return nil, badOption("buckets", "--buckets %q: %q is not a whole number", totalsText, it)
		}
		tb = append(tb, n)
	}
	totals, err := analytics.NewCountBuckets(tb)
	if err != nil {
		return nil, badOption("buckets", "--buckets %q: %v", totalsText, err)
	}
	var ab []float64
	for _, it := range splitList(avgsText) {
		f, err := strconv.ParseFloat(it, 64)
		if err != nil {
			return nil, badOption("average_buckets", "--average-buckets %q: %q is not a number", avgsText, it)
		}
		ab = append(ab, f)
	}
	avgs, err := analytics.NewAverageBuckets(ab)
	if err != nil {
		return nil, badOption("average_buckets", "--average-buckets %q: %v", avgsText, err)
	}
	limit, err := v.int("limit", analytics.DefaultEventsShown)
	if err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, badOption("limit", "--limit must be 1 or more")
	}
	events := v.str("events", "")
	names := splitList(events)
	return &ownPlan{
		events: true,
		params: []analytics.Param{{Key: "events", Value: events}, {Key: "buckets", Value: totalsText}, {Key: "average_buckets", Value: avgsText}},
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			lt, err := analytics.BuildLifetime(ds, analytics.LifetimeOptions{
				Events: names, Top: limit, Totals: totals, Averages: avgs, Segment: seg,
			})
			if err != nil {
				return nil, err
			}
			return lt.Report(""), nil
		},
	}, nil
}

func parseChurn(v optionValues) (*ownPlan, error) {
	split, err := periodSplit(v, "week")
	if err != nil {
		return nil, err
	}
	lostText := v.str("lost_after", DefaultLostAfter)
	lost, err := parseLostAfter(lostText)
	if err != nil {
		return nil, err
	}
	sbText, rbText := v.str("session_buckets", DefaultSessionBuckets), v.str("runtime_buckets", DefaultRuntimeBuckets)
	sb, err := parseSessionBuckets(sbText)
	if err != nil {
		return nil, err
	}
	rb, err := parseRuntimeBuckets(rbText)
	if err != nil {
		return nil, err
	}
	sortText := v.str("sort", DefaultEventSort)
	key, reverse, err := analytics.ParseEventSort(sortText)
	if err != nil {
		return nil, badOption("sort", "--sort: %v", err)
	}
	limit, offset, err := page(v, DefaultEventLimit)
	if err != nil {
		return nil, err
	}
	var from, to analytics.Day
	return &ownPlan{
		events: true,
		// The cohorts' days, then everything up to as-of.
		days: func(f, t, asOf analytics.Day) (analytics.Day, analytics.Day) {
			from, to = f, t
			return f, max(t, asOf)
		},
		params: []analytics.Param{
			{Key: "split", Value: split.String()}, {Key: "lost_after", Value: lostText},
			{Key: "session_buckets", Value: sbText}, {Key: "runtime_buckets", Value: rbText},
			{Key: "sort", Value: sortText}, {Key: "limit", Value: strconv.Itoa(limit)}, {Key: "offset", Value: strconv.Itoa(offset)},
		},
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			return tablesOf(analytics.BuildChurn(ds, analytics.ChurnOptions{
				Split: split, LostAfter: lost, From: from, To: to, Sessions: sb, Runtime: rb, Segment: seg,
				Events: analytics.EventsOptions{Sort: key, Reverse: reverse, Limit: limit, Offset: offset},
			}))
		},
	}, nil
}

func parseClients(v optionValues) (*ownPlan, error) {
	limit, offset, err := page(v, 0)
	if err != nil {
		return nil, err
	}
	return &ownPlan{
		allProps: true,
		params:   []analytics.Param{{Key: "limit", Value: strconv.Itoa(limit)}, {Key: "offset", Value: strconv.Itoa(offset)}},
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			return tablesOf(analytics.BuildClients(ds, analytics.ClientsOptions{Segment: seg, Limit: limit, Offset: offset}))
		},
	}, nil
}

// tablesOf is a built report's tables, or the error of building it.
func tablesOf[R interface{ Report() []*analytics.Table }](r R, err error) ([]*analytics.Table, error) {
	if err != nil {
		return nil, err
	}
	return r.Report(), nil
}
