// Package benchrec gives the reports' benchmarks decoded records of the
// generator's data, so that they measure accumulation alone, without
// decoding.
package benchrec

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/usagerep/usagerep/pkg/gen"
	"github.com/usagerep/usagerep/pkg/record"
	"github.com/usagerep/usagerep/pkg/source"
)

// sink keeps copies of the records it is given.
type sink struct{ recs []record.Record }

func (s *sink) Record(r *record.Record) {
	c := *r
	c.Source = strings.Clone(r.Source)
	c.Users = slices.Clone(r.Users)
	c.Props = nil
	s.recs = append(s.recs, c)
}

// Decoded writes cfg's JSONL and decodes it into records whose strings
// point into the kept input; it returns them with the input's size.
func Decoded(tb testing.TB, cfg gen.Config) ([]record.Record, int64) {
	tb.Helper()
	cfg.Format = gen.JSONL
	var buf bytes.Buffer
	if _, err := gen.Write(&buf, cfg); err != nil {
		tb.Fatal(err)
	}
	dec, err := source.NewDecoder(source.FormatJSONL, source.DecodeOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	// One chunk per line keeps each record's strings in the input, not in
	// a decoder buffer that the next record reuses.
	in := &source.Input{Name: "bench.jsonl", Format: source.FormatJSONL}
	s := &sink{}
	data := buf.Bytes()
	for line := int64(1); len(data) > 0; line++ {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 {
			n = len(data)
		}
		c := source.Chunk{Input: in, Data: data[:n:n], FirstLine: line}
		if _, bad, err := dec.Decode(&c, s, func(r source.Reject) error { return r }); err != nil || bad > 0 {
			tb.Fatalf("decoding line %d: %v", line, err)
		}
		data = data[n:]
	}
	return s.recs, int64(buf.Len())
}

// Accumulator is what the reports' accumulators have in common.
type Accumulator[A any] interface {
	Record(r *record.Record)
	Sibling() A
	Merge(o A)
}

// Feed gives recs to workers siblings of acc, each on a goroutine of its
// own, and merges them into acc, as the scan does.
func Feed[A Accumulator[A]](acc A, recs []record.Record, workers int) {
	accs := make([]A, workers)
	var wg sync.WaitGroup
	for w := range accs {
		accs[w] = acc.Sibling()
		wg.Go(func() {
			for i := w; i < len(recs); i += workers {
				accs[w].Record(&recs[i])
			}
		})
	}
	wg.Wait()
	for _, o := range accs {
		acc.Merge(o)
	}
}
