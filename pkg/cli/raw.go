package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/analytics"
	"github.com/usagerep/usagerep/pkg/analytics/raw"
	"github.com/usagerep/usagerep/pkg/render/jsonout"
)

func newRawCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "raw <command>",
		Short: "Export the normalised records as per-day gzip'd CSV, and verify such an export",
		Long: `raw export writes the records, normalised, as one gzip'd CSV file per day
with a manifest; raw list prints the manifest and verifies every file
against it.`,
		Example: `  # March's records, a file per day, into march/
  usagerep raw export --from 2026-03-01 --to 2026-03-31 -o march/ logs/

  # What is in march/, and is it intact?
  usagerep raw list march/`,
	}
	cmd.AddCommand(newRawExportCmd(a, nil), newRawListCmd(a, nil))
	return cmd
}

// rawExportOptions hold raw export's flags.
type rawExportOptions struct {
	IO      *IOStreams
	Common  commonFlags
	From    string
	To      string
	Split   string
	Filters []string
	Inputs  []string

	Fields, Constants map[string]string
	Now               func() time.Time
}

func newRawExportCmd(a *app, runF func(context.Context, *rawExportOptions) error) *cobra.Command {
	opts := &rawExportOptions{IO: a.io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "export -o <dir> [flags] <input>...",
		Short: "Write the normalised records as one gzip'd CSV per day, with a manifest",
		Long: `export reads every input once and writes its records, normalised, into the
directory -o names (made if need be): one file per day (in --tz) holding
records, events-2026-03-03.csv.gz, and manifest.json listing each file's
name, date, compressed size, record count and SHA-256.

A file's columns are the canonical fields (time in UTC, RFC 3339; email
lower-cased, or empty when it is no email; count; duration in seconds when
given), then props as a JSON object and users as a JSON array. Text is
written as every CSV of usagerep is: a cell starting with =, +, -, @, a tab
or a carriage return gets a leading ' so that no spreadsheet runs it.
Records at or after --as-of, outside --from/--to (when given) or failing a
--filter (tested on the record's own fields) are left out.

The records of a day are in no particular order (the inputs are read on
several cores); each file is written atomically, the manifest last.

Exit status: 0 done, 1 internal error, 2 bad flag or argument, 3 input
rejected under --strict or --max-errors, 4 output could not be written.`,
		Example: `  # Everything, a file per day
  usagerep raw export -o raw/ logs/

  # March in Paris days, one system only
  usagerep raw export --from 2026-03-01 --to 2026-03-31 --tz Europe/Paris --filter 'system == Jira' -o march/ logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			opts.Fields = stringMap(a.config, "fields")
			opts.Constants = stringMap(a.config, "constants")
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runRawExport(cmd.Context(), opts)
		},
	}
	opts.Common.register(cmd, "")
	f := cmd.Flags()
	f.Lookup("output").Usage = "the directory to write the files and manifest.json into (required)"
	f.StringVar(&opts.From, "from", "", "first day written, YYYY-MM-DD (default: the earliest)")
	f.StringVar(&opts.To, "to", "", "last day written, inclusive, YYYY-MM-DD (default: the latest before --as-of)")
	f.StringVar(&opts.Split, "split", "day", "one file per: day (the only split)")
	f.StringArrayVar(&opts.Filters, "filter", nil, "keep only records passing 'field OP value' (repeatable), as in analytics")
	return cmd
}

func runRawExport(ctx context.Context, opts *rawExportOptions) error {
	c := &opts.Common
	set, err := c.resolve(opts.Fields, opts.Constants, opts.Now())
	if err != nil {
		return err
	}
	if c.Output == "" || c.Output == "-" {
		return usageErrorf("-o must name a directory: raw export writes a file per day")
	}
	if opts.Split != "day" {
		return usageErrorf("--split %q: files are per day (--split day)", opts.Split)
	}
	ro := raw.Options{Dir: c.Output, Location: set.loc, AsOf: set.asOf}
	if opts.From != "" {
		if ro.From, err = parseDay("from", opts.From); err != nil {
			return err
		}
	}
	if opts.To != "" {
		if ro.To, err = parseDay("to", opts.To); err != nil {
			return err
		}
	}
	for _, s := range opts.Filters {
		f, err := analytics.ParseFilter(s, set.loc)
		if err != nil {
			return usageErrorf("--filter: %v", err)
		}
		ro.Filters = append(ro.Filters, f)
	}
	if !ro.From.IsZero() && !ro.To.IsZero() && ro.To.Before(ro.From) {
		return usageErrorf("--to %s is before --from %s", opts.To, opts.From)
	}
	stopProfiles, err := c.startProfiles()
	if err != nil {
		return err
	}
	defer stopProfiles()
	exp, err := raw.NewExport(ro)
	if err != nil {
		return outputError(err)
	}
	defer exp.Abort()
	_, res, err := scan(ctx, opts.IO, c, set, opts.Inputs, exp.Sink, true)
	if err != nil {
		return err
	}
	m, err := exp.Finish()
	if err != nil {
		return outputError(err)
	}
	if err := stopProfiles(); err != nil {
		return err
	}
	if !c.Quiet {
		var n int64
		for _, f := range m.Files {
			n += f.Records
		}
		fmt.Fprintf(opts.IO.ErrOut, "usagerep: %s records read (%s rejected) from %s in %s (%s); wrote %s in %s to %s\n",
			groupDigits(res.records), groupDigits(res.rejected), plural(len(res.stats.Sources), "input"),
			res.elapsed.Round(time.Millisecond), throughput(res.stats.Bytes, res.elapsed),
			pluralDigits(n, "record"), plural(len(m.Files), "file"), c.Output)
	}
	var r *reportRange // without --from the range reaches back to every record
	if !ro.From.IsZero() {
		r = daysRange("the range", ro.From, ro.To, set.asOf, set.loc, rangeHint)
	}
	warnIfEmpty(opts.IO.ErrOut, res, opts.Inputs, r)
	return nil
}

// rawListOptions hold raw list's flags.
type rawListOptions struct {
	IO     *IOStreams
	Dir    string
	Format string
	Quiet  bool
}

func newRawListCmd(a *app, runF func(*rawListOptions) error) *cobra.Command {
	opts := &rawListOptions{IO: a.io}
	cmd := &cobra.Command{
		Use:   "list [flags] <dir>",
		Short: "Print an export's manifest and verify every file against it",
		Long: `list reads <dir>/manifest.json, prints each file with its date, size,
record count and SHA-256, and verifies the file: it must exist with the
manifest's size and SHA-256 and hold the manifest's number of CSV records
after its header. --format json prints the same as a JSON document.

Exit status: 0 every file matches, 2 bad flag or argument, 3 a file is
missing or differs from the manifest (or the manifest cannot be read).`,
		Example: `  # Verify an export
  usagerep raw list march/

  # The manifest and the checks as JSON
  usagerep raw list --format json march/ | jq '.files[] | select(.ok | not)'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runRawList(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "text", "text (a table) or json")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "no summary line on stderr")
	return cmd
}

