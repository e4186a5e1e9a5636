// Command usagerep-gen writes deterministic synthetic activity dumps for
// benchmarks and load tests, and regenerates the bundled sample. It is a
// developer tool, not part of usagerep itself.
//
//	usagerep-gen -size 1GiB -people 200000 -format jsonl -o bench-data/1g.jsonl
//	usagerep-gen -records 100000 -format csv -o -
//	usagerep-gen -size 256MiB -gzip -o bench-data/256m.jsonl.gz
//	usagerep-gen -sample testdata/sample
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/gen"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, errUsage) {
			if err != errUsage { // the flag package has already said why
				fmt.Fprintln(os.Stderr, "usagerep-gen:", err)
			}
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "usagerep-gen:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(args []string, stdout, stderr io.Writer) error {
	def := gen.DefaultConfig()
	fs := flag.NewFlagSet("usagerep-gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		size     = fs.String("size", "64MiB", "uncompressed `bytes` to write (1GiB, 500MB, ...)")
		records  = fs.Int64("records", 0, "number of records to write (instead of -size unless -size is given too)")
		people   = fs.Int("people", def.People, "distinct people")
		systems  = fs.Int("systems", def.Systems, "systems (1-64)")
		projects = fs.Int("projects", def.Projects, "projects over all systems")
		entities = fs.Int("entities", def.Entities, "distinct synced entities")
		seed     = fs.Int64("seed", def.Seed, "random seed; the same flags and seed give the same bytes")
		format   = fs.String("format", "jsonl", "output format: jsonl or csv")
		gz       = fs.Bool("gzip", false, "gzip the output (implied by an -o ending in .gz)")
		share    = fs.Float64("sync-share", def.SyncShare, "fraction of records that are syncs")
		asOf     = fs.String("as-of", def.AsOf.Format(time.RFC3339), "exclusive end of the time span (RFC 3339 or YYYY-MM-DD)")
		span     = fs.Duration("span", def.Span, "length of the time span")
		out      = fs.String("o", "-", "output `file`, or - for stdout")
		sample   = fs.String("sample", "", "write the bundled sample data set into `dir` and exit")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: usagerep-gen [flags]\n\nWrites a deterministic synthetic activity dump (see package gen).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *sample != "" {
		return gen.WriteSample(*sample)
	}

	cfg := def
	cfg.Records, cfg.People, cfg.Systems, cfg.Projects, cfg.Entities = *records, *people, *systems, *projects, *entities
	cfg.Seed, cfg.SyncShare, cfg.Span = *seed, *share, *span
	cfg.Gzip = *gz || strings.HasSuffix(*out, ".gz")
	sizeSet := false
	fs.Visit(func(f *flag.Flag) { sizeSet = sizeSet || f.Name == "size" })
	cfg.Bytes = 0
	if sizeSet || *records == 0 {
		n, err := gen.ParseSize(*size)
		if err != nil {
			return fmt.Errorf("%w: -size: %v", errUsage, err)
		}
		cfg.Bytes = n
	}
	var err error
	if cfg.Format, err = gen.ParseFormat(*format); err != nil {
		return fmt.Errorf("%w: -format: %v", errUsage, err)
	}
	if cfg.AsOf, err = parseAsOf(*asOf); err != nil {
		return fmt.Errorf("%w: -as-of: %v", errUsage, err)
	}

	start := time.Now()
	st, err := write(*out, stdout, cfg)
	if err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Fprintf(stderr, "wrote %d records (%d syncs, %d people) and %.1f MiB to %s in %v (%.0f MB/s)\n",
		st.Records, st.SyncRecords, st.People, float64(st.Bytes)/(1<<20), *out,
		d.Round(time.Millisecond), float64(st.Bytes)/d.Seconds()/1e6)
	return nil
}

// parseAsOf reads RFC 3339, or a bare date meaning the end of that day (UTC).
func parseAsOf(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.AddDate(0, 0, 1), nil
	}
	return time.Parse(time.RFC3339, s)
}

// write generates into path through a temporary file renamed into place,
// so an interrupted run never leaves a truncated data set behind.
func write(path string, stdout io.Writer, cfg gen.Config) (gen.Stats, error) {
	if path == "-" {
		return gen.Write(stdout, cfg)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return gen.Stats{}, err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return gen.Stats{}, err
	}
	st, err := gen.Write(tmp, cfg)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return gen.Stats{}, err
	}
	return st, nil
}
