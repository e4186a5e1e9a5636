package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/inspect"
	"github.com/usagerep/usagerep/pkg/output"
	"github.com/usagerep/usagerep/pkg/source"
)

// inspectOptions hold everything inspect needs; RunE only fills them.
type inspectOptions struct {
	IO     *IOStreams
	Common commonFlags

	JSON            bool
	Top             int
	MaxDistinct     int
	MaxObservations int
	ServiceAccounts []string
	Inputs          []string

	// From configuration files only.
	Fields, Constants map[string]string
	Now               func() time.Time
}

// inspectFlags are the common flags inspect takes: it reads like export
// but writes nothing and never stops on bad records.
var inspectFlags = []string{"tz", "profile", "input-format", "map", "const", "quiet", "workers",
	"max-line-bytes", "max-archive-depth", "max-decompressed-ratio", "max-decompressed-bytes", "cpuprofile", "memprofile"}

func newInspectCmd(a *app, runF func(context.Context, *inspectOptions) error) *cobra.Command {
	opts := &inspectOptions{IO: a.io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "inspect [flags] <input>...",
		Short: "Say what is in a log bundle, and how to read it",
		Long: `inspect reads its inputs once, as export would, and writes nothing but what it
found on standard output: the files and bundle members, the format and
compression of each, records read and rejected (with the top reasons and
example locations), the time range, systems, projects, top actions, users by
identity class, records without a user, the fields present with their fill
rate, and the source fields no canonical field reads.

When the records do not look canonical, inspect says why, and suggests a
built-in --profile when one fits (GitHub events, Wikipedia edits, git logs)
or a fields: mapping for usagerep.yaml guessed from the first records.

Exit status: 0 done (rejected records included), 1 internal error, 2 bad flag,
argument or missing input.`,
		Example: `  # What is in this bundle?
  usagerep inspect customer-bundle.tar.gz

  # The same, for a script
  usagerep inspect --json logs/ | jq '.records, .advice'

  # Check a mapping before exporting with it
  usagerep inspect --profile github-events gharchive.jsonl.gz

  # A CSV on standard input
  zcat audit.csv.gz | usagerep inspect --input-format csv -`,
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
			return runInspect(cmd.Context(), opts)
		},
	}
	// The common flags are defined once, in commonFlags.register; inspect
	// takes the ones that apply to reading.
	all := &cobra.Command{}
	opts.Common.register(all, "")
	for _, name := range inspectFlags {
		cmd.Flags().AddFlag(all.Flags().Lookup(name))
	}
	cmd.ValidArgsFunction = completeInputs
	f := cmd.Flags()
	f.BoolVar(&opts.JSON, "json", false, "write the report as JSON")
	f.IntVar(&opts.Top, "top", 10, "list this many systems, projects and actions")
	f.IntVar(&opts.MaxDistinct, "max-distinct", inspect.DefaultLimits.Distinct, "count this many distinct systems, projects, actions and fields exactly; say \"more than\" past it")
	f.IntVar(&opts.MaxObservations, "max-observations", inspect.DefaultLimits.Observations, "resolve users when there are at most this many distinct observations; count them by fields past it")
	f.StringArrayVar(&opts.ServiceAccounts, "service-account", nil, "glob over lower-cased emails and usernames marking service accounts (repeatable), e.g. 'svc-*'")
	return cmd
}

func runInspect(ctx context.Context, opts *inspectOptions) error {
	c := &opts.Common
	set, err := c.resolve(opts.Fields, opts.Constants, opts.Now())
	if err != nil {
		return err
	}
	if opts.Top < 1 || opts.MaxDistinct < 1 || opts.MaxObservations < 1 {
		return usageErrorf("--top, --max-distinct and --max-observations must be 1 or more")
	}
	if err := identity.ValidatePatterns(opts.ServiceAccounts); err != nil {
		return usageErrorf("--service-account: %v", err)
	}
	stopProfiles, err := c.startProfiles()
	if err != nil {
		return err
	}
	defer stopProfiles()

	limits := inspect.Limits{Distinct: opts.MaxDistinct, Observations: opts.MaxObservations}
	sampler := inspect.NewSampler(64, 200)
	rejects := inspect.NewRejectLog(3)
	hooks := scanHooks{onChunk: sampler.OnChunk, onReject: rejects.Add, markPresent: true}
	counters, res, err := scan(ctx, opts.IO, c, set, opts.Inputs, func() *inspect.Counter { return inspect.NewCounter(limits) }, true, hooks)
	if err != nil {
		return err
	}
	total := counters[0]
	for _, o := range counters[1:] {
		total.Merge(o)
	}
	files, err := plannedFiles(opts.Inputs, set.inFormat)
	if err != nil {
		return usageErrorf("%v", err)
	}
	rep := inspect.Build(inspect.BuildInput{
		Files: files, Stats: res.stats, Forced: set.inFormat, Counter: total,
		Samples: sampler.Samples(), Rejects: rejects,
		Profile: c.Profile, Mapping: set.mapping, ServiceAccounts: opts.ServiceAccounts, Top: opts.Top,
		AsOf: set.asOf, Location: set.loc,
	})
	if err := stopProfiles(); err != nil {
		return err
	}
	out, err := createOutput(output.Stdout, opts.IO)
	if err != nil {
		return outputError(err)
	}
	if opts.JSON {
		err = writeJSON(out, rep)
	} else {
		err = writeInspectText(out, rep, newTermOut(opts.IO, opts.Now(), set.loc), opts.Inputs)
	}
	if err != nil {
		return outputError(err)
	}
	if err := out.Commit(); err != nil {
		return outputError(err)
	}
	if !c.Quiet {
		fmt.Fprintf(opts.IO.ErrOut, "usagerep: inspected %s records (%s rejected) from %s in %s (%s)\n",
			groupDigits(res.records), groupDigits(res.rejected), plural(len(res.stats.Sources), "input"),
			res.elapsed.Round(time.Millisecond), throughput(res.stats.Bytes, res.elapsed))
	}
	return nil
}

// plannedFiles lists the top-level inputs with their sizes on disk.
func plannedFiles(paths []string, f source.Format) ([]inspect.File, error) {
	names, _, err := source.Plan(paths, source.ScanOptions{Format: f})
	if err != nil {
		return nil, err
	}
	files := make([]inspect.File, len(names))
	for i, n := range names {
		files[i] = inspect.File{Name: n, Size: -1}
		if n == source.StdinName {
			continue
		}
		if fi, err := os.Stat(n); err == nil && fi.Mode().IsRegular() {
			files[i].Size = fi.Size()
		}
	}
	return files, nil
}
