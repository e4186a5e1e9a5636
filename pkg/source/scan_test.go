package source

import (
	"archive/tar"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zip"
	"github.com/klauspost/compress/zstd"

	"github.com/usagerep/usagerep/pkg/record"
)

// lineCountDecoder stands in for the real decoders in tests of the engine.
// In JSONL every non-blank line is a record whose Action is the line's
// text and whose Time is its line number; a line containing "bad" is
// rejected ("bad line"). CSV chunks are
// read with encoding/csv, an independent reader, and a record's Action is
// its fields joined by '|'.
type lineCountDecoder struct {
	rec record.Record
}

func newLineCountDecoder(Format, DecodeOptions) (Decoder, error) { return &lineCountDecoder{}, nil }

func (d *lineCountDecoder) Decode(c *Chunk, sink Sink, reject RejectFunc) (good, bad int64, err error) {
	if c.Input.Format == FormatCSV {
		return d.decodeCSV(c, sink, reject)
	}
	line := c.FirstLine
	for data := c.Data; len(data) > 0; line++ {
		ln := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			ln, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		ln = bytes.TrimSuffix(ln, []byte("\r"))
		if len(bytes.TrimSpace(ln)) == 0 {
			continue
		}
		if bytes.Contains(ln, []byte("bad")) {
			bad++
			if err := reject(Reject{Source: c.Input.Name, Line: line, Reason: "bad line", Raw: ln}); err != nil {
				return good, bad, err
			}
			continue
		}
		d.rec = record.Record{Source: c.Input.Name, Line: line, Time: line, Action: string(ln)}
		sink.Record(&d.rec)
		good++
	}
	return good, bad, nil
}

func (d *lineCountDecoder) decodeCSV(c *Chunk, sink Sink, reject RejectFunc) (good, bad int64, err error) {
	header := bytes.TrimPrefix(c.Header, []byte(byteOrderMark))
	r := csv.NewReader(io.MultiReader(bytes.NewReader(header), strings.NewReader("\n"), bytes.NewReader(c.Data)))
	r.FieldsPerRecord = -1
	headerLines := int64(1 + bytes.Count(header, nl))
	if _, err := r.Read(); err != nil {
		return 0, 0, err
	}
	for {
		fields, err := r.Read()
		if err == io.EOF {
			return good, bad, nil
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			bad++
			line := c.FirstLine + int64(pe.StartLine) - headerLines - 1
			if err := reject(Reject{Source: c.Input.Name, Line: line, Reason: "bad csv", Detail: pe.Error()}); err != nil {
				return good, bad, err
			}
			continue
		}
		if err != nil {
			return good, bad, err
		}
		fl, _ := r.FieldPos(0)
		d.rec = record.Record{Source: c.Input.Name, Line: c.FirstLine + int64(fl) - headerLines - 1, Action: strings.Join(fields, "|")}
		sink.Record(&d.rec)
		good++
	}
}

// seen is a record as a sink saw it.
type seen struct {
	Source string
	Line   int64
	Text   string
}

// collectSink keeps every record, by default as its Action.
type collectSink struct {
	text func(r *record.Record) string
	recs []seen
}

func (s *collectSink) Record(r *record.Record) {
	text := r.Action
	if s.text != nil {
		text = s.text(r)
	}
	s.recs = append(s.recs, seen{Source: r.Source, Line: r.Line, Text: text})
}

type scanResult struct {
	recs    []seen   // sorted by source, line
	rejects []Reject // sorted by source, line; Raw copied
	stats   Stats
}

func (r scanResult) source(name string) (SourceStats, bool) {
	for _, s := range r.stats.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return SourceStats{}, false
}

func (r scanResult) recordsOf(name string) []seen {
	var out []seen
	for _, s := range r.recs {
		if s.Source == name {
			out = append(out, s)
		}
	}
	return out
}

