package cli

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/usagerep/usagerep/pkg/gen"
)

// The export benchmarks run `usagerep export` in-process, end to end, on
// canonical JSONL from pkg/gen:
//
//	USAGEREP_BENCH_SIZE    input size (default 64MiB; 1GiB is the headline)
//	USAGEREP_BENCH_PEOPLE  distinct people (default 200,000 per GiB, the
//	                       shape of `make bench-data`)
//	USAGEREP_BENCH_INPUT   an existing file to use instead
//	USAGEREP_BENCH_DIR     where generated inputs are kept between runs
//	                       (default .bench-data/ at the module root)
const (
	benchPeoplePerGiB = 200000
	benchAsOf         = "2026-11-22"
)

// BenchmarkExport is the whole export (scan, accumulate, resolve, render,
// zip) with the default periods, on 1, 2, 4, ... workers up to GOMAXPROCS:
// sec/op of workers=1 over workers=N is the speed-up on N cores.
func BenchmarkExport(b *testing.B) {
	in := exportBenchInput(b)
	for _, w := range exportBenchWorkers() {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) { benchExport(b, in, w) })
	}
}

func exportBenchWorkers() []int {
	p := runtime.GOMAXPROCS(0)
	var ws []int
	for w := 1; w < p; w *= 2 {
		ws = append(ws, w)
	}
	return append(ws, p)
}

type benchInput struct {
	path    string
	size    int64
	records int64
}

func benchExport(b *testing.B, in benchInput, workers int) {
	dir := b.TempDir()
	b.Chdir(dir) // no config file in reach
	b.Setenv("XDG_CONFIG_HOME", dir)
	out := filepath.Join(dir, "out.zip")
	args := []string{"export", "-q", "--as-of", benchAsOf, "--workers", strconv.Itoa(workers), "-o", out, in.path}
	b.SetBytes(in.size)
	b.ReportAllocs()
	var runs int64
	for b.Loop() {
		var stderr bytes.Buffer
		ios := &IOStreams{In: bytes.NewReader(nil), Out: io.Discard, ErrOut: &stderr}
		if code := Main(args, ios, BuildInfo{Version: "bench"}); code != ExitOK {
			b.Fatalf("exit %d: %s", code, stderr.String())
		}
		runs++
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		b.Fatalf("no zip written: %v", err)
	}
	b.ReportMetric(float64(runs*in.records)/b.Elapsed().Seconds(), "records/s")
}

// exportBenchInput returns the input file, generating it on first use.
func exportBenchInput(b *testing.B) benchInput {
	b.Helper()
	path := os.Getenv("USAGEREP_BENCH_INPUT")
	if path == "" {
		path = generateBenchInput(b)
	}
	path, err := filepath.Abs(path)
	if err != nil {
		b.Fatal(err)
	}
	size, records, err := countLines(path)
	if err != nil {
		b.Fatal(err)
	}
	return benchInput{path: path, size: size, records: records}
}

func generateBenchInput(b *testing.B) string {
	b.Helper()
	sizeText := cmp.Or(os.Getenv("USAGEREP_BENCH_SIZE"), "64MiB")
	size, err := gen.ParseSize(sizeText)
	if err != nil {
		b.Fatalf("USAGEREP_BENCH_SIZE: %v", err)
	}
	people := max(1000, int(float64(size)/(1<<30)*benchPeoplePerGiB))
	if s := os.Getenv("USAGEREP_BENCH_PEOPLE"); s != "" {
		if people, err = strconv.Atoi(s); err != nil {
			b.Fatalf("USAGEREP_BENCH_PEOPLE: %v", err)
		}
	}
	cfg := gen.DefaultConfig()
	cfg.Bytes, cfg.People = size, people
	dir := cmp.Or(os.Getenv("USAGEREP_BENCH_DIR"), filepath.Join("..", "..", ".bench-data"))
	path := filepath.Join(dir, fmt.Sprintf("export-%d-p%d-s%d.jsonl", size, people, cfg.Seed))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	// Through a temporary file, so an interrupted run leaves no short input.
	tmp, err := os.CreateTemp(dir, ".export-*.tmp")
	if err != nil {
		b.Fatal(err)
	}
	defer os.Remove(tmp.Name())
	if _, err := gen.Write(tmp, cfg); err != nil {
		b.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		b.Fatal(err)
	}
	return path
}

// countLines gives the file's size and its number of lines (records, in
// canonical JSONL), for records/s.
func countLines(path string) (size, lines int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		size += int64(n)
		lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if err == io.EOF {
			return size, lines, nil
		}
		if err != nil {
			return 0, 0, err
		}
	}
}
