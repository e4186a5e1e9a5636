package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/analytics"
	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/output"
	"github.com/usagerep/usagerep/pkg/source"
)

// analyticsFlags are the flags every analytics command shares besides the
// common ones.
type analyticsFlags struct {
	From, To        string
	Filters         []string
	SegmentBy       string
	Top             int
	Format          string
	Table           string
	SessionGap      string
	ServiceAccounts []string
}

// analyticsOptions hold what every analytics command needs; RunE only
// fills them.
type analyticsOptions struct {
	IO     *IOStreams
	Common commonFlags
	Flags  analyticsFlags
	Inputs []string

	// From configuration files only.
	Fields, Constants map[string]string
	Now               func() time.Time
}

// analyticsFormats are the output formats, by the extension naming each.
var analyticsFormats = []string{"json", "csv", "xlsx"}

func newAnalyticsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "analytics <command>",
		Short: "Engagement, event and churn analytics (JSON, CSV or xlsx)",
		Long: `analytics reports how a user base engages over a range of days: new, active
and lost users over time, the current state, usage distributions, events and
churn. Every report reads its inputs once, resolves users as the usage
reports do, and takes the same range, filters and segmentation:

  --from, --to      the range, inclusive days in --tz (default: the 30 days
                    ending on the day of --as-of)
  --filter EXPR     keep only what passes 'field OP value' (repeatable, all
                    must pass); OP is ==, !=, <, <=, >, >=, in or ~ (regular
                    expression); field is a canonical field or props.NAME
  --segment-by F    split every figure by the users' latest value of F: the
                    --top values with most users, the rest as Other

A session is the record's session id; without one, a gap of more than
--session-gap between a user's activities starts a new one. Runtime is the
sum of a session's durations, or its span when none gave one.`,
		Example: `  # Weekly new, active and lost users of March, by operating system
  usagerep analytics timeline --from 2026-03-01 --to 2026-03-31 --split week --segment-by props.os logs/

  # Who is active now, as a workbook with charts
  usagerep analytics current --as-of 2026-03-31 -o current.xlsx logs/`,
	}
	cmd.AddCommand(newAnalyticsTimelineCmd(a, nil))
	cmd.AddCommand(newAnalyticsCurrentCmd(a, nil))
	cmd.AddCommand(newAnalyticsDistributionCmd(a, nil))
	cmd.AddCommand(newAnalyticsEventsCmd(a))
	cmd.AddCommand(newAnalyticsChurnCmd(a, nil))
	cmd.AddCommand(newAnalyticsClientsCmd(a, nil))
	return cmd
}

