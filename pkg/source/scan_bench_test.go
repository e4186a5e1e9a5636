package source

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/usagerep/usagerep/pkg/record"
)

// newlineDecoder is the trivial decoder of the engine benchmarks: it counts
// lines, so what is measured is reading, chunking and the worker pool.
type newlineDecoder struct{}

func (newlineDecoder) Decode(c *Chunk, _ Sink, _ RejectFunc) (int64, int64, error) {
	return int64(bytes.Count(c.Data, nl)), 0, nil
}

func newNewlineDecoder(Format, DecodeOptions) (Decoder, error) { return newlineDecoder{}, nil }

// scanCountSink counts records.
type scanCountSink struct{ n int64 }

func (s *scanCountSink) Record(*record.Record) { s.n++ }

// scanBenchJSONL writes canonical JSONL records of about 200 bytes until size.
func scanBenchJSONL(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 512)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `{"time":"2026-03-%02dT%02d:%02d:%02dZ","email":"user%d@example.com","system":"Jira Cloud",`+
			`"project":"PROJ%d","entity_type":"Bug","entity_id":"PROJ-%d","action":"comment","count":1}`+"\n",
			1+i%28, i%24, i%60, (i/60)%60, i%20011, i%97, i)
	}
	return b.Bytes()
}

// scanBenchCSV writes the same records as CSV, with a quoted field in each.
func scanBenchCSV(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 512)
	b.WriteString("time,email,system,project,entity_type,entity_id,action,count\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "2026-03-%02dT%02d:%02d:%02dZ,user%d@example.com,\"Jira Cloud\",PROJ%d,Bug,PROJ-%d,comment,1\n",
			1+i%28, i%24, i%60, (i/60)%60, i%20011, i%97, i)
	}
	return b.Bytes()
}

// benchScan scans paths once per iteration and reports MB/s (on-disk bytes)
// and records/s.
func benchScan(b *testing.B, paths []string, workers int, newDecoder func(Format, DecodeOptions) (Decoder, error)) {
	b.Helper()
	_, total, err := Plan(paths, ScanOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total)
	b.ReportAllocs()
	var records atomic.Int64
	for b.Loop() {
		sinks := make([]Sink, workers)
		for i := range sinks {
			sinks[i] = &scanCountSink{}
		}
		st, err := Scan(context.Background(), paths, ScanOptions{Workers: workers, newDecoder: newDecoder}, sinks, nil)
		if err != nil {
			b.Fatal(err)
		}
		n, rejected := st.Totals()
		if rejected != 0 {
			b.Fatalf("%d rejects", rejected)
		}
		records.Add(n)
	}
	b.ReportMetric(float64(records.Load())/b.Elapsed().Seconds(), "records/s")
}

func writeBenchFiles(b *testing.B, name string, data []byte, n int, compress func(testing.TB, []byte) []byte) []string {
	b.Helper()
	dir := b.TempDir()
	if compress != nil {
		data = compress(b, data)
	}
	var paths []string
	for i := range n {
		p := filepath.Join(dir, strconv.Itoa(i)+name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

var benchDecoders = []struct {
	name string
	new  func(Format, DecodeOptions) (Decoder, error)
}{
	{"lines", newNewlineDecoder},
	{"decode", NewDecoder},
}

func benchWorkers() []int {
	if p := runtime.GOMAXPROCS(0); p > 1 {
		return []int{1, p}
	}
	return []int{1}
}

// BenchmarkScanJSONL: one 64 MiB file, cut into chunks decoded in parallel.
func BenchmarkScanJSONL(b *testing.B) {
	paths := writeBenchFiles(b, ".jsonl", scanBenchJSONL(64<<20), 1, nil)
	for _, d := range benchDecoders {
		for _, w := range benchWorkers() {
			b.Run(fmt.Sprintf("%s/workers=%d", d.name, w), func(b *testing.B) { benchScan(b, paths, w, d.new) })
		}
	}
}

// BenchmarkScanJSONLGzip: eight 8 MiB files (before compression),
// decompressed several at once.
func BenchmarkScanJSONLGzip(b *testing.B) {
	paths := writeBenchFiles(b, ".jsonl.gz", scanBenchJSONL(8<<20), 8, gzipOf)
	for _, d := range benchDecoders {
		for _, w := range benchWorkers() {
			b.Run(fmt.Sprintf("%s/workers=%d", d.name, w), func(b *testing.B) { benchScan(b, paths, w, d.new) })
		}
	}
}

// BenchmarkScanCSV: one 64 MiB file; the chunker tracks quotes.
func BenchmarkScanCSV(b *testing.B) {
	paths := writeBenchFiles(b, ".csv", scanBenchCSV(64<<20), 1, nil)
	for _, d := range benchDecoders {
		for _, w := range benchWorkers() {
			b.Run(fmt.Sprintf("%s/workers=%d", d.name, w), func(b *testing.B) { benchScan(b, paths, w, d.new) })
		}
	}
}
