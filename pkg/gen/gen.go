// Package gen writes deterministic synthetic activity dumps in the canonical
// record format of spec 01-input.md (JSON Lines or CSV, optionally gzip'd),
// for benchmarks and load tests, and builds the small hand-checked sample
// bundled under testdata/sample (see Sample).
//
// The generator models a population of people, each with one canonical
// identity (name, company, email, username), observed through the systems
// they use with realistic variants: email and username, email only with case
// variants, display name only with spacing and case variants, username only,
// an alternative handle on code hosts, plus service accounts, anonymous
// records and a few invalid emails. Activity is Zipf-like (few heavy users,
// a long tail) over a time span ending at an as-of time; a share of the
// records are syncs of entities between pairs of systems.
//
// Output depends only on the Config: the same Config gives the same bytes on
// every run and platform. All randomness comes from a PCG seeded with
// Config.Seed, drawn through the generator's own helpers rather than
// math/rand's derived methods, whose algorithms are not promised stable.
package gen

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Format is the encoding of generated records.
type Format uint8

const (
	JSONL Format = iota // one JSON object per line
	CSV                 // RFC 4180 with a header row
)

func (f Format) String() string {
	if f == CSV {
		return "csv"
	}
	return "jsonl"
}

// ParseFormat reads "jsonl" (also "ndjson", "json") or "csv".
func ParseFormat(s string) (Format, error) {
	switch s {
	case "jsonl", "ndjson", "json":
		return JSONL, nil
	case "csv":
		return CSV, nil
	}
	return JSONL, fmt.Errorf("unknown format %q (want jsonl or csv)", s)
}

// Config describes a data set. Generation stops at the first record end
// where Records records or at least Bytes uncompressed bytes have been
// written, whichever comes first; at least one of the two must be set.
type Config struct {
	Records int64
	Bytes   int64

	People   int // distinct people (service accounts come on top)
	Systems  int // 1..64; the first eight have real names (Jira Cloud, Azure DevOps, ...)
	Projects int // total over all systems, at least one per system
	Entities int // distinct entities that sync records draw from

	Seed   int64
	Format Format
	Gzip   bool // gzip the output (Bytes still counts uncompressed bytes)

	// SyncShare is the fraction of records that are syncs, in [0, 1].
	SyncShare float64
	// AsOf is the exclusive end of the time span; Span its length.
	AsOf time.Time
	Span time.Duration
}

// DefaultConfig is a mid-sized data set: 64 MiB of JSONL, 10,000 people in
// four systems, 40% syncs over the two years before 2026-11-23.
func DefaultConfig() Config {
	return Config{
		Bytes:     64 << 20,
		People:    10000,
		Systems:   4,
		Projects:  24,
		Entities:  100000,
		Seed:      1,
		Format:    JSONL,
		SyncShare: 0.4,
		AsOf:      time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		Span:      730 * 24 * time.Hour,
	}
}

// maxSystems bounds Config.Systems; a person's home systems are stored
// as bytes.
const maxSystems = 64

func (c *Config) validate() error {
	var errs []error
	if c.Records < 0 || c.Bytes < 0 {
		errs = append(errs, errors.New("records and bytes must not be negative"))
	}
	if c.Records == 0 && c.Bytes == 0 {
		errs = append(errs, errors.New("set a number of records or bytes"))
	}
	if c.People < 1 {
		errs = append(errs, errors.New("people must be at least 1"))
	}
	if c.Systems < 1 || c.Systems > maxSystems {
		errs = append(errs, fmt.Errorf("systems must be between 1 and %d", maxSystems))
	}
	if c.Projects < 0 {
		errs = append(errs, errors.New("projects must not be negative"))
	}
	if !(c.SyncShare >= 0 && c.SyncShare <= 1) { // also rejects NaN
		errs = append(errs, errors.New("sync share must be between 0 and 1"))
	}
	if c.SyncShare > 0 && c.Systems < 2 {
		errs = append(errs, errors.New("syncs need at least 2 systems"))
	}
	if c.SyncShare > 0 && c.Entities < 1 {
		errs = append(errs, errors.New("syncs need at least 1 entity"))
	}
	if c.Format != JSONL && c.Format != CSV {
		errs = append(errs, fmt.Errorf("unknown format %d", c.Format))
	}
	if c.AsOf.IsZero() {
		errs = append(errs, errors.New("as-of must be set"))
	}
	if c.Span < time.Second {
		errs = append(errs, errors.New("span must be at least one second"))
	}
	if c.AsOf.Add(-c.Span).Unix() < 0 {
		errs = append(errs, errors.New("the time span must start after 1970"))
	}
	return errors.Join(errs...)
}

// Stats describes what Write produced.
type Stats struct {
	Records     int64
	SyncRecords int64
	Bytes       int64 // uncompressed
	// People is the number of distinct people named by at least one record
	// (service accounts not included).
	People int
}

// flushSize is how much output is buffered before each Write to w.
const flushSize = 1 << 20

// Write generates the data set described by cfg into w.
func Write(w io.Writer, cfg Config) (Stats, error) {
	if err := cfg.validate(); err != nil {
		return Stats{}, fmt.Errorf("gen: %w", err)
	}
	out := w
	var zw *gzip.Writer
	if cfg.Gzip {
		zw = gzip.NewWriter(w)
		out = zw
	}
	g := newGenerator(&cfg)
	err := g.run(out)
	if zw != nil {
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
	}
	return g.stats(), err
}

func (g *generator) run(w io.Writer) error {
	cfg := g.cfg
	buf := make([]byte, 0, flushSize+64<<10)
	if cfg.Format == CSV {
		buf = append(buf, csvHeader...)
	}
	var written int64
	for k := int64(0); ; k++ {
		total := written + int64(len(buf))
		if (cfg.Records > 0 && k >= cfg.Records) || (cfg.Bytes > 0 && total >= cfg.Bytes) {
			break
		}
		// Progress through the data set drives time, so records come out
		// in (jittered) time order whichever limit ends the run.
		var f float64
		if cfg.Records > 0 {
			f = float64(k) / float64(cfg.Records)
		}
		if cfg.Bytes > 0 {
			f = max(f, float64(total)/float64(cfg.Bytes))
		}
		g.next(k, f)
		if cfg.Format == CSV {
			buf = g.appendCSV(buf)
		} else {
			buf = g.appendJSON(buf)
		}
		if len(buf) >= flushSize {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			written += int64(len(buf))
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		if _, err := w.Write(buf); err != nil {
			return err
		}
		written += int64(len(buf))
	}
	g.bytes = written
	return nil
}