func runRawList(opts *rawListOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return usageErrorf("--format %q: want text or json", opts.Format)
	}
	m, err := raw.ReadManifest(opts.Dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return inputError(fmt.Errorf("%s: no %s (not a raw export?)", opts.Dir, raw.ManifestName))
		}
		return inputError(err)
	}
	checks := raw.Verify(opts.Dir, m)
	bad := 0
	for _, c := range checks {
		if c.Problem != "" {
			bad++
		}
	}
	if opts.Format == "json" {
		err = writeRawListJSON(opts, m, checks)
	} else {
		tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "FILE\tDATE\tBYTES\tRECORDS\tSHA-256\tCHECK")
		for _, c := range checks {
			status := "ok"
			if c.Problem != "" {
				status = c.Problem
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", c.File.Name, c.File.Date, c.File.Bytes, c.File.Records, c.File.SHA256, status)
		}
		err = tw.Flush()
	}
	if err != nil {
		return outputError(err)
	}
	if !opts.Quiet {
		var recs int64
		for _, f := range m.Files {
			recs += f.Records
		}
		fmt.Fprintf(opts.IO.ErrOut, "usagerep: %s, %s in %s; %d differ from the manifest\n",
			plural(len(m.Files), "file"), pluralDigits(recs, "record"), filepath.Clean(opts.Dir), bad)
	}
	if bad > 0 {
		return inputError(fmt.Errorf("%s: %s of %d differ from %s", opts.Dir, plural(bad, "file"), len(checks), raw.ManifestName))
	}
	return nil
}

func writeRawListJSON(opts *rawListOptions, m *raw.Manifest, checks []raw.Check) error {
	var b []byte
	b = append(b, "{\"time_zone\":"...)
	b = jsonout.AppendString(b, m.TimeZone)
	b = append(b, ",\"as_of\":"...)
	b = jsonout.AppendString(b, m.AsOf)
	b = append(b, ",\"files\":["...)
	for i, c := range checks {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n{\"file\":"...)
		b = jsonout.AppendString(b, c.File.Name)
		b = append(b, ",\"date\":"...)
		b = jsonout.AppendString(b, c.File.Date)
		b = append(b, ",\"bytes\":"...)
		b = strconv.AppendInt(b, c.File.Bytes, 10)
		b = append(b, ",\"records\":"...)
		b = strconv.AppendInt(b, c.File.Records, 10)
		b = append(b, ",\"sha256\":"...)
		b = jsonout.AppendString(b, c.File.SHA256)
		b = append(b, ",\"ok\":"...)
		b = strconv.AppendBool(b, c.Problem == "")
		if c.Problem != "" {
			b = append(b, ",\"problem\":"...)
			b = jsonout.AppendString(b, c.Problem)
		}
		b = append(b, '}')
	}
	b = append(b, "\n]}\n"...)
	_, err := opts.IO.Out.Write(b)
	return err
}