// scan runs Scan with a collecting sink per worker; the decoder defaults to
// lineCountDecoder and the workers to 2.
func scan(t testing.TB, paths []string, opts ScanOptions, text func(*record.Record) string) (scanResult, error) {
	t.Helper()
	if opts.Workers == 0 {
		opts.Workers = 2
	}
	if opts.newDecoder == nil {
		opts.newDecoder = newLineCountDecoder
	}
	sinks := make([]Sink, opts.Workers)
	cs := make([]*collectSink, opts.Workers)
	for i := range sinks {
		cs[i] = &collectSink{text: text}
		sinks[i] = cs[i]
	}
	var mu sync.Mutex
	var res scanResult
	st, err := Scan(context.Background(), paths, opts, sinks, func(r Reject) error {
		mu.Lock()
		defer mu.Unlock()
		r.Raw = bytes.Clone(r.Raw)
		res.rejects = append(res.rejects, r)
		return nil
	})
	res.stats = st
	for _, c := range cs {
		res.recs = append(res.recs, c.recs...)
	}
	slices.SortFunc(res.recs, func(a, b seen) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), cmp.Compare(a.Line, b.Line))
	})
	slices.SortFunc(res.rejects, func(a, b Reject) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), cmp.Compare(a.Line, b.Line))
	})
	return res, err
}

