package access

import (
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/benchrec"
	"github.com/usagerep/usagerep/pkg/record"
)

// benchOptions span the generator's two years, the worst case: nearly a
// row per record.
var benchOptions = Options{From: time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}

// accumulate feeds recs to workers siblings and merges them, as the scan
// does.
func accumulate(b *testing.B, recs []record.Record, workers int) *Accumulator {
	acc, err := NewAccumulator(benchOptions)
	if err != nil {
		b.Fatal(err)
	}
	benchrec.Feed(acc, recs, workers)
	return acc
}

// BenchmarkAccumulate is the accumulate stage alone, without decoding, on
// one and two workers. MB/s is of the JSONL the records came from.
func BenchmarkAccumulate(b *testing.B) {
	recs, size := benchrec.Sized(b, 32<<20)
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "workers=1", 2: "workers=2"}[workers], func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				accumulate(b, recs, workers)
			}
			b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkBuild resolves identities and folds the cells into sorted
// rows. MB/s is of the JSONL the records came from.
func BenchmarkBuild(b *testing.B) {
	recs, size := benchrec.Sized(b, 32<<20)
	b.SetBytes(size)
	var rows int
	for b.Loop() {
		b.StopTimer()
		acc := accumulate(b, recs, 2)
		b.StartTimer()
		rows = len(Build(acc, BuildOptions{}).Rows)
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(rows), "rows")
}
