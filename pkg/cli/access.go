package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/usagerep/usagerep/pkg/access"
	"github.com/usagerep/usagerep/pkg/output"
	"github.com/usagerep/usagerep/pkg/report"
	"github.com/usagerep/usagerep/pkg/source"
)

// accessOptions hold everything access needs; RunE only fills them.
type accessOptions struct {
	IO     *IOStreams
	Common commonFlags

	From, To  string
	Plan      string
	Columns   string // column profile name
	Format    string // csv, xlsx or json; "" decides from -o
	BOM       bool
	Usernames bool
	Inputs    []string

	// From configuration files only.
	Fields, Constants map[string]string
	Profiles          map[string][]access.Column // access.columns.<name>
	Now               func() time.Time
}

func newAccessCmd(a *app, runF func(context.Context, *accessOptions) error) *cobra.Command {
	opts := &accessOptions{IO: a.io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "access --from <day> --to <day> [flags] <input>...",
		Short: "Write the per-day project access report (CSV, xlsx or JSON)",
		Long: `access lists who accessed which project on which day: one row per calendar
day (in --tz), user and project with any activity, sync or action, whatever
its outcome. Several visits the same day are one row; consecutive days are
one row each; several projects are one row each. Users are resolved across
spellings as in the usage reports; records that name nobody are left out.

Columns: Date, First name, Last name, Email, Company, Project, then one
column per action with the sum of count of that action that day. A column
profile (--columns) chooses the actions, their order and labels: the
built-in "cintoo", or one defined in the configuration file under
access.columns.<name>. Without one, every action of the listed rows is a
column, sorted, headed by its name. A user with none of them still has a
row: they opened the project for something else.

--from and --to are inclusive days. The output is RFC 4180 CSV (CRLF, UTF-8,
--bom for Excel) with formula-looking cells neutralised, an xlsx workbook
with the same table, or a JSON array; it is written atomically. The format
follows -o's extension unless --format says it; -o - writes to standard
output. The default file is access.csv (access.xlsx, access.json).

Exit status: 0 done, 1 internal error, 2 bad flag or argument, 3 input
rejected under --strict or --max-errors, 4 output could not be written.`,
		Example: `  # March 2026 in UTC with Cintoo's columns, for Excel
  usagerep access --from 2026-03-01 --to 2026-03-31 --columns cintoo --bom -o march.csv logs/

  # One plan, days drawn in Paris time, as a workbook
  usagerep access --from 2026-03-01 --to 2026-03-31 --tz Europe/Paris --plan Enterprise -o march.xlsx logs/

  # Every action as a column, JSON to a pipe
  usagerep access --from 2026-03-01 --to 2026-03-07 --format json -o - logs/*.jsonl.gz | jq length

  # A GitHub event stream: usernames are all it has, so show them
  usagerep access --profile github-events --usernames --from 2021-07-21 --to 2021-07-21 gharchive.jsonl.gz`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			opts.Fields = stringMap(a.config, "fields")
			opts.Constants = stringMap(a.config, "constants")
			profiles, err := columnProfiles(a.config)
			if err != nil {
				return err
			}
			opts.Profiles = profiles
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAccess(cmd.Context(), opts)
		},
	}
	opts.Common.register(cmd, "")
	f := cmd.Flags()
	f.Lookup("as-of").Usage = "leave out records at or after this time: a date (the end of that day in --tz) or an RFC 3339 time (default: only --to limits)"
	f.StringVar(&opts.From, "from", "", "first day of the report, YYYY-MM-DD (required)")
	f.StringVar(&opts.To, "to", "", "last day of the report, inclusive, YYYY-MM-DD (required)")
	f.StringVar(&opts.Plan, "plan", "", "keep only records of this plan (subscription), exactly")
	f.StringVar(&opts.Columns, "columns", "", "column profile: the action columns, their order and labels ("+strings.Join(access.BuiltinProfileNames(), ", ")+", or access.columns.<name> of the config file); default every action")
	f.StringVar(&opts.Format, "format", "", "csv, xlsx or json (default: from -o's extension, else csv)")
	f.BoolVar(&opts.BOM, "bom", false, "start the CSV with a UTF-8 byte order mark, for Excel")
	f.BoolVar(&opts.Usernames, "usernames", false, "add Username and Display name columns after Email")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(
		[]string{"csv\tRFC 4180 CSV", "xlsx\tan Excel workbook", "json\ta JSON array"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("columns", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		names := access.BuiltinProfileNames()
		if p, err := columnProfiles(a.config); err == nil {
			for n := range p {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		return slices.Compact(names), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// parseDay reads a --from or --to day.
func parseDay(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, usageErrorf("--%s is required (a day like 2026-03-01)", flag)
	}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, usageErrorf("--%s %q: want a day like 2026-03-01", flag, s)
	}
	return d, nil
}

// accessFormat decides the output format: --format, else -o's extension,
// else CSV.
func accessFormat(format, path string) (string, error) {
	if format != "" {
		f, err := report.ParseAccessFormat(format)
		if err != nil {
			return "", usageErrorf("--format %v", err)
		}
		return f, nil
	}
	if ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), ".")); slices.Contains(report.AccessFormats, ext) {
		return ext, nil
	}
	return "csv", nil
}

