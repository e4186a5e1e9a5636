package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/output"
	"github.com/usagerep/usagerep/pkg/render/xlsx"
	"github.com/usagerep/usagerep/pkg/report"
	"github.com/usagerep/usagerep/pkg/source"
	"github.com/usagerep/usagerep/pkg/usage"
)

// DefaultZipName is the export's default output file.
const DefaultZipName = "Usage Reports.zip"

// exportOptions hold everything export needs; RunE only fills them.
type exportOptions struct {
	IO     *IOStreams
	Common commonFlags

	Periods         string
	Format          string
	ActiveWithin    string
	ServiceAccounts []string
	Inputs          []string

	// From configuration files only.
	Fields, Constants map[string]string
	Now               func() time.Time
}

func newExportCmd(a *app, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{IO: a.io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "export [flags] <input>...",
		Short: "Write Usage Reports.zip: one workbook per period",
		Long: `export reads every input once and writes Usage Reports.zip with one Excel
workbook per period (default: the last 6 months and the last year), each with
the sheets Summary, Unique User Count, Entity Type Count, Integrated Project
Count, Synced Data Count and Detailed User Report.

Inputs are files (.jsonl, .ndjson, .json, .csv, optionally .gz or .zst),
directories (walked recursively), .zip/.tar/.tar.gz bundles (read in place),
or - for standard input (with --input-format).

Exit status: 0 done, 1 internal error, 2 bad flag or argument, 3 input
rejected under --strict or --max-errors, 4 output could not be written.`,
		Example: `  # The default zip for the last 6 months and the last year
  usagerep export --as-of 2026-11-22 testdata/sample/

  # Last 30 days and last 2 weeks, times shown in Berlin time
  usagerep export --period 30d,2w --tz Europe/Berlin -o monthly.zip logs/*.jsonl.gz

  # Workbooks unzipped into a directory
  usagerep export --format xlsx -o reports/ bundle.tar.gz

  # A nightly cron job: quiet, stop on bad input, keep what was rejected
  usagerep export -q --strict --rejects rejects.jsonl -o /srv/reports/usage.zip /var/log/sync/

  # From a pipe, written to stdout
  zcat events.jsonl.gz | usagerep export --input-format jsonl -o - - > usage.zip`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			opts.Fields = stringMap(a.config, "fields")
			opts.Constants = stringMap(a.config, "constants")
			if !cmd.Flags().Changed("service-account") {
				opts.ServiceAccounts = append(opts.ServiceAccounts, a.config.GetStringSlice("identity.service_accounts")...)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runExport(cmd.Context(), opts)
		},
	}
	opts.Common.register(cmd, DefaultZipName)
	f := cmd.Flags()
	f.StringVar(&opts.Periods, "period", "6m,1y", "comma-separated periods, one workbook each: N and d, w, m or y (e.g. 30d,2w,6m,1y)")
	f.StringVar(&opts.Format, "format", "zip", "zip (one zip of workbooks) or xlsx (workbooks into the -o directory)")
	f.StringVar(&opts.ActiveWithin, "active-within", "30d", "without integration_status data, a pair is Active when it last synced within this long before --as-of")
	f.StringArrayVar(&opts.ServiceAccounts, "service-account", nil, "glob over lower-cased emails and usernames marking service accounts (repeatable), e.g. 'svc-*'")
	return cmd
}

// parseDays reads a duration that may be given in days ("30d").
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid duration %q (want e.g. 30d or 12h)", s)
	}
	return d, nil
}

