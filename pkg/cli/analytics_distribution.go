package cli

import (
	"context"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/analytics"
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
  usagerep analytics distribution --segment-by plan -o distribution.xlsx logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.fill(a, cmd, args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDistribution(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.SessionBuckets, "session-buckets", "1,2,3,5,8,12", "session-count buckets: increasing inclusive upper bounds (comma-separated)")
	f.StringVar(&opts.RuntimeBuckets, "runtime-buckets", "0:05,0:15,0:30,1:00,2:00", "runtime buckets: increasing inclusive upper bounds, h:mm or whole minutes (comma-separated)")
	return cmd
}

// parseSessionBuckets reads --session-buckets.
func parseSessionBuckets(s string) (analytics.Buckets, error) {
	var bounds []int64
	for _, it := range splitList(s) {
		n, err := strconv.ParseInt(it, 10, 64)
		if err != nil {
			return analytics.Buckets{}, usageErrorf("--session-buckets %q: %q is not a whole number", s, it)
		}
		bounds = append(bounds, n)
	}
	b, err := analytics.NewCountBuckets(bounds)
	if err != nil {
		return b, usageErrorf("--session-buckets %q: %v", s, err)
	}
	return b, nil
}

// parseRuntimeBuckets reads --runtime-buckets.
func parseRuntimeBuckets(s string) (analytics.Buckets, error) {
	var bounds []time.Duration
	for _, it := range splitList(s) {
		d, err := analytics.ParseRuntimeBound(it)
		if err != nil {
			return analytics.Buckets{}, usageErrorf("--runtime-buckets: %v", err)
		}
		bounds = append(bounds, d)
	}
	b, err := analytics.NewRuntimeBuckets(bounds)
	if err != nil {
		return b, usageErrorf("--runtime-buckets %q: %v", s, err)
	}
	return b, nil
}

func runDistribution(ctx context.Context, opts *distributionOptions) error {
	sb, err := parseSessionBuckets(opts.SessionBuckets)
	if err != nil {
		return err
	}
	rb, err := parseRuntimeBuckets(opts.RuntimeBuckets)
	if err != nil {
		return err
	}
	return runAnalytics(ctx, &opts.analyticsOptions, &analyticsPlan{
		command: "analytics distribution",
		params: []analytics.Param{
			{Key: "session_buckets", Value: opts.SessionBuckets}, {Key: "runtime_buckets", Value: opts.RuntimeBuckets},
		},
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			d, err := analytics.BuildDistribution(ds, analytics.DistributionOptions{Sessions: sb, Runtime: rb, Segment: seg})
			if err != nil {
				return nil, err
			}
			return d.Report(), nil
		},
	})
}
