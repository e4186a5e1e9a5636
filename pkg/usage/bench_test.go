package usage

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/gen"
	"github.com/usagerep/usagerep/pkg/internal/benchrec"
	"github.com/usagerep/usagerep/pkg/record"
)

// benchRecords decodes size bytes of generated JSONL (200k people, as in
// make bench-data) into records.
func benchRecords(b *testing.B, size int64) ([]record.Record, int64) {
	cfg := gen.DefaultConfig()
	cfg.Bytes, cfg.People, cfg.Systems, cfg.Projects, cfg.Entities = size, benchrec.BenchPeople, 6, 60, 1000000
	return benchrec.Decoded(b, cfg)
}

// BenchmarkAccumulate feeds decoded records to one accumulator per worker
// (siblings sharing their observations, as export does) and merges them:
// the accumulate stage alone, without decoding. MB/s is of the JSONL the
// records came from.
func BenchmarkAccumulate(b *testing.B) {
	recs, size := benchRecords(b, 64<<20)
	periods, err := ParsePeriods("6m,1y")
	if err != nil {
		b.Fatal(err)
	}
	cfg := NewConfig(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), periods)
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "workers=1", 2: "workers=2"}[workers], func(b *testing.B) {
			b.SetBytes(size)
			var distinct int
			for b.Loop() {
				acc := NewAccumulator(cfg)
				benchrec.Feed(acc, recs, workers)
				distinct = acc.obs.live().len()
			}
			b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(distinct), "observations")
		})
	}
}

// BenchmarkObsStoreAdd1M adds 2.2M observations of 1M distinct keys of
// about 75 bytes, in random order, to one store: the accumulator's hash
// table once it no longer fits any cache, as on the 1 GiB export. Each key
// is built in one buffer, as Accumulator.observe builds it.
func BenchmarkObsStoreAdd1M(b *testing.B) {
	const distinct, adds = 1_000_000, 2_200_000
	rng := rand.New(rand.NewPCG(1, 2))
	seq := make([]int32, adds)
	for i := range seq {
		seq[i] = int32(rng.IntN(distinct))
	}
	asOf := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC).UnixNano()
	starts := []int64{asOf - 183*24*int64(time.Hour), asOf - 365*24*int64(time.Hour)}
	key := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		s := newObsStore(starts)
		for i, p := range seq {
			key = append(key[:0], "\x0cAzure DevOps\x19person"...)
			key = strconv.AppendInt(key, int64(p), 10)
			key = append(key, "@example.com\x0dperson"...)
			key = strconv.AppendInt(key, int64(p), 10)
			key = append(key, "\x00\x00\x00\x00\x00\x00"...)
			s.add(key, asOf-int64(i)*int64(time.Second), noInter)
		}
	}
	b.ReportMetric(float64(adds)*float64(b.N)/b.Elapsed().Seconds(), "adds/s")
}
