package cli

import (
	"context"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/report"
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
  usagerep analytics current --as-of 2026-03-31 --segment-by plan --windows 1,7,30,90 -o current.xlsx logs/

  # Sessions in the last 1, 7 and 30 days
  usagerep analytics current --by session logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: analyticsRunE(a, opts, runF, runCurrent),
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.Lookup("from").Usage = "leave out of the known users those last seen before this day, YYYY-MM-DD (default: none)"
	f.StringVar(&opts.Windows, "windows", report.DefaultWindows, "windows of active users, in days ending with --to (comma-separated)")
	return cmd
}

func runCurrent(ctx context.Context, opts *currentOptions) error {
	return runAnalytics(ctx, &opts.analyticsOptions, "current", url.Values{"windows": {opts.Windows}})
}
