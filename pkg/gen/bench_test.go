package gen

import (
	"io"
	"testing"
)

// benchmarkWrite measures steady-state generation: a population small
// enough that building it is a negligible part of each run.
func benchmarkWrite(b *testing.B, f Format, gz bool) {
	c := DefaultConfig()
	c.Bytes = 32 << 20
	c.People = 20000
	c.Format, c.Gzip = f, gz
	var st Stats
	for b.Loop() {
		var err error
		if st, err = Write(io.Discard, c); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(st.Bytes)
	b.ReportMetric(float64(st.Records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkWriteJSONL(b *testing.B)   { benchmarkWrite(b, JSONL, false) }
func BenchmarkWriteCSV(b *testing.B)     { benchmarkWrite(b, CSV, false) }
func BenchmarkWriteJSONLGz(b *testing.B) { benchmarkWrite(b, JSONL, true) }

// BenchmarkPopulation is the one-off cost of building the population of
// the 1 GiB benchmark data set (200,000 people).
func BenchmarkPopulation(b *testing.B) {
	c := DefaultConfig()
	c.People = 200000
	for b.Loop() {
		newGenerator(&c)
	}
	b.ReportMetric(float64(c.People)*float64(b.N)/b.Elapsed().Seconds(), "people/s")
}
