package cli

import (
	"context"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/report"
)

// timelineOptions hold analytics timeline's own flags.
type timelineOptions struct {
	analyticsOptions
	Split     string
	Status    string
	Metrics   string
	LostAfter string
	Levels    string
}

func newAnalyticsTimelineCmd(a *app, runF func(context.Context, *timelineOptions) error) *cobra.Command {
	opts := &timelineOptions{analyticsOptions: analyticsOptions{IO: a.io, Now: time.Now}}
	cmd := &cobra.Command{
		Use:   "timeline [flags] <input>...",
		Short: "New, active and lost users, sessions, runtime and events per period",
		Long: `timeline counts, per period of the range (--split day, ISO week or calendar
month, each named by its first day) and per segment: new users (first seen
in the period), active users (any activity in it), lost users (the period
holds the day their last activity became --lost-after old, before as-of),
and the sessions started, their runtime in hours and the events (the sum of
count) in it.

Without --split it gives the totals over the range; --levels f1,f2,f3 then
nests them up to three levels deep (each level's top values, the rest as
Other), as rows of a tree.

Users are resolved over every record before as-of, so "new" and "lost"
see their whole history. The xlsx workbook draws a line chart per figure
(one line per segment) beside the table.

Exit status: 0 done, 1 internal error, 2 bad flag or argument, 3 input
rejected under --strict or --max-errors, 4 output could not be written.`,
		Example: `  # March, week by week, as JSON on standard output
  usagerep analytics timeline --from 2026-03-01 --to 2026-03-31 --split week logs/

  # Daily active users by OS, the top 5 and Other, as CSV
  usagerep analytics timeline --split day --status active --metrics "" --segment-by props.os --top 5 -o dau.csv logs/

  # Totals by plan, then country, of the Windows users, as a workbook
  usagerep analytics timeline --levels plan,props.country --filter 'props.os ~ ^Windows' -o plans.xlsx logs/

  # Weekly active raw user ids (one per system and id) instead of resolved users
  usagerep analytics timeline --split week --by user_id logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: analyticsRunE(a, opts, runF, runTimeline),
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.Split, "split", "", "day, week (ISO, from Monday) or month; none gives totals over the range")
	f.StringVar(&opts.Status, "status", report.DefaultStatus, "user counts to show: new, active, lost (comma-separated)")
	f.StringVar(&opts.Metrics, "metrics", report.DefaultMetrics, "activity figures to show: sessions, runtime, events (comma-separated; \"\" for none)")
	f.StringVar(&opts.LostAfter, "lost-after", report.DefaultLostAfter, "a user is lost once its last activity is this old (e.g. 30d, 2w is 14d)")
	f.StringVar(&opts.Levels, "levels", "", "without --split: up to three fields nesting the totals, e.g. plan,props.country")
	_ = cmd.RegisterFlagCompletionFunc("split", cobra.FixedCompletions([]string{"day", "week", "month"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runTimeline(ctx context.Context, opts *timelineOptions) error {
	return runAnalytics(ctx, &opts.analyticsOptions, "timeline", url.Values{
		"split": {opts.Split}, "status": {opts.Status}, "metrics": {opts.Metrics}, "lost_after": {opts.LostAfter}, "levels": {opts.Levels},
	})
}
