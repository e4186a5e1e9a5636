package report

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/access"
	"github.com/usagerep/usagerep/pkg/source"
)

// AccessFormats are the access report's formats; the first is the default.
var AccessFormats = []string{"csv", "xlsx", "json"}

// AccessFormat is how an access report is rendered.
type AccessFormat struct {
	Format    string // csv, xlsx or json; "" is csv
	Usernames bool   // Username and Display name columns after Email
	BOM       bool   // a UTF-8 byte order mark before the CSV
}

// ContentType is the format's media type, for HTTP.
func (f AccessFormat) ContentType() string {
	switch f.Format {
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "json":
		return "application/json; charset=utf-8"
	}
	return "text/csv; charset=utf-8"
}

// FileName is the report's default file name: access.csv, access.xlsx or
// access.json.
func (f AccessFormat) FileName() string {
	if f.Format == "" {
		return "access.csv"
	}
	return "access." + f.Format
}

// ParseAccessFormat checks a format name, case-insensitively.
func ParseAccessFormat(s string) (string, error) {
	f := strings.ToLower(s)
	if !slices.Contains(AccessFormats, f) {
		return "", fmt.Errorf("%q: want csv, xlsx or json", s)
	}
	return f, nil
}

// AccessColumns resolves a column profile name: one of profiles (keyed
// lower-case, from the config file), else a built-in one; nil (every
// action) for "".
func AccessColumns(name string, profiles map[string][]access.Column) ([]access.Column, error) {
	if name == "" {
		return nil, nil
	}
	if p, ok := profiles[strings.ToLower(name)]; ok {
		return p, nil
	}
	if p, ok := access.BuiltinProfile(name); ok {
		return p, nil
	}
	known := access.BuiltinProfileNames()
	for n := range profiles {
		known = append(known, n)
	}
	slices.Sort(known)
	return nil, fmt.Errorf("%q: no such column profile (known: %s)", name, strings.Join(slices.Compact(known), ", "))
}

// AccessQuery is what the access report depends on beyond its inputs.
type AccessQuery struct {
	From, To time.Time // first and last day, inclusive
	Location *time.Location
	Plan     string
	// AsOf, when not zero, leaves out records at or after it; zero, the
	// range alone decides.
	AsOf    time.Time
	Columns []access.Column // nil: every action of the rows
	AccessFormat
}

// NewAccessAccumulator is the accumulator of q, whose siblings a scan
// fills; an error is a bad range.
func NewAccessAccumulator(q AccessQuery) (*access.Accumulator, error) {
	return access.NewAccumulator(access.Options{From: q.From, To: q.To, Location: q.Location, Plan: strings.TrimSpace(q.Plan), AsOf: q.AsOf})
}

// AccessScanFunc reads the inputs once into one sink per worker, each made
// by newSink, and returns them with the scan's stats.
type AccessScanFunc func(ctx context.Context, newSink func() *access.Accumulator) ([]*access.Accumulator, source.Stats, error)

// BuildAccess scans with scan into acc's siblings, merges them into acc
// and builds the report.
func BuildAccess(ctx context.Context, acc *access.Accumulator, q AccessQuery, scan AccessScanFunc) (*access.Report, source.Stats, error) {
	accs, stats, err := scan(ctx, acc.Sibling)
	if err != nil {
		return nil, stats, err
	}
	for _, o := range accs {
		acc.Merge(o)
	}
	return access.Build(acc, access.BuildOptions{Columns: q.Columns, Plan: strings.TrimSpace(q.Plan), Loc: q.Location}), stats, nil
}

// AccessReport scans paths with opts and writes the access report of q to
// w: what `usagerep access` writes for the same query, byte for byte.
// Rejected records are only counted, in the stats.
func AccessReport(ctx context.Context, w io.Writer, paths []string, opts source.ScanOptions, q AccessQuery) (source.Stats, error) {
	acc, err := NewAccessAccumulator(q)
	if err != nil {
		return source.Stats{}, err
	}
	rep, stats, err := BuildAccess(ctx, acc, q, func(ctx context.Context, newSink func() *access.Accumulator) ([]*access.Accumulator, source.Stats, error) {
		return Scan(ctx, paths, opts, newSink)
	})
	if err != nil {
		return stats, err
	}
	if err := WriteAccess(w, rep, q.AccessFormat); err != nil {
		return stats, fmt.Errorf("writing the report: %w", err)
	}
	return stats, nil
}
