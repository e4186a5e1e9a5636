package cli

import (
	"context"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/analytics"
)

// currentOptions hold analytics current's own flags.
type currentOptions struct {
	analyticsOptions
	Windows string
}

func newAnalyticsCurrentCmd(a *app, runF func(context.Context, *currentOptions) error) *cobra.Command {
	opts := &currentOptions{analyticsOptions: analyticsOptions{IO: a.io, Now: time.Now}}
	cmd := &cobra.Command{
		Use:   "current [flags] <input>...",
		Short: "Users known and active in the last 1, 7 and 30 days, by segment",
		Long: `current is the state of the user base at the end of the range (--to, by
default the day of --as-of): per segment, the users known (first seen by
then; with --from, only those last seen on or after it) and those active
in each window of --windows days ending that day.

The xlsx workbook draws the active users of each window as bars per
segment.

Exit status: 0 done, 1 internal error, 2 bad flag or argument, 3 input
rejected under --strict or --max-errors, 4 output could not be written.`,
		Example: `  # Today's user base, as JSON
  usagerep analytics current logs/

  # At the end of March, by plan, with a 90-day window, as a workbook
  usagerep analytics current --as-of 2026-03-31 --segment-by plan --windows 1,7,30,90 -o current.xlsx logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.fill(a, cmd, args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runCurrent(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.Lookup("from").Usage = "leave out of the known users those last seen before this day, YYYY-MM-DD (default: none)"
	f.StringVar(&opts.Windows, "windows", "1,7,30", "windows of active users, in days ending with --to (comma-separated)")
	return cmd
}

func runCurrent(ctx context.Context, opts *currentOptions) error {
	var wins []int
	for _, s := range splitList(opts.Windows) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 3660 {
			return usageErrorf("--windows %q: want days from 1 to 3660, e.g. 1,7,30", opts.Windows)
		}
		wins = append(wins, n)
	}
	if len(wins) == 0 {
		return usageErrorf("--windows: no window")
	}
	longest := analytics.Day(0)
	for _, w := range wins {
		longest = max(longest, analytics.Day(w))
	}
	var since time.Time
	if opts.Flags.From != "" {
		d, err := parseDay("from", opts.Flags.From)
		if err != nil {
			return err
		}
		since = d
	}
	return runAnalytics(ctx, &opts.analyticsOptions, &analyticsPlan{
		command: "analytics current",
		// --from only selects the known users: the range is the windows.
		ownFrom: true,
		days: func(_, to, _ analytics.Day) (analytics.Day, analytics.Day) {
			return to - longest + 1, to
		},
		params: []analytics.Param{{Key: "windows", Value: opts.Windows}},
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, _ []int) ([]*analytics.Table, error) {
			c, err := analytics.BuildCurrent(ds, analytics.CurrentOptions{Windows: wins, KnownSince: since, Segment: seg})
			if err != nil {
				return nil, err
			}
			return c.Report(), nil
		},
	})
}
