package analytics

import (
	"fmt"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/benchrec"
	"github.com/usagerep/usagerep/pkg/record"
)

// benchOptions keep the last days before the generator's end, with events
// and the latest project per user (benchrec's records carry no props).
func benchOptions(b *testing.B, days int) Options {
	asOf := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	f, err := ParseField("project")
	if err != nil {
		b.Fatal(err)
	}
	return Options{
		From: asOf.AddDate(0, 0, -days), To: asOf.AddDate(0, 0, -1), AsOf: asOf,
		Events: true, Latest: []Field{f},
	}
}

// accumulate feeds recs to workers siblings and merges them, as the scan
// does.
func accumulate(b *testing.B, opts Options, recs []record.Record, workers int) *Accumulator {
	acc, err := NewAccumulator(opts)
	if err != nil {
		b.Fatal(err)
	}
	benchrec.Feed(acc, recs, workers)
	return acc
}

// BenchmarkAccumulate is the accumulate stage alone, without decoding,
// merge included, on one and two workers, keeping 30 days or the
// generator's two years per user. MB/s is of the JSONL the records came
// from.
func BenchmarkAccumulate(b *testing.B) {
	recs, size := benchrec.Sized(b, 32<<20)
	for _, days := range []int{30, 730} {
		opts := benchOptions(b, days)
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("days=%d/workers=%d", days, workers), func(b *testing.B) {
				b.SetBytes(size)
				for b.Loop() {
					accumulate(b, opts, recs, workers)
				}
				b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

// BenchmarkBuild resolves identities and folds the cells into users'
// days, events and latest values. MB/s is of the JSONL the records came
// from.
func BenchmarkBuild(b *testing.B) {
	recs, size := benchrec.Sized(b, 32<<20)
	opts := benchOptions(b, 730)
	b.SetBytes(size)
	var users int
	for b.Loop() {
		b.StopTimer()
		acc := accumulate(b, opts, recs, 2)
		b.StartTimer()
		users = len(Build(acc, BuildOptions{}).Users)
	}
	b.ReportMetric(float64(users), "users")
}
