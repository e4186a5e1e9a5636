// Package benchrec gives the reports' benchmarks decoded records of the
// generator's data, so that they measure accumulation alone, without
// decoding; and their benchmarks and tests the ways a scan feeds and
// merges accumulators.
package benchrec

import (
	"bytes"
	"math/rand/v2"
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

// BenchPeople is how many people make bench-data writes.
const BenchPeople = 200000

// Sized is Decoded of size bytes of the generator's defaults with the
// people of make bench-data.
func Sized(tb testing.TB, size int64) ([]record.Record, int64) {
	cfg := gen.DefaultConfig()
	cfg.Bytes, cfg.People = size, BenchPeople
	return Decoded(tb, cfg)
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

// Family is one to three independent accumulators made by newRoot, each
// with up to two siblings sharing its store, so that merging them moves
// whole stores as well as folding siblings.
func Family[A Accumulator[A]](rng *rand.Rand, newRoot func() A) []A {
	var accs []A
	for range rng.IntN(3) + 1 {
		root := newRoot()
		accs = append(accs, root)
		for range rng.IntN(3) {
			accs = append(accs, root.Sibling())
		}
	}
	return accs
}

// FeedRandomly gives each record of recs, in an order of rng's, to one of
// accs, each accumulator on a goroutine of its own; then merges them as a
// tree in random pairs (associativity, not only a fold) and returns the
// one that holds everything.
func FeedRandomly[A Accumulator[A]](rng *rand.Rand, accs []A, recs []record.Record) A {
	feeds := make([][]*record.Record, len(accs))
	for _, i := range rng.Perm(len(recs)) {
		w := rng.IntN(len(accs))
		feeds[w] = append(feeds[w], &recs[i])
	}
	var wg sync.WaitGroup
	for w, acc := range accs {
		wg.Go(func() {
			for _, r := range feeds[w] {
				acc.Record(r)
			}
		})
	}
	wg.Wait()
	accs = slices.Clone(accs)
	rng.Shuffle(len(accs), func(i, j int) { accs[i], accs[j] = accs[j], accs[i] })
	for len(accs) > 1 {
		i := rng.IntN(len(accs) - 1)
		accs[i].Merge(accs[i+1])
		accs = append(accs[:i+1], accs[i+2:]...)
	}
	return accs[0]
}