func mustScan(t testing.TB, paths []string, opts ScanOptions) scanResult {
	t.Helper()
	res, err := scan(t, paths, opts, nil)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return res
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "inputs", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipOf(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zstdOf(t testing.TB, data []byte) []byte {
	t.Helper()
	w, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.EncodeAll(data, nil)
}

// member is one entry of a test bundle.
type member struct {
	name     string
	data     []byte
	typeflag byte // tar type; 0 means a regular file
	link     string
}

func tarOf(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: m.typeflag, Linkname: m.link}
		if m.typeflag == 0 {
			h.Typeflag = tar.TypeReg
		} else {
			h.Size = 0
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := w.Write(m.data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipOf(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, m := range members {
		f, err := w.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// numbered returns n JSONL-ish lines "<prefix> 1" ... "<prefix> n".
func numbered(prefix string, n int) []byte {
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		b.WriteString(prefix)
		b.WriteByte(' ')
		b.WriteString(itoa(i))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func itoa(i int) string {
	var buf [20]byte
	n := len(buf)
	for {
		n--
		buf[n] = byte('0' + i%10)
		if i /= 10; i == 0 {
			return string(buf[n:])
		}
	}
}

func TestScanWorkersAgree(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 5 {
		paths = append(paths, writeFile(t, dir, "f"+itoa(i)+".jsonl", numbered("file"+itoa(i)+" line", 200*(i+1))))
	}
	paths = append(paths, writeFile(t, dir, "big.jsonl.gz", gzipOf(t, numbered("big bad? no, line", 5000))))
	paths = append(paths, writeFile(t, dir, "mixed.jsonl", []byte("a\nbad 1\nb\nbad 2\n")))
	paths = append(paths, writeFile(t, dir, "events.csv", readFixture(t, "events.csv")))

	var want scanResult
	for i, workers := range []int{1, 2, 4} {
		for _, chunk := range []int{64, 1 << 20} {
			got := mustScan(t, paths, ScanOptions{Workers: workers, ChunkBytes: chunk})
			if i == 0 && chunk == 64 {
				want = got
				if n, r := got.stats.Totals(); n != 200+400+600+800+1000+5000+4+4 || r != 5002 {
					// big.jsonl.gz has "bad" on every line.
					t.Fatalf("totals = %d records, %d rejected", n, r)
				}
				continue
			}
			if !slices.Equal(got.recs, want.recs) {
				t.Errorf("workers=%d chunk=%d: records differ from workers=1", workers, chunk)
			}
			if !slices.EqualFunc(got.rejects, want.rejects, rejectEqual) {
				t.Errorf("workers=%d chunk=%d: rejects differ from workers=1", workers, chunk)
			}
			if !statsEqual(got.stats, want.stats) {
				t.Errorf("workers=%d chunk=%d: stats %+v, want %+v", workers, chunk, got.stats, want.stats)
			}
		}
	}
}

func rejectEqual(a, b Reject) bool {
	return a.Source == b.Source && a.Line == b.Line && a.Reason == b.Reason && a.Detail == b.Detail && bytes.Equal(a.Raw, b.Raw)
}

func statsEqual(a, b Stats) bool {
	return a.Bytes == b.Bytes && a.Span == b.Span && slices.Equal(a.Skipped, b.Skipped) &&
		slices.EqualFunc(a.Sources, b.Sources, func(x, y SourceStats) bool {
			return x.Name == y.Name && x.Records == y.Records && x.Rejected == y.Rejected && mapsEqual(x.Reasons, y.Reasons)
		})
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestScanStatsAndProgress(t *testing.T) {
	dir := t.TempDir()
	paths := []string{
		writeFile(t, dir, "a.jsonl", []byte("x\nbad\n\ny\n")),
		writeFile(t, dir, "b.zip", zipOf(t, member{name: "in.jsonl", data: []byte("1\n2\n3\n")}, member{name: "notes.txt", data: []byte("hi")})),
		writeFile(t, dir, "c.jsonl.gz", gzipOf(t, []byte("bad\nbad\nz\n"))),
	}
	_, total, err := Plan(paths, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var progress, decoded atomic.Int64
	res := mustScan(t, paths, ScanOptions{Progress: func(d int64) {
		if d <= 0 {
			t.Errorf("progress delta %d", d)
		}
		progress.Add(d)
	}, RecordsDecoded: func(n int64) { decoded.Add(n) }})
	want := []SourceStats{
		{Name: paths[0], Records: 3, Rejected: 1, Reasons: map[string]int64{"bad line": 1}},
		{Name: paths[1] + ":in.jsonl", Records: 3},
		{Name: paths[2], Records: 3, Rejected: 2, Reasons: map[string]int64{"bad line": 2}},
	}
	wantSkipped := []SkippedInput{{Name: paths[1] + ":notes.txt", Reason: "unrecognised file type"}}
	// Good lines are a.jsonl's 1 and 4, in.jsonl's 1 to 3 and c.jsonl.gz's 3.
	wantSpan := Span{Oldest: 1, Newest: 4, Any: true}
	if !statsEqual(res.stats, Stats{Sources: want, Skipped: wantSkipped, Bytes: total, Span: wantSpan}) {
		t.Errorf("stats = %+v\nwant sources %+v, skipped %+v, bytes %d", res.stats, want, wantSkipped, total)
	}
	if progress.Load() != total {
		t.Errorf("progress reported %d bytes, want %d", progress.Load(), total)
	}
	if decoded.Load() != 9 {
		t.Errorf("%d records reported decoded, want 9 (good and rejected)", decoded.Load())
	}
}

func TestScanSpanOfNoGoodRecord(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"empty.jsonl": "", "bad.jsonl": "bad\nbad\n"} {
		res := mustScan(t, []string{writeFile(t, dir, name, []byte(data))}, ScanOptions{Workers: 2})
		if res.stats.Span != (Span{}) {
			t.Errorf("%s: span %+v, want none", name, res.stats.Span)
		}
	}
}

func TestSpanWiden(t *testing.T) {
	var s Span
	s.widen(5, 4) // a worker that decoded nothing
	if s.Any {
		t.Fatalf("widened by nothing: %+v", s)
	}
	s.widen(-3, 7)
	s.widen(2, 9)
	s.widen(10, 9)
	if want := (Span{Oldest: -3, Newest: 9, Any: true}); s != want {
		t.Errorf("span %+v, want %+v", s, want)
	}
}

func TestScanStdin(t *testing.T) {
	data := []byte("one\ntwo\nthree")
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"plain", data},
		{"gzip sniffed", gzipOf(t, data)},
		{"zstd sniffed", zstdOf(t, data)},
		{"empty", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := mustScan(t, []string{"-"}, ScanOptions{Format: FormatJSONL, Stdin: bytes.NewReader(tc.in)})
			var want []seen
			if tc.in != nil {
				want = []seen{{"-", 1, "one"}, {"-", 2, "two"}, {"-", 3, "three"}}
			}
			if !slices.Equal(res.recs, want) {
				t.Errorf("records = %v, want %v", res.recs, want)
			}
			if res.stats.Bytes != int64(len(tc.in)) {
				t.Errorf("Bytes = %d, want %d", res.stats.Bytes, len(tc.in))
			}
		})
	}
}

func TestScanErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "a.jsonl", []byte("x\n"))
	for _, tc := range []struct {
		name  string
		paths []string
		opts  ScanOptions
		sinks int
		want  string
	}{
		{"stdin without format", []string{"-"}, ScanOptions{Stdin: strings.NewReader("")}, 2, "needs an input format"},
		{"stdin without reader", []string{"-"}, ScanOptions{Format: FormatJSONL}, 2, "Stdin is nil"},
		{"missing file", []string{filepath.Join(dir, "nope.jsonl")}, ScanOptions{}, 2, "no such file"},
		{"sinks mismatch", []string{good}, ScanOptions{Workers: 3}, 2, "2 sinks for 3 workers"},
		{"decoder fails", []string{good}, ScanOptions{newDecoder: func(Format, DecodeOptions) (Decoder, error) {
			return nil, errors.New("bad mapping")
		}}, 2, "bad mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.Workers == 0 {
				tc.opts.Workers = tc.sinks
			}
			if tc.opts.newDecoder == nil {
				tc.opts.newDecoder = newLineCountDecoder
			}
			sinks := make([]Sink, tc.sinks)
			for i := range sinks {
				sinks[i] = &collectSink{}
			}
			_, err := Scan(context.Background(), tc.paths, tc.opts, sinks, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// endless yields "line\n" forever, or until stop is closed.
type endless struct{ n atomic.Int64 }

func (e *endless) Read(p []byte) (int, error) {
	const line = "line\n"
	n := 0
	for n+len(line) <= len(p) {
		n += copy(p[n:], line)
	}
	e.n.Add(int64(n))
	return n, nil
}

// cancelSink cancels a context after it has seen n records.
type cancelSink struct {
	n      *atomic.Int64
	after  int64
	cancel context.CancelFunc
}

func (s *cancelSink) Record(*record.Record) {
	if s.n.Add(1) == s.after {
		s.cancel()
	}
}

// settledGoroutines waits (boundedly) for exiting goroutines to be gone and
// returns how many remain.
func settledGoroutines(limit int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 200 && n > limit; i++ {
		time.Sleep(5 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

func TestScanCancelStopsAndLeaksNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int64
	sinks := []Sink{
		&cancelSink{n: &n, after: 1000, cancel: cancel},
		&cancelSink{n: &n, after: 1000, cancel: cancel},
		&cancelSink{n: &n, after: 1000, cancel: cancel},
	}
	dir := t.TempDir()
	gz := writeFile(t, dir, "more.jsonl.gz", gzipOf(t, numbered("x", 20000)))
	zs := writeFile(t, dir, "more.jsonl.zst", zstdOf(t, numbered("x", 20000)))
	src := &endless{}
	_, err := Scan(ctx, []string{"-", gz, zs}, ScanOptions{
		Workers: 3, Format: FormatJSONL, Stdin: src, ChunkBytes: 4096, newDecoder: newLineCountDecoder,
	}, sinks, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if after := settledGoroutines(before); after > before {
		t.Errorf("%d goroutines after Scan, %d before", after, before)
	}
}

func TestScanRejectErrorStops(t *testing.T) {
	before := runtime.NumGoroutine()
	dir := t.TempDir()
	var paths []string
	for i := range 4 {
		paths = append(paths, writeFile(t, dir, "f"+itoa(i)+".jsonl", numbered("bad", 5000)))
	}
	errStop := errors.New("too many errors")
	var calls atomic.Int64
	sinks := []Sink{&collectSink{}, &collectSink{}}
	_, err := Scan(context.Background(), paths, ScanOptions{Workers: 2, ChunkBytes: 1024, newDecoder: newLineCountDecoder},
		sinks, func(Reject) error {
			if calls.Add(1) >= 10 {
				return errStop
			}
			return nil
		})
	if !errors.Is(err, errStop) {
		t.Fatalf("err = %v, want %v", err, errStop)
	}
	// Workers racing the first error may each call once more, no more.
	if c := calls.Load(); c > 10+2 {
		t.Errorf("onReject called %d times after it failed at 10", c)
	}
	if after := settledGoroutines(before); after > before {
		t.Errorf("%d goroutines after Scan, %d before", after, before)
	}
}

// panicDecoder panics, as a buggy decoder might.
type panicDecoder struct{}

func (panicDecoder) Decode(*Chunk, Sink, RejectFunc) (int64, int64, error) { panic("boom") }

func TestScanDecoderPanicBecomesError(t *testing.T) {
	p := writeFile(t, t.TempDir(), "a.jsonl", []byte("x\n"))
	_, err := scan(t, []string{p}, ScanOptions{newDecoder: func(Format, DecodeOptions) (Decoder, error) {
		return panicDecoder{}, nil
	}}, nil)
	if err == nil || !strings.Contains(err.Error(), "internal error: boom") {
		t.Errorf("err = %v, want an internal error", err)
	}
}
