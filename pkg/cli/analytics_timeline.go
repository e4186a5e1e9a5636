package cli

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/analytics"
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
  usagerep analytics timeline --levels plan,props.country --filter 'props.os ~ ^Windows' -o plans.xlsx logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.fill(a, cmd, args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runTimeline(cmd.Context(), opts)
		},
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.Split, "split", "", "day, week (ISO, from Monday) or month; none gives totals over the range")
	f.StringVar(&opts.Status, "status", "new,active,lost", "user counts to show: new, active, lost (comma-separated)")
	f.StringVar(&opts.Metrics, "metrics", "sessions,runtime,events", "activity figures to show: sessions, runtime, events (comma-separated; \"\" for none)")
	f.StringVar(&opts.LostAfter, "lost-after", "30d", "a user is lost once its last activity is this old (e.g. 30d, 2w is 14d)")
	f.StringVar(&opts.Levels, "levels", "", "without --split: up to three fields nesting the totals, e.g. plan,props.country")
	_ = cmd.RegisterFlagCompletionFunc("split", cobra.FixedCompletions([]string{"day", "week", "month"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// parseLostAfter reads --lost-after: days (30d), weeks (2w) or a Go
// duration.
func parseLostAfter(s string) (time.Duration, error) {
	d, err := parseDays(weeksToDays(s))
	if err != nil || d <= 0 {
		return 0, usageErrorf("--lost-after %q: want a positive duration such as 30d, 2w or 36h", s)
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

func runTimeline(ctx context.Context, opts *timelineOptions) error {
	split, err := analytics.ParseSplit(opts.Split)
	if err != nil {
		return usageErrorf("--split: %v", err)
	}
	lost, err := parseLostAfter(opts.LostAfter)
	if err != nil {
		return err
	}
	cols, err := analytics.ParseTimelineColumns(splitList(opts.Status), splitList(opts.Metrics))
	if err != nil {
		return usageErrorf("%v", err)
	}
	if len(cols) == 0 {
		return usageErrorf("--status and --metrics leave nothing to show")
	}
	var levels []analytics.Field
	for _, name := range splitList(opts.Levels) {
		f, err := analytics.ParseField(name)
		if err != nil {
			return usageErrorf("--levels: %v", err)
		}
		if !f.Segmentable() {
			return usageErrorf("--levels %s: a time has no segments", f.Name)
		}
		levels = append(levels, f)
	}
	switch {
	case len(levels) > 3:
		return usageErrorf("--levels: at most three fields")
	case len(levels) > 0 && split != analytics.SplitNone:
		return usageErrorf("--levels nests the totals: it takes no --split")
	case len(levels) > 0 && opts.Flags.SegmentBy != "":
		return usageErrorf("--levels segments the totals already: leave out --segment-by")
	}
	params := []analytics.Param{{Key: "split", Value: split.String()}, {Key: "lost_after", Value: opts.LostAfter}}
	if len(levels) > 0 {
		params = append(params, analytics.Param{Key: "levels", Value: opts.Levels})
	}
	return runAnalytics(ctx, &opts.analyticsOptions, &analyticsPlan{
		command: "analytics timeline",
		latest:  levels,
		params:  params,
		build: func(ds *analytics.Dataset, seg analytics.SegmentOptions, latest []int) ([]*analytics.Table, error) {
			tl, err := analytics.BuildTimeline(ds, analytics.TimelineOptions{
				Split: split, LostAfter: lost, Segment: seg, Levels: latest, Columns: cols,
			})
			if err != nil {
				return nil, err
			}
			return tl.Report(), nil
		},
	})
}
