package cli

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/report"
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
  usagerep analytics churn --format csv --table lost_events --limit 0 logs/

  # Cohorts of raw user ids rather than resolved users
  usagerep analytics churn --by user_id --split month logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: analyticsRunE(a, opts, runF, runChurn),
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.Split, "split", "week", "cohorts and offsets: day, week (ISO) or month")
	f.StringVar(&opts.LostAfter, "lost-after", report.DefaultLostAfter, "a user is lost once its last activity is this old at as-of (e.g. 30d, 2w)")
	f.StringVar(&opts.SessionBuckets, "session-buckets", report.DefaultSessionBuckets, "the lost users' session-count buckets: increasing inclusive upper bounds")
	f.StringVar(&opts.RuntimeBuckets, "runtime-buckets", report.DefaultRuntimeBuckets, "the lost users' runtime buckets: increasing inclusive upper bounds, h:mm")
	f.StringVar(&opts.Sort, "sort", report.DefaultEventSort, "the lost users' events order (as in 'events table')")
	f.IntVar(&opts.Limit, "limit", report.DefaultEventLimit, "the lost users' events shown; 0 for all")
	f.IntVar(&opts.Offset, "offset", 0, "the lost users' events skipped first")
	_ = cmd.RegisterFlagCompletionFunc("split", cobra.FixedCompletions([]string{"day", "week", "month"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runChurn(ctx context.Context, opts *churnOptions) error {
	return runAnalytics(ctx, &opts.analyticsOptions, "churn", url.Values{
		"split": {opts.Split}, "lost_after": {opts.LostAfter},
		"session_buckets": {opts.SessionBuckets}, "runtime_buckets": {opts.RuntimeBuckets},
		"sort": {opts.Sort}, "limit": {strconv.Itoa(opts.Limit)}, "offset": {strconv.Itoa(opts.Offset)},
	})
}