// selectColumns resolves --columns: a profile of the config file, else a
// built-in one; nil (every action) when none is named.
func selectColumns(name string, profiles map[string][]access.Column) ([]access.Column, error) {
	cols, err := report.AccessColumns(name, profiles)
	if err != nil {
		return nil, usageErrorf("--columns %v", err)
	}
	return cols, nil
}

func runAccess(ctx context.Context, opts *accessOptions) error {
	c := &opts.Common
	set, err := c.resolve(opts.Fields, opts.Constants, opts.Now())
	if err != nil {
		return err
	}
	from, err := parseDay("from", opts.From)
	if err != nil {
		return err
	}
	to, err := parseDay("to", opts.To)
	if err != nil {
		return err
	}
	cols, err := selectColumns(opts.Columns, opts.Profiles)
	if err != nil {
		return err
	}
	format, err := accessFormat(opts.Format, c.Output)
	if err != nil {
		return err
	}
	if opts.BOM && format != "csv" {
		return usageErrorf("--bom is for CSV output, not %s", format)
	}
	q := report.AccessQuery{
		From: from, To: to, Location: set.loc, Plan: opts.Plan, Columns: cols,
		AccessFormat: report.AccessFormat{Format: format, Usernames: opts.Usernames, BOM: opts.BOM},
	}
	if c.AsOf != "" {
		// Given, as-of also ends the range: records at or after it count
		// nowhere. Not given, the range alone decides.
		q.AsOf = set.asOf
	}
	acc, err := report.NewAccessAccumulator(q)
	if err != nil {
		return usageErrorf("--from %s --to %s: %v", opts.From, opts.To, err)
	}

	stopProfiles, err := c.startProfiles()
	if err != nil {
		return err
	}
	defer stopProfiles()

	// The destination is opened first: an unwritable one fails before a
	// long scan, not after.
	path := accessPath(c.Output, format)
	out, err := createOutput(path, opts.IO)
	if err != nil {
		return outputError(err)
	}
	defer out.Abort()

	var res *scanResult
	rep, _, err := report.BuildAccess(ctx, acc, q, func(ctx context.Context, newSink func() *access.Accumulator) ([]*access.Accumulator, source.Stats, error) {
		accs, r, err := scan(ctx, opts.IO, c, set, opts.Inputs, newSink, false)
		if err != nil {
			return nil, source.Stats{}, err
		}
		res = r
		releaseMemory()
		return accs, r.stats, nil
	})
	if err != nil {
		return err
	}
	releaseMemory()

	if err := report.WriteAccess(out, rep, q.AccessFormat); err != nil {
		if !errors.Is(err, output.ErrWrite) { // those name the path already
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
		accessSummary(opts, res, rep, path)
	}
	warnIfEmpty(opts.IO.ErrOut, res, opts.Inputs, daysRange("the range", from, to, q.AsOf, set.loc, rangeHint))
	return nil
}

// accessPath is where the report goes: -o, a default file named after the
// format, or that file inside -o when -o is a directory.
func accessPath(path, format string) string {
	name := "access." + format
	switch {
	case path == "":
		return name
	case path == output.Stdout:
		return path
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return filepath.Join(path, name)
	}
	return path
}

// accessSummary prints the summary line and what a reader of the report
// may want to know about it.
func accessSummary(opts *accessOptions, res *scanResult, rep *access.Report, path string) {
	w := opts.IO.ErrOut
	if path == output.Stdout {
		path = "standard output"
	}
	fmt.Fprintf(w, "usagerep: %s records read (%s rejected) from %s in %s (%s); %s of %s over %s; wrote %s\n",
		groupDigits(res.records), groupDigits(res.rejected), plural(len(res.stats.Sources), "input"),
		res.elapsed.Round(time.Millisecond), throughput(res.stats.Bytes, res.elapsed),
		pluralDigits(int64(len(rep.Rows)), "row"), pluralDigits(int64(rep.Users), "user"),
		pluralDigits(int64(rep.To.Sub(rep.From)/(24*time.Hour))+1, "day"), path)
	q := rep.Quality
	if rep.Plan != "" && q.OtherPlan == q.Records && q.Records > 0 {
		fmt.Fprintf(w, "usagerep: no record has plan %q\n", rep.Plan)
	}
	if opts.Usernames {
		return
	}
	unnamed := map[*access.User]bool{}
	for i := range rep.Rows {
		if u := rep.Rows[i].User; u.Email == "" && u.FirstName == "" && u.LastName == "" {
			unnamed[u] = true
		}
	}
	if len(unnamed) > 0 {
		fmt.Fprintf(w, "usagerep: %s known only by username or display name; --usernames adds those columns\n",
			pluralDigits(int64(len(unnamed)), "user"))
	}
}

// pluralDigits writes "1 row", "1,234 rows".
func pluralDigits(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return groupDigits(n) + " " + noun + "s"
}

// columnProfiles reads the column profiles of the configuration file:
//
//	access:
//	  columns:
//	    mine:
//	      - {action: scan_upload, label: Scans}
//	      - view                     # labelled by its name
//
// Names are case-insensitive (viper folds them). A broken profile is an
// error even when it is not used, as an unknown key is.
func columnProfiles(v *viper.Viper) (map[string][]access.Column, error) {
	if v == nil {
		return nil, nil
	}
	raw := v.Get("access.columns")
	if raw == nil {
		return nil, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, usageErrorf("config access.columns: want a map of profile names to lists of {action, label}")
	}
	out := make(map[string][]access.Column, len(m))
	for name, val := range m {
		where := "config access.columns." + name
		list, ok := val.([]any)
		if !ok {
			return nil, usageErrorf("%s: want a list of {action, label}", where)
		}
		cols := make([]access.Column, 0, len(list))
		for i, item := range list {
			col, err := profileColumn(item)
			if err != nil {
				return nil, usageErrorf("%s[%d]: %v", where, i, err)
			}
			cols = append(cols, col)
		}
		cols, err := access.ValidateColumns(cols)
		if err != nil {
			return nil, usageErrorf("%s: %v", where, err)
		}
		out[strings.ToLower(name)] = cols
	}
	return out, nil
}

// profileColumn reads one item of a column profile: {action, label}, or
// an action name alone.
func profileColumn(item any) (access.Column, error) {
	var col access.Column
	switch it := item.(type) {
	case map[string]any:
		for k, v := range it {
			s, ok := scalarText(v)
			if !ok {
				return col, fmt.Errorf("%s: want text", k)
			}
			switch strings.ToLower(k) {
			case "action":
				col.Action = s
			case "label":
				col.Label = s
			default:
				return col, fmt.Errorf("unknown key %q (want action and label)", k)
			}
		}
		return col, nil
	default:
		s, ok := scalarText(item)
		if !ok {
			return col, fmt.Errorf("want {action, label} or an action name")
		}
		return access.Column{Action: s}, nil
	}
}

// scalarText is a YAML scalar as text (a label may be written 2026).
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int, int64, uint64, float64, bool:
		return fmt.Sprint(v), true
	}
	return "", false
}