// register adds the shared flags to cmd.
func (o *analyticsOptions) register(cmd *cobra.Command) {
	o.Common.register(cmd, output.Stdout)
	f := cmd.Flags()
	f.Lookup("output").Usage = "where to write (the format follows its extension unless --format says it); - for standard output"
	f.StringVar(&o.Flags.From, "from", "", "first day of the range, YYYY-MM-DD (default: 29 days before --to)")
	f.StringVar(&o.Flags.To, "to", "", "last day of the range, inclusive, YYYY-MM-DD (default: the day of --as-of)")
	f.StringArrayVar(&o.Flags.Filters, "filter", nil, "keep only what passes 'field OP value' (repeatable, all must pass), e.g. 'props.os ~ ^Windows'")
	f.StringVar(&o.Flags.SegmentBy, "segment-by", "", "split every figure by the users' latest value of this field (a canonical field or props.NAME)")
	f.IntVar(&o.Flags.Top, "top", analytics.DefaultTop, "with --segment-by: this many values keep their own segment, the rest are Other")
	f.StringVar(&o.Flags.Format, "format", "", "json, csv or xlsx (default: from -o's extension, else json)")
	f.StringVar(&o.Flags.Table, "table", "", "with csv: the table to write, by name (default the first)")
	f.StringVar(&o.Flags.SessionGap, "session-gap", "30m", "without a session id, a gap longer than this starts a new session")
	f.StringArrayVar(&o.Flags.ServiceAccounts, "service-account", nil, "glob over lower-cased emails and usernames marking service accounts (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(
		[]string{"json\ta JSON document", "csv\tRFC 4180 CSV, one table", "xlsx\ta workbook with charts"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("segment-by", completeFields)
}

func completeFields(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return append(analytics.FieldNames(), "props."), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// fill takes what RunE knows: the inputs and the configuration.
func (o *analyticsOptions) fill(a *app, cmd *cobra.Command, args []string) {
	o.Inputs = args
	o.Fields = stringMap(a.config, "fields")
	o.Constants = stringMap(a.config, "constants")
	if !cmd.Flags().Changed("service-account") {
		o.Flags.ServiceAccounts = append(o.Flags.ServiceAccounts, a.config.GetStringSlice("identity.service_accounts")...)
	}
}

// analyticsPlan is what one command asks of the shared run.
type analyticsPlan struct {
	command string
	// ownFrom says --from is the command's own, not the range's start:
	// the report's range is then the days kept.
	ownFrom bool
	// days returns the days to keep per user for the range [from, to]
	// and the day of as-of (default: the range).
	days func(from, to, asOf analytics.Day) (analytics.Day, analytics.Day)
	// latest are fields besides --segment-by whose latest value per user
	// is needed (timeline's levels).
	latest           []analytics.Field
	events, allProps bool
	params           []analytics.Param
	// build makes the report's tables. seg is --segment-by's index into
	// the dataset's latest fields (-1 for none); latest[i] is the index
	// of plan.latest[i].
	build func(ds *analytics.Dataset, seg analytics.SegmentOptions, latest []int) ([]*analytics.Table, error)
}

// analyticsRange is the range of days the flags give.
type analyticsRange struct {
	from, to, asOf analytics.Day
}

// resolveRange reads --from and --to; the day of as-of is the day of its
// last instant, so a bare --as-of date is that day.
func (o *analyticsOptions) resolveRange(set *settings, ownFrom bool) (analyticsRange, error) {
	var r analyticsRange
	r.asOf = analytics.DayOfDate(set.asOf.Add(-time.Nanosecond).In(set.loc))
	r.to = r.asOf
	if o.Flags.To != "" {
		d, err := parseDay("to", o.Flags.To)
		if err != nil {
			return r, err
		}
		r.to = analytics.DayOfDate(d)
	}
	r.from = r.to - 29
	if o.Flags.From != "" && !ownFrom {
		d, err := parseDay("from", o.Flags.From)
		if err != nil {
			return r, err
		}
		r.from = analytics.DayOfDate(d)
	}
	if r.to < r.from {
		return r, usageErrorf("--to %s is before --from %s", r.to, r.from)
	}
	return r, nil
}

// analyticsFormat decides the output format: --format, else -o's
// extension, else JSON.
func analyticsFormat(format, path string) (string, error) {
	if format != "" {
		f := strings.ToLower(format)
		if !slices.Contains(analyticsFormats, f) {
			return "", usageErrorf("--format %q: want json, csv or xlsx", format)
		}
		return f, nil
	}
	if ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), ".")); slices.Contains(analyticsFormats, ext) {
		return ext, nil
	}
	return "json", nil
}

// parseGap reads --session-gap.
func parseGap(s string) (time.Duration, error) {
	d, err := parseDays(s)
	if err != nil || d <= 0 {
		return 0, usageErrorf("--session-gap %q: want a positive duration such as 30m", s)
	}
	return d, nil
}

