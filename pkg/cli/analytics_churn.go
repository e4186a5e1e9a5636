package cli

import (
	"context"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/analytics"
)

// churnOptions hold analytics churn's own flags.
type churnOptions struct {
	analyticsOptions
	Split          string
	LostAfter      string
	SessionBuckets string
	RuntimeBuckets string
	Sort           string
	Limit          int
	Offset         int
}

func newAnalyticsChurnCmd(a *app, runF func(context.Context, *churnOptions) error) *cobra.Command {
	opts := &churnOptions{analyticsOptions: analyticsOptions{IO: a.io, Now: time.Now}}
	cmd := &cobra.Command{
		Use:   "churn [flags] <input>...",
		Short: "Cohorts of new users: engaged and lost period by period, and what the lost ones did",
		Long: `churn follows the users first seen in the range. A user is lost when its
last activity is more than --lost-after before as-of; it counts as lost
from the period holding the day that happened.

  cohorts      users by the period (--split day, ISO week or month) they were
               first seen in; for each period since (offset 0 is their
               own), up to the one holding as-of: how many were engaged
               (active in it) and how many lost by its end, and the shares
  retention    all cohorts together, by offset (each offset over the
               cohorts that reached it)
  lost_*       the lost users' lifetimes: histograms of active days,
               sessions (--session-buckets) and runtime (--runtime-buckets)
  lost_events  the events the lost users performed in their lifetime, as
               in 'events table' (--sort, --limit, --offset)

Activity after --to, up to as-of, counts: a cohort is followed to as-of.
The xlsx workbook draws a line per cohort, lines of the shares by offset,
and bars for the histograms.

Exit status: 0 done, 1 internal error, 2 bad flag or argument, 3 input
rejected under --strict or --max-errors, 4 output could not be written.`,
		Example: `  # Weekly cohorts of the first quarter, followed to today
  usagerep analytics churn --from 2026-01-01 --to 2026-03-31 logs/

  # Monthly cohorts, lost after 60 days, as a workbook
  usagerep analytics churn --split month --lost-after 60d -o churn.xlsx logs/

  # What the lost users did, as CSV
  usagerep analytics churn --format csv --table lost_events --limit 0 logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.fill(a, cmd, args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runChurn(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.Split, "split", "week", "cohorts and offsets: day, week (ISO) or month")
	f.StringVar(&opts.LostAfter, "lost-after", "30d", "a user is lost once its last activity is this old at as-of (e.g. 30d, 2w)")
	f.StringVar(&opts.SessionBuckets, "session-buckets", "1,2,3,5,8,12", "the lost users' session-count buckets: increasing inclusive upper bounds")
	f.StringVar(&opts.RuntimeBuckets, "runtime-buckets", "0:05,0:15,0:30,1:00,2:00", "the lost users' runtime buckets: increasing inclusive upper bounds, h:mm")
	f.StringVar(&opts.Sort, "sort", "occurrences", "the lost users' events order (as in 'events table')")
	f.IntVar(&opts.Limit, "limit", 50, "the lost users' events shown; 0 for all")
	f.IntVar(&opts.Offset, "offset", 0, "the lost users' events skipped first")
	_ = cmd.RegisterFlagCompletionFunc("split", cobra.FixedCompletions([]string{"day", "week", "month"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runChurn(ctx context.Context, opts *churnOptions) error {
	split, err := analytics.ParseSplit(opts.Split)
	if err != nil || split == analytics.SplitNone {
		return usageErrorf("--split %q: want day, week or month", opts.Split)
	}
	lost, err := parseLostAfter(opts.LostAfter)
	if err != nil {
		return err
	}
	sb, err := parseSessionBuckets(opts.SessionBuckets)
	if err != nil {
		return err
	}
	rb, err := parseRuntimeBuckets(opts.RuntimeBuckets)
	if err != nil {
		return err
	}
	key, reverse, err := analytics.ParseEventSort(opts.Sort)
	if err != nil {
		return usageErrorf("--sort: %v", err)
	}
	if err := eventsPage(opts.Limit, opts.Offset); err != nil {
		return err
	}
	var from, to analytics.Day
	return runAnalytics(ctx, &opts.analyticsOptions, &analyticsPlan{
		command: "analytics churn", events: true,
		// The cohorts' days, then everything up to as-of.
		days: func(f, t, asOf analytics.Day) (analytics.Day, analytics.Day) {
			from, to = f, t
			return f, max(t, asOf)
		},
		params: []analytics.Param{
			{Key: "split", Value: split.String()}, {Key: "lost_after", Value: opts.LostAfter},
			{Key: "session_buckets", Value: opts.SessionBuckets}, {Key: "runtime_buckets", Value: opts.RuntimeBuckets},
			{Key: "sort", Value: opts.Sort}, {Key: "limit", Value: strconv.Itoa(opts.Limit)}, {Key: "offset", Value: strconv.Itoa(opts.Offset)},
		},
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			c, err := analytics.BuildChurn(ds, analytics.ChurnOptions{
				Split: split, LostAfter: lost, From: from, To: to, Sessions: sb, Runtime: rb, Segment: seg,
				Events: analytics.EventsOptions{Sort: key, Reverse: reverse, Limit: opts.Limit, Offset: opts.Offset},
			})
			if err != nil {
				return nil, err
			}
			return c.Report(), nil
		},
	})
}
