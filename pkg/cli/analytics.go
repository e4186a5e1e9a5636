package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/analytics"
	"github.com/usagerep/usagerep/pkg/output"
	"github.com/usagerep/usagerep/pkg/report"
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
	By              string
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

// clientNoun names a client in the summary line, by --by.
var clientNoun = map[analytics.ClientBy]string{analytics.ByIdentity: "user", analytics.ByUserID: "user id", analytics.BySession: "session"}

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
  --by B            what one client ("user") is: identity (default), user_id
                    (a system's raw user id) or session

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
	f.StringVar(&o.Flags.By, "by", "identity", "what one client is: identity (a resolved user), user_id (a system's raw user id) or session")
	f.StringArrayVar(&o.Flags.ServiceAccounts, "service-account", nil, "glob over lower-cased emails and usernames marking service accounts (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(
		[]string{"json\ta JSON document", "csv\tRFC 4180 CSV, one table", "xlsx\ta workbook with charts"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("segment-by", completeFields)
	_ = cmd.RegisterFlagCompletionFunc("by", cobra.FixedCompletions(
		[]string{"identity\ta resolved user (the default)", "user_id\ta system's raw user id", "session\tone session"}, cobra.ShellCompDirectiveNoFileComp))
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

// analyticsRunE is an analytics command's RunE: opts filled from the
// arguments and the configuration, then run, or runF when a test gives
// one.
func analyticsRunE[O interface {
	fill(a *app, cmd *cobra.Command, args []string)
}](a *app, opts O, runF, run func(context.Context, O) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		opts.fill(a, cmd, args)
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return run(cmd.Context(), opts)
	}
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

// analyticsUsage makes a bad option of the shared parser a usage error.
func analyticsUsage(err error) error {
	var ae *report.AnalyticsError
	if errors.As(err, &ae) {
		return usageErrorf("%s", ae.Msg)
	}
	return err
}

// runAnalytics reads the inputs once into a dataset and writes the
// report named name (as report.AnalyticsReports names it); own are its
// own options, by query name.
func runAnalytics(ctx context.Context, o *analyticsOptions, name string, own url.Values) error {
	c := &o.Common
	set, err := c.resolve(o.Fields, o.Constants, o.Now())
	if err != nil {
		return err
	}
	v := url.Values{}
	for k, xs := range own {
		v[k] = xs
	}
	v["filter"] = o.Flags.Filters
	v.Set("from", o.Flags.From)
	v.Set("to", o.Flags.To)
	v.Set("segment_by", o.Flags.SegmentBy)
	v.Set("top", strconv.Itoa(o.Flags.Top))
	v.Set("session_gap", o.Flags.SessionGap)
	v.Set("by", o.Flags.By)
	plan, err := report.ParseAnalytics(report.AnalyticsQuery{
		Report: name, Location: set.loc, AsOf: set.asOf, Values: v, ServiceAccounts: o.Flags.ServiceAccounts,
	})
	if err != nil {
		return analyticsUsage(err)
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
	acc, err := plan.NewAccumulator()
	if err != nil {
		return analyticsUsage(err)
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

	accs, res, err := scan(ctx, o.IO, c, set, o.Inputs, acc.Sibling, plan.KeepProps())
	if err != nil {
		return err
	}
	for _, a := range accs {
		acc.Merge(a)
	}
	releaseMemory()
	rep, ds, err := plan.Build(acc, res.stats)
	releaseMemory()
	if err != nil {
		return analyticsUsage(err)
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
			pluralDigits(int64(len(ds.Users)), clientNoun[ds.By]), path)
	}
	hint := asOfHint
	if o.Flags.From != "" || o.Flags.To != "" {
		hint = rangeHint
	}
	warnIfEmpty(o.IO.ErrOut, res, o.Inputs, daysRange("the report's range", rep.From.Date(), rep.To.Date(), set.asOf, set.loc, hint))
	return nil
}