func runExport(ctx context.Context, opts *exportOptions) error {
	c := &opts.Common
	set, err := c.resolve(opts.Fields, opts.Constants, opts.Now())
	if err != nil {
		return err
	}
	periods, err := usage.ParsePeriods(opts.Periods)
	if err != nil {
		return usageErrorf("--period: %v", err)
	}
	activeWithin, err := parseDays(opts.ActiveWithin)
	if err != nil {
		return usageErrorf("--active-within: %v", err)
	}
	if err := identity.ValidatePatterns(opts.ServiceAccounts); err != nil {
		return usageErrorf("--service-account: %v", err)
	}
	if opts.Format != "zip" && opts.Format != "xlsx" {
		return usageErrorf("--format %q: want zip or xlsx", opts.Format)
	}
	if opts.Format == "xlsx" && c.Output == "-" {
		return usageErrorf("--format xlsx writes several files: -o must name a directory")
	}

	stopProfiles, err := c.startProfiles()
	if err != nil {
		return err
	}
	defer stopProfiles()

	out, err := openExportDest(opts.Format, c.Output, opts.IO)
	if err != nil {
		return err
	}
	defer out.abort()

	var res *scanResult
	bld, _, err := report.NewUsageBuilder(ctx, report.UsageQuery{
		AsOf: set.asOf, Location: set.loc, Periods: periods,
		ActiveWithin: activeWithin, ServiceAccounts: opts.ServiceAccounts,
		BetweenStages: releaseMemory,
	}, func(ctx context.Context, newSink func() *usage.Accumulator) ([]*usage.Accumulator, source.Stats, error) {
		accs, r, err := scan(ctx, opts.IO, c, set, opts.Inputs, newSink, false)
		if err != nil {
			return nil, source.Stats{}, err
		}
		res = r
		return accs, r.stats, nil
	})
	if err != nil {
		return err
	}
	ws := &workbookStream{bld: bld, rep: bld.Report(), n: len(periods)}

	var wrote string
	if out.zip == nil {
		wrote, err = writeWorkbooks(ws, out.path)
	} else {
		wrote, err = writeZip(ws, out)
	}
	if err != nil {
		return err
	}
	if err := stopProfiles(); err != nil {
		return err
	}
	if !c.Quiet {
		fmt.Fprintf(opts.IO.ErrOut, "usagerep: %s records read (%s rejected) from %s in %s (%s); %s users in the %s; wrote %s\n",
			groupDigits(res.records), groupDigits(res.rejected), plural(len(res.stats.Sources), "input"),
			res.elapsed.Round(time.Millisecond), throughput(res.stats.Bytes, res.elapsed),
			groupDigits(ws.widestUsers), strings.ToLower(ws.widestLabel), wrote)
	}
	warnIfEmpty(opts.IO.ErrOut, res, opts.Inputs, &reportRange{
		what: "the " + strings.ToLower(ws.widestLabel), from: ws.widestFrom, to: set.asOf, loc: set.loc, hint: asOfHint,
	})
	return nil
}

// workbookStream hands out the workbooks in period order, building each
// when it is asked for, and remembers the widest window's user count for
// the summary line.
type workbookStream struct {
	bld *usage.Builder
	rep *usage.Report
	n   int

	widestFrom  time.Time
	widestUsers int64
	widestLabel string
}

func (ws *workbookStream) workbook(i int) *usage.Workbook {
	wb := ws.bld.Workbook(i)
	ws.note(&wb)
	return &wb
}

// note remembers the widest window seen so far.
func (ws *workbookStream) note(wb *usage.Workbook) {
	if ws.widestLabel == "" || wb.Period.From.Before(ws.widestFrom) {
		ws.widestFrom, ws.widestUsers, ws.widestLabel = wb.Period.From, wb.Summary.TotalUsers, wb.Period.Label
	}
}

// exportDest is where export writes, opened before any input is read so
// that an unwritable destination fails at once, not after a long scan.
type exportDest struct {
	path string     // the zip's path, "-", or the workbooks' directory
	zip  outputFile // the zip being written; nil for --format xlsx
}

func openExportDest(format, path string, io *IOStreams) (*exportDest, error) {
	if format == "xlsx" {
		if path == DefaultZipName {
			path = "."
		}
		if err := os.MkdirAll(path, 0o755); err != nil {
			return nil, outputError(fmt.Errorf("output directory: %w", err))
		}
		return &exportDest{path: path}, nil
	}
	if path != "-" {
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			path = filepath.Join(path, DefaultZipName)
		}
	}
	f, err := createOutput(path, io)
	if err != nil {
		return nil, outputError(err)
	}
	return &exportDest{path: path, zip: f}, nil
}

// abort drops whatever was written; after a commit it does nothing.
func (d *exportDest) abort() {
	if d.zip != nil {
		_ = d.zip.Abort()
	}
}

// writeZip writes Usage Reports.zip atomically (or to stdout for "-"),
// with the bytes `usagerep serve` answers for the same query.
func writeZip(ws *workbookStream, dest *exportDest) (string, error) {
	path, f := dest.path, dest.zip
	if err := report.WriteUsageZip(f, ws.bld, ws.n, ws.note); err != nil {
		return "", outputError(fmt.Errorf("%s: %w", path, err))
	}
	if err := f.Commit(); err != nil {
		return "", outputError(err)
	}
	if path == "-" {
		return "standard output", nil
	}
	return path, nil
}

// writeWorkbooks writes each workbook atomically into dir.
func writeWorkbooks(ws *workbookStream, dir string) (string, error) {
	for i := range ws.n {
		wb := ws.workbook(i)
		path := filepath.Join(dir, wb.Period.FileName())
		f, err := output.Create(path)
		if err != nil {
			return "", outputError(err)
		}
		if err := xlsx.WriteUsageWorkbook(f, ws.rep, wb); err != nil {
			f.Abort()
			return "", outputError(fmt.Errorf("%s: %w", path, err))
		}
		if err := f.Commit(); err != nil {
			return "", outputError(err)
		}
	}
	return fmt.Sprintf("%s to %s", plural(ws.n, "workbook"), dir), nil
}

// groupDigits writes 1234567 as 1,234,567.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + groupDigits(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func throughput(bytes int64, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MB/s", float64(bytes)/1e6/d.Seconds())
}

// plural writes "1 input", "2 inputs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