// runAnalytics reads the inputs once into a dataset and writes the
// command's report.
func runAnalytics(ctx context.Context, o *analyticsOptions, p *analyticsPlan) error {
	c := &o.Common
	set, err := c.resolve(o.Fields, o.Constants, o.Now())
	if err != nil {
		return err
	}
	rng, err := o.resolveRange(set, p.ownFrom)
	if err != nil {
		return err
	}
	filters := make([]*analytics.Filter, 0, len(o.Flags.Filters))
	for _, s := range o.Flags.Filters {
		f, err := analytics.ParseFilter(s, set.loc)
		if err != nil {
			return usageErrorf("--filter: %v", err)
		}
		filters = append(filters, f)
	}
	gap, err := parseGap(o.Flags.SessionGap)
	if err != nil {
		return err
	}
	if o.Flags.Top < 1 {
		return usageErrorf("--top must be 1 or more")
	}
	if err := identity.ValidatePatterns(o.Flags.ServiceAccounts); err != nil {
		return usageErrorf("--service-account: %v", err)
	}
	// The latest fields: --segment-by first, then the command's own.
	var latest []analytics.Field
	index := func(f analytics.Field) int {
		for i, g := range latest {
			if g.Name == f.Name {
				return i
			}
		}
		latest = append(latest, f)
		return len(latest) - 1
	}
	seg := analytics.SegmentOptions{By: -1, Top: o.Flags.Top}
	if o.Flags.SegmentBy != "" {
		f, err := analytics.ParseField(strings.TrimSpace(o.Flags.SegmentBy))
		if err != nil {
			return usageErrorf("--segment-by: %v", err)
		}
		if !f.Segmentable() {
			return usageErrorf("--segment-by %s: a time has no segments", f.Name)
		}
		seg.By = index(f)
	}
	latestIdx := make([]int, len(p.latest))
	for i, f := range p.latest {
		latestIdx[i] = index(f)
	}
	format, err := analyticsFormat(o.Flags.Format, c.Output)
	if err != nil {
		return err
	}
	if o.Flags.Table != "" && format != "csv" {
		return usageErrorf("--table chooses the table of CSV output; %s holds them all", format)
	}
	if format == "xlsx" && c.Output == output.Stdout && o.IO.StdoutTTY {
		return usageErrorf("an xlsx workbook is not for a terminal: name a file with -o")
	}

	keepFrom, keepTo := rng.from, rng.to
	if p.days != nil {
		keepFrom, keepTo = p.days(rng.from, rng.to, rng.asOf)
	}
	if p.ownFrom {
		rng.from, rng.to = keepFrom, keepTo
	}
	aopts := analytics.Options{
		From: keepFrom.Date(), To: keepTo.Date(), Location: set.loc, AsOf: set.asOf,
		SessionGap: gap, Filters: filters, Latest: latest, AllProps: p.allProps, Events: p.events,
	}
	acc, err := analytics.NewAccumulator(aopts)
	if err != nil {
		return usageErrorf("--from %s --to %s: %v", rng.from, rng.to, err)
	}
	keepProps := p.allProps
	for _, f := range filters {
		keepProps = keepProps || strings.HasPrefix(f.Field.Name, "props.")
	}
	for _, f := range latest {
		keepProps = keepProps || strings.HasPrefix(f.Name, "props.")
	}

	stopProfiles, err := c.startProfiles()
	if err != nil {
		return err
	}
	defer stopProfiles()

	// The destination first: an unwritable one fails before a long scan.
	path := c.Output
	out, err := createOutput(path, o.IO)
	if err != nil {
		return outputError(err)
	}
	defer out.Abort()

	accs, res, err := scan(ctx, o.IO, c, set, o.Inputs, acc.Sibling, keepProps)
	if err != nil {
		return err
	}
	for _, a := range accs {
		acc.Merge(a)
	}
	ds := analytics.Build(acc, analytics.BuildOptions{ServiceAccountPatterns: o.Flags.ServiceAccounts})
	tables, err := p.build(ds, seg, latestIdx)
	if err != nil {
		return usageErrorf("%s: %v", p.command, err)
	}
	rep := &analytics.Report{
		Command: p.command, From: rng.from, To: rng.to, AsOf: set.asOf, Location: set.loc,
		Params: o.params(filters, latest, seg, p.params), Tables: tables,
		Quality: analytics.DataQuality{Mentions: ds.Quality, Sources: sourceQuality(res.stats)},
	}
	if err := writeAnalytics(out, format, o.Flags.Table, rep); err != nil {
		var ue *exitError
		if errors.As(err, &ue) {
			return err
		}
		if !errors.Is(err, output.ErrWrite) {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return outputError(err)
	}
	if err := out.Commit(); err != nil {
		return outputError(err)
	}
	if err := stopProfiles(); err != nil {
		return err
	}
	if !c.Quiet {
		if path == output.Stdout {
			path = "standard output"
		}
		fmt.Fprintf(o.IO.ErrOut, "usagerep: %s records read (%s rejected) from %s in %s (%s); %s; wrote %s\n",
			groupDigits(res.records), groupDigits(res.rejected), plural(len(res.stats.Sources), "input"),
			res.elapsed.Round(time.Millisecond), throughput(res.stats.Bytes, res.elapsed),
			pluralDigits(int64(len(ds.Users)), "user"), path)
	}
	return nil
}

// params lists the settings shared by every command, then the command's.
func (o *analyticsOptions) params(filters []*analytics.Filter, latest []analytics.Field, seg analytics.SegmentOptions, own []analytics.Param) []analytics.Param {
	var ps []analytics.Param
	for _, f := range filters {
		ps = append(ps, analytics.Param{Key: "filter", Value: f.String()})
	}
	if seg.By >= 0 {
		ps = append(ps, analytics.Param{Key: "segment_by", Value: latest[seg.By].Name}, analytics.Param{Key: "top", Value: strconv.Itoa(seg.Top)})
	}
	ps = append(ps, analytics.Param{Key: "session_gap", Value: o.Flags.SessionGap})
	return append(ps, own...)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, it := range strings.Split(s, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// sourceQuality is the scan's per-input counts, reasons in order.
func sourceQuality(st source.Stats) []analytics.SourceQuality {
	out := make([]analytics.SourceQuality, 0, len(st.Sources))
	for _, s := range st.Sources {
		q := analytics.SourceQuality{Name: s.Name, Read: s.Records, Rejected: s.Rejected}
		for r, n := range s.Reasons {
			q.Reasons = append(q.Reasons, analytics.ReasonCount{Reason: r, Count: n})
		}
		slices.SortFunc(q.Reasons, func(a, b analytics.ReasonCount) int { return strings.Compare(a.Reason, b.Reason) })
		out = append(out, q)
	}
	return out
}
