package cli

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/report"

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
  usagerep analytics events table --hierarchy --sort share:asc --segment-by plan logs/

  # Events per session: "users" are sessions
  usagerep analytics events table --by session logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: analyticsRunE(a, opts, runF, runEventsTable),
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.BoolVar(&opts.Hierarchy, "hierarchy", false, "group the events by category")
	f.StringVar(&opts.Sort, "sort", report.DefaultEventSort, "order: occurrences, users, never, per_user, per_active_user, per_session, share or name, optionally :asc or :desc")
	f.IntVar(&opts.Limit, "limit", report.DefaultEventLimit, "show this many events (categories with --hierarchy); 0 for all")
	f.IntVar(&opts.Offset, "offset", 0, "skip this many first")
	_ = cmd.RegisterFlagCompletionFunc("sort", cobra.FixedCompletions(analytics.EventSortKeys, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runEventsTable(ctx context.Context, opts *eventsTableOptions) error {
	return runAnalytics(ctx, &opts.analyticsOptions, "events table", url.Values{
		"hierarchy": {strconv.FormatBool(opts.Hierarchy)}, "sort": {opts.Sort},
		"limit": {strconv.Itoa(opts.Limit)}, "offset": {strconv.Itoa(opts.Offset)},
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
  usagerep analytics events timeline --events 'code/*' --split month --per users -o code.xlsx logs/

  # Per raw user id instead of per resolved user
  usagerep analytics events timeline --events auth/login --per users --by user_id logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: analyticsRunE(a, opts, runF, runEventsTimeline),
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
	return runAnalytics(ctx, &opts.analyticsOptions, "events timeline", url.Values{
		"events": {opts.Events}, "split": {opts.Split}, "per": {opts.Per}, "limit": {strconv.Itoa(opts.Limit)},
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
  usagerep analytics events lifetime --events auth/login --format csv --table per_active_week logs/

  # How sessions spread over their occurrences of an event
  usagerep analytics events lifetime --events code/push --by session logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: analyticsRunE(a, opts, runF, runEventsLifetime),
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.Events, "events", "", "events, comma-separated: category/action, an action, or category/* (default: the --limit most frequent)")
	f.IntVar(&opts.Limit, "limit", analytics.DefaultEventsShown, "without --events: how many of the most frequent events")
	f.StringVar(&opts.Buckets, "buckets", report.DefaultBuckets, "occurrence buckets: increasing inclusive upper bounds")
	f.StringVar(&opts.AverageBuckets, "average-buckets", report.DefaultAverageBuckets, "average buckets: increasing inclusive upper bounds (decimals allowed)")
	return cmd
}

func runEventsLifetime(ctx context.Context, opts *eventsLifetimeOptions) error {
	return runAnalytics(ctx, &opts.analyticsOptions, "events lifetime", url.Values{
		"events": {opts.Events}, "limit": {strconv.Itoa(opts.Limit)},
		"buckets": {opts.Buckets}, "average_buckets": {opts.AverageBuckets},
	})
}
