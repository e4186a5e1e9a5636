package usage

import (
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
