// Package report computes whole reports for a query over a set of inputs,
// for every front end alike: `usagerep export` writes the bytes to a file,
// `usagerep serve` to an HTTP response. Same query, same inputs, same bytes.
package report

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/usagerep/usagerep/pkg/render/xlsx"
	"github.com/usagerep/usagerep/pkg/render/zipout"
	"github.com/usagerep/usagerep/pkg/source"
	"github.com/usagerep/usagerep/pkg/usage"
)

// UsageQuery is what Usage Reports.zip depends on beyond its inputs.
type UsageQuery struct {
	AsOf            time.Time
	Location        *time.Location
	Periods         []usage.PeriodSpec
	ActiveWithin    time.Duration
	ServiceAccounts []string
	// BetweenStages is usage.BuildOptions.BetweenStages.
	BetweenStages func()
}

// UsageScanFunc reads the inputs once into one sink per worker, each made
// by newSink, and returns them with the scan's stats. The CLI passes its
// scan with progress and the rejects policy; ScanUsage is the plain one.
type UsageScanFunc func(ctx context.Context, newSink func() *usage.Accumulator) ([]*usage.Accumulator, source.Stats, error)

// NewUsageBuilder scans with scan and merges the workers' accumulators.
// Each workbook is built only when the builder is asked for it.
func NewUsageBuilder(ctx context.Context, q UsageQuery, scan UsageScanFunc) (*usage.Builder, source.Stats, error) {
	// The workers' accumulators share one observation store, so each
	// distinct observation is held once.
	acc := usage.NewAccumulator(usage.NewConfig(q.AsOf, q.Periods))
	accs, stats, err := scan(ctx, acc.Sibling)
	if err != nil {
		return nil, stats, err
	}
	for _, o := range accs {
		acc.Merge(o)
	}
	bld := usage.NewBuilder(acc, usage.BuildOptions{
		AsOf: q.AsOf, Periods: q.Periods, Location: q.Location,
		ActiveWithin: q.ActiveWithin, ServiceAccountPatterns: q.ServiceAccounts,
		Inputs: InputStats(stats), BetweenStages: q.BetweenStages,
	})
	return bld, stats, nil
}

// WriteUsageZip writes Usage Reports.zip, one workbook per period in
// order, to w. Each workbook is built just before it is written, so only
// one window's identities and rows are in memory at a time; each, when not
// nil, sees every workbook once it is built.
func WriteUsageZip(w io.Writer, bld *usage.Builder, n int, each func(*usage.Workbook)) error {
	rep := bld.Report()
	zw := zipout.NewWriter(w, rep.AsOf)
	for i := range n {
		wb := bld.Workbook(i)
		if each != nil {
			each(&wb)
		}
		ew, err := zw.Create(wb.Period.FileName())
		if err != nil {
			return err
		}
		if err := xlsx.WriteUsageWorkbook(ew, rep, &wb); err != nil {
			return err
		}
	}
	return zw.Close()
}

// UsageZip scans paths with opts and writes Usage Reports.zip to w: what
// `usagerep export` writes for the same query, byte for byte. Rejected
// records are counted (they are on the Summary sheets), never fatal.
func UsageZip(ctx context.Context, w io.Writer, paths []string, opts source.ScanOptions, q UsageQuery) (source.Stats, error) {
	bld, stats, err := NewUsageBuilder(ctx, q, func(ctx context.Context, newSink func() *usage.Accumulator) ([]*usage.Accumulator, source.Stats, error) {
		return ScanUsage(ctx, paths, opts, newSink)
	})
	if err != nil {
		return stats, err
	}
	if err := WriteUsageZip(w, bld, len(q.Periods), nil); err != nil {
		return stats, fmt.Errorf("writing the zip: %w", err)
	}
	return stats, nil
}

// ScanUsage is a plain scan of paths into one new sink per worker.
func ScanUsage(ctx context.Context, paths []string, opts source.ScanOptions, newSink func() *usage.Accumulator) ([]*usage.Accumulator, source.Stats, error) {
	return Scan(ctx, paths, opts, newSink)
}

// Scan reads paths into one new sink per worker (opts.Workers, at least
// one); rejects are only counted, in the stats.
func Scan[S source.Sink](ctx context.Context, paths []string, opts source.ScanOptions, newSink func() S) ([]S, source.Stats, error) {
	opts.Workers = max(1, opts.Workers)
	out := make([]S, opts.Workers)
	sinks := make([]source.Sink, opts.Workers)
	for i := range out {
		out[i] = newSink()
		sinks[i] = out[i]
	}
	stats, err := source.Scan(ctx, paths, opts, sinks, nil)
	if err != nil {
		return nil, stats, err
	}
	return out, stats, nil
}

// InputStats converts scan stats for the reports' data-quality section.
func InputStats(st source.Stats) []usage.InputStats {
	out := make([]usage.InputStats, 0, len(st.Sources))
	for _, s := range st.Sources {
		out = append(out, usage.InputStats{Name: s.Name, Read: s.Records, Rejected: s.Rejected, Reasons: s.Reasons})
	}
	return out
}
