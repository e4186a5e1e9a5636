package cli

import (
	"context"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/analytics"
)

func newAnalyticsEventsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events <command>",
		Short: "Events: a table of every event, a timeline of some, their lifetime histograms",
		Long: `events reports the events of the range: each record is an occurrence (count
of them) of its event, named category/action (the action alone without a
category).

  table     every event's occurrences, users, averages and share, paged
  timeline  the occurrences of chosen events per period, optionally per
            active user, session or runtime hour
  lifetime  how each chosen event's users spread over their occurrences
            and their averages per active day, week and month`,
		Example: `  # The 20 most used events of March
  usagerep analytics events table --from 2026-03-01 --to 2026-03-31 --limit 20 logs/

  # Logins per active user, week by week
  usagerep analytics events timeline --events auth/login --split week --per users logs/`,
	}
	cmd.AddCommand(newEventsTableCmd(a, nil), newEventsTimelineCmd(a, nil), newEventsLifetimeCmd(a, nil))
	return cmd
}

// eventsTableOptions hold analytics events table's own flags.
type eventsTableOptions struct {
	analyticsOptions
	Hierarchy bool
	Sort      string
	Limit     int
	Offset    int
}

func newEventsTableCmd(a *app, runF func(context.Context, *eventsTableOptions) error) *cobra.Command {
	opts := &eventsTableOptions{analyticsOptions: analyticsOptions{IO: a.io, Now: time.Now}}
	cmd := &cobra.Command{
		Use:   "table [flags] <input>...",
		Short: "Every event's occurrences, users, averages and share of users",
		Long: `table lists every event of the range over the users active in it: its
occurrences (the sum of count), the users who performed it at least once
and those who never did, the average per user who performed it, per active
user and per session, and the share of the active users who performed it.

--hierarchy groups the events by category: a row per category (its users
are those who performed any of its events), then its events. --sort orders
by occurrences (default), users, never, per_user, per_active_user,
per_session, share or name, numbers largest first and names A to Z;
":asc" or ":desc" turns it round. --limit and --offset page through the
events (with --hierarchy, the categories). --segment-by splits each
event's figures: a row per event and segment.

Exit status: 0 done, 1 internal error, 2 bad flag or argument, 3 input
rejected under --strict or --max-errors, 4 output could not be written.`,
		Example: `  # The top 20 events of March, as CSV
  usagerep analytics events table --from 2026-03-01 --to 2026-03-31 --limit 20 -o events.csv logs/

  # The next page
  usagerep analytics events table --limit 20 --offset 20 logs/

  # By category, the least shared first, split by plan
  usagerep analytics events table --hierarchy --sort share:asc --segment-by plan logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.fill(a, cmd, args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEventsTable(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.BoolVar(&opts.Hierarchy, "hierarchy", false, "group the events by category")
	f.StringVar(&opts.Sort, "sort", "occurrences", "order: occurrences, users, never, per_user, per_active_user, per_session, share or name, optionally :asc or :desc")
	f.IntVar(&opts.Limit, "limit", 50, "show this many events (categories with --hierarchy); 0 for all")
	f.IntVar(&opts.Offset, "offset", 0, "skip this many first")
	_ = cmd.RegisterFlagCompletionFunc("sort", cobra.FixedCompletions(analytics.EventSortKeys, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// eventsPage checks --limit and --offset.
func eventsPage(limit, offset int) error {
	if limit < 0 || offset < 0 {
		return usageErrorf("--limit and --offset must be 0 or more")
	}
	return nil
}

func runEventsTable(ctx context.Context, opts *eventsTableOptions) error {
	key, reverse, err := analytics.ParseEventSort(opts.Sort)
	if err != nil {
		return usageErrorf("--sort: %v", err)
	}
	if err := eventsPage(opts.Limit, opts.Offset); err != nil {
		return err
	}
	params := []analytics.Param{
		{Key: "sort", Value: opts.Sort}, {Key: "limit", Value: strconv.Itoa(opts.Limit)}, {Key: "offset", Value: strconv.Itoa(opts.Offset)},
	}
	if opts.Hierarchy {
		params = append(params, analytics.Param{Key: "hierarchy", Value: "true"})
	}
	return runAnalytics(ctx, &opts.analyticsOptions, &analyticsPlan{
		command: "analytics events table", events: true, params: params,
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			t, err := analytics.BuildEventsTable(ds, analytics.EventsOptions{
				Hierarchy: opts.Hierarchy, Segment: seg, Sort: key, Reverse: reverse, Offset: opts.Offset, Limit: opts.Limit,
			})
			if err != nil {
				return nil, err
			}
			return []*analytics.Table{t.Report("Events", "Events over the range")}, nil
		},
	})
}

// eventsTimelineOptions hold analytics events timeline's own flags.
type eventsTimelineOptions struct {
	analyticsOptions
	Events string
	Split  string
	Per    string
	Limit  int
}

func newEventsTimelineCmd(a *app, runF func(context.Context, *eventsTimelineOptions) error) *cobra.Command {
	opts := &eventsTimelineOptions{analyticsOptions: analyticsOptions{IO: a.io, Now: time.Now}}
	cmd := &cobra.Command{
		Use:   "timeline [flags] <input>...",
		Short: "Occurrences of chosen events per period, optionally per user, session or runtime hour",
		Long: `timeline counts the occurrences of the --events chosen (by default the
--limit most frequent of the range) per period (--split day, ISO week or
month) and segment: a column per event. --per divides each by the period's
active users, the sessions started in it, or its runtime in hours (empty
when there are none).

An event is named category/action; an action alone counts that action in
every category, and category/* every event of a category. The xlsx
workbook draws a line per event (and segment).

Exit status: 0 done, 1 internal error, 2 bad flag or argument, 3 input
rejected under --strict or --max-errors, 4 output could not be written.`,
		Example: `  # Pushes and logins per day
  usagerep analytics events timeline --events code/push,auth/login logs/

  # Every code event per active user, month by month, as a workbook
  usagerep analytics events timeline --events 'code/*' --split month --per users -o code.xlsx logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.fill(a, cmd, args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEventsTimeline(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.Events, "events", "", "events to count, comma-separated: category/action, an action, or category/* (default: the --limit most frequent)")
	f.StringVar(&opts.Split, "split", "day", "day, week (ISO) or month")
	f.StringVar(&opts.Per, "per", "", "divide by the period's active users, sessions or runtime hours: users, sessions or runtime")
	f.IntVar(&opts.Limit, "limit", analytics.DefaultEventsShown, "without --events: how many of the most frequent events")
	_ = cmd.RegisterFlagCompletionFunc("split", cobra.FixedCompletions([]string{"day", "week", "month"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("per", cobra.FixedCompletions([]string{"users", "sessions", "runtime"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runEventsTimeline(ctx context.Context, opts *eventsTimelineOptions) error {
	split, err := analytics.ParseSplit(opts.Split)
	if err != nil || split == analytics.SplitNone {
		return usageErrorf("--split %q: want day, week or month", opts.Split)
	}
	per, err := analytics.ParsePer(opts.Per)
	if err != nil {
		return usageErrorf("--per: %v", err)
	}
	if opts.Limit < 1 {
		return usageErrorf("--limit must be 1 or more")
	}
	names := splitList(opts.Events)
	return runAnalytics(ctx, &opts.analyticsOptions, &analyticsPlan{
		command: "analytics events timeline", events: true,
		params: []analytics.Param{{Key: "events", Value: opts.Events}, {Key: "split", Value: split.String()}, {Key: "per", Value: opts.Per}},
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			et, err := analytics.BuildEventTimeline(ds, analytics.EventTimelineOptions{
				Split: split, Events: names, Top: opts.Limit, Per: per, Segment: seg,
			})
			if err != nil {
				return nil, err
			}
			return et.Report(), nil
		},
	})
}

// eventsLifetimeOptions hold analytics events lifetime's own flags.
type eventsLifetimeOptions struct {
	analyticsOptions
	Events         string
	Limit          int
	Buckets        string
	AverageBuckets string
}

func newEventsLifetimeCmd(a *app, runF func(context.Context, *eventsLifetimeOptions) error) *cobra.Command {
	opts := &eventsLifetimeOptions{analyticsOptions: analyticsOptions{IO: a.io, Now: time.Now}}
	cmd := &cobra.Command{
		Use:   "lifetime [flags] <input>...",
		Short: "How each event's users spread over their occurrences and averages per active day, week, month",
		Long: `lifetime shows, for each of the --events chosen (by default the --limit
most frequent), how the users who performed it in the range spread over
four histograms: their occurrences of it (--buckets), and their average
occurrences per day, ISO week and month they were active in the range
(--average-buckets). A table per histogram: a row per bucket, a column per
event with its users.

Buckets are increasing inclusive upper bounds; the last bucket holds
everything above the last bound. Occurrence buckets 1,2,5 give <=1, 2, 3-5
and >=6; average buckets 1,2,5 give <=1, 1-2 (above 1 up to 2), 2-5 and
>5.

Exit status: 0 done, 1 internal error, 2 bad flag or argument, 3 input
rejected under --strict or --max-errors, 4 output could not be written.`,
		Example: `  # The five most frequent events' histograms, as a workbook
  usagerep analytics events lifetime -o lifetime.xlsx logs/

  # Logins per active week, as CSV
  usagerep analytics events lifetime --events auth/login --format csv --table per_active_week logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.fill(a, cmd, args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEventsLifetime(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.Events, "events", "", "events, comma-separated: category/action, an action, or category/* (default: the --limit most frequent)")
	f.IntVar(&opts.Limit, "limit", analytics.DefaultEventsShown, "without --events: how many of the most frequent events")
	f.StringVar(&opts.Buckets, "buckets", "1,2,5,10,20,50,100", "occurrence buckets: increasing inclusive upper bounds")
	f.StringVar(&opts.AverageBuckets, "average-buckets", "1,2,5,10,20", "average buckets: increasing inclusive upper bounds (decimals allowed)")
	return cmd
}

// parseLifetimeBuckets reads --buckets and --average-buckets.
func parseLifetimeBuckets(totals, averages string) (analytics.Buckets, analytics.Buckets, error) {
	var tb []int64
	for _, it := range splitList(totals) {
		n, err := strconv.ParseInt(it, 10, 64)
		if err != nil {
			return analytics.Buckets{}, analytics.Buckets{}, usageErrorf("--buckets %q: %q is not a whole number", totals, it)
		}
		tb = append(tb, n)
	}
	t, err := analytics.NewCountBuckets(tb)
	if err != nil {
		return t, t, usageErrorf("--buckets %q: %v", totals, err)
	}
	var ab []float64
	for _, it := range splitList(averages) {
		v, err := strconv.ParseFloat(it, 64)
		if err != nil {
			return t, t, usageErrorf("--average-buckets %q: %q is not a number", averages, it)
		}
		ab = append(ab, v)
	}
	a, err := analytics.NewAverageBuckets(ab)
	if err != nil {
		return t, a, usageErrorf("--average-buckets %q: %v", averages, err)
	}
	return t, a, nil
}

func runEventsLifetime(ctx context.Context, opts *eventsLifetimeOptions) error {
	totals, avgs, err := parseLifetimeBuckets(opts.Buckets, opts.AverageBuckets)
	if err != nil {
		return err
	}
	if opts.Limit < 1 {
		return usageErrorf("--limit must be 1 or more")
	}
	names := splitList(opts.Events)
	return runAnalytics(ctx, &opts.analyticsOptions, &analyticsPlan{
		command: "analytics events lifetime", events: true,
		params: []analytics.Param{{Key: "events", Value: opts.Events}, {Key: "buckets", Value: opts.Buckets}, {Key: "average_buckets", Value: opts.AverageBuckets}},
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			lt, err := analytics.BuildLifetime(ds, analytics.LifetimeOptions{
				Events: names, Top: opts.Limit, Totals: totals, Averages: avgs, Segment: seg,
			})
			if err != nil {
				return nil, err
			}
			return lt.Report(""), nil
		},
	})
}
