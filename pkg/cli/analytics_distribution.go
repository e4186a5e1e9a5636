package cli

import (
	"context"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/report"
)

// distributionOptions hold analytics distribution's own flags.
type distributionOptions struct {
	analyticsOptions
	SessionBuckets string
	RuntimeBuckets string
}

func newAnalyticsDistributionCmd(a *app, runF func(context.Context, *distributionOptions) error) *cobra.Command {
	opts := &distributionOptions{analyticsOptions: analyticsOptions{IO: a.io, Now: time.Now}}
	cmd := &cobra.Command{
		Use:   "distribution [flags] <input>...",
		Short: "Users by active days, sessions and runtime over the range",
		Long: `distribution spreads the users active in the range over the number of days
they were active (1, 2, 3, ...) and shows how each of those groups spreads
over session-count buckets and runtime buckets (the "distribution" table),
then the three plain histograms: users by active days, by sessions and by
runtime.

Buckets are inclusive upper bounds; the last bucket holds everything above
the last bound. --session-buckets 1,2,3,5,8,12 gives <=1, 2, 3, 4-5, 6-8,
9-12 and >=13; --runtime-buckets 0:05,0:15,0:30,1:00,2:00 (h:mm, or Go
durations of whole minutes) gives <=0:05, 0:06-0:15, 0:16-0:30,
0:31-1:00, 1:01-2:00 and >=2:01, a runtime of 5m30s being above 0:05.

The xlsx workbook draws a bar chart beside each table. --format csv writes
the table --table names (distribution, active_days, sessions, runtime).

Exit status: 0 done, 1 internal error, 2 bad flag or argument, 3 input
rejected under --strict or --max-errors, 4 output could not be written.`,
		Example: `  # March's usage distribution, as JSON
  usagerep analytics distribution --from 2026-03-01 --to 2026-03-31 logs/

  # Coarser runtime buckets, the sessions histogram as CSV
  usagerep analytics distribution --runtime-buckets 0:15,1:00,4:00 --format csv --table sessions logs/

  # By plan, as a workbook with charts
  usagerep analytics distribution --segment-by plan -o distribution.xlsx logs/

  # The same over raw user ids, per system
  usagerep analytics distribution --by user_id logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: analyticsRunE(a, opts, runF, runDistribution),
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.SessionBuckets, "session-buckets", report.DefaultSessionBuckets, "session-count buckets: increasing inclusive upper bounds (comma-separated)")
	f.StringVar(&opts.RuntimeBuckets, "runtime-buckets", report.DefaultRuntimeBuckets, "runtime buckets: increasing inclusive upper bounds, h:mm or whole minutes (comma-separated)")
	return cmd
}

func runDistribution(ctx context.Context, opts *distributionOptions) error {
	return runAnalytics(ctx, &opts.analyticsOptions, "distribution", url.Values{
		"session_buckets": {opts.SessionBuckets}, "runtime_buckets": {opts.RuntimeBuckets},
	})
}
