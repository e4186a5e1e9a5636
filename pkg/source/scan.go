package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/usagerep/usagerep/pkg/record"
)

// Defaults of ScanOptions.
const (
	DefaultChunkBytes      = 4 << 20
	DefaultMaxLineBytes    = 16 << 20
	DefaultMaxArchiveDepth = 1
	// DefaultMaxDecompressedRatio stops an input that expands more than
	// 1000 times. Real logs compress 5-50 times (100-200 for very repetitive
	// ones); a gzip stream of zeros reaches 1030, zstd far more.
	DefaultMaxDecompressedRatio = 1000
	// DefaultMaxDecompressedBytes stops an input that expands to more than
	// 256 GiB, a backstop far above any export we expect, so that only a
	// bomb meets it.
	DefaultMaxDecompressedBytes = 256 << 30
)

// ScanOptions tune Scan. The zero value of each field means its default.
type ScanOptions struct {
	// Workers is the number of decoding goroutines; default
	// runtime.GOMAXPROCS(0). Scan needs exactly one Sink per worker.
	Workers int
	// Format forces the format of every data stream, whatever its name says;
	// it is required for standard input. Bundles stay bundles.
	Format Format
	Decode DecodeOptions
	// ChunkBytes is the size of the blocks records are cut into; default
	// DefaultChunkBytes. At most MaxLineBytes+1 is used.
	ChunkBytes int
	// MaxLineBytes is the longest line (CSV record) read; a longer one is
	// rejected ("line too long") without being held in memory whole.
	// Default DefaultMaxLineBytes.
	MaxLineBytes int
	// MaxArchiveDepth is how many bundles may enclose one another: 1 (the
	// default) reads the members of a bundle but skips a bundle inside it.
	MaxArchiveDepth int
	// MaxDecompressedRatio and MaxDecompressedBytes guard against
	// decompression bombs: an input whose decompressed bytes exceed the ratio
	// times its on-disk bytes read so far (checked past the first 16 MiB), or
	// the byte count, is abandoned with a Reject ("decompression limit").
	// Nested layers count together against the file on disk. Defaults
	// DefaultMaxDecompressedRatio and DefaultMaxDecompressedBytes; a
	// negative value turns the check off.
	MaxDecompressedRatio float64
	MaxDecompressedBytes int64
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Progress, when set, is called with the on-disk (compressed) bytes
	// consumed, from any goroutine.
	Progress func(delta int64)
	// RecordsDecoded, when set, is called with the records (good and
	// rejected) of each chunk once it is decoded, from any goroutine.
	RecordsDecoded func(n int64)
	// OnChunk, when set, sees every chunk just before it is decoded, from
	// any goroutine; the chunk is valid only during the call.
	OnChunk func(*Chunk)

	// newDecoder replaces NewDecoder in tests.
	newDecoder func(Format, DecodeOptions) (Decoder, error)
	// ratioGrace replaces defaultRatioGrace in tests.
	ratioGrace int64
}

// defaultRatioGrace is how much an input may expand before its ratio is
// checked: a small file may expand a lot and still be harmless.
const defaultRatioGrace = 16 << 20

func (o *ScanOptions) normalize(sinks int) error {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if sinks != o.Workers {
		return fmt.Errorf("scan: %d sinks for %d workers", sinks, o.Workers)
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.ChunkBytes <= 0 {
		o.ChunkBytes = DefaultChunkBytes
	}
	// A chunk no larger than the longest line lets every over-long line be
	// seen as a buffer without a record boundary.
	o.ChunkBytes = min(o.ChunkBytes, o.MaxLineBytes+1)
	if o.MaxArchiveDepth <= 0 {
		o.MaxArchiveDepth = DefaultMaxArchiveDepth
	}
	if o.MaxDecompressedRatio == 0 {
		o.MaxDecompressedRatio = DefaultMaxDecompressedRatio
	}
	if o.MaxDecompressedBytes == 0 {
		o.MaxDecompressedBytes = DefaultMaxDecompressedBytes
	}
	if o.newDecoder == nil {
		o.newDecoder = NewDecoder
	}
	if o.ratioGrace <= 0 {
		o.ratioGrace = defaultRatioGrace
	}
	return nil
}

// Scan reads every input once and decodes it on opts.Workers goroutines.
// Worker i sends its good records only to sinks[i], so sinks need no locks;
// onReject (which may be nil) is called concurrently for every reject. Files
// are read several at a time and a large file is cut into chunks decoded in
// parallel, with a bounded number of chunks in memory.
//
// A corrupt, truncated or over-expanding input is not an error: it becomes a
// Reject, and the scan goes on with the next input. Scan stops early, and
// returns the error, when ctx is cancelled, when onReject returns an error,
// or when a decoder cannot be built. Stats are returned either way. A read
// blocked on opts.Stdin cannot be interrupted; Scan returns once it does.
func Scan(ctx context.Context, paths []string, opts ScanOptions, sinks []Sink, onReject RejectFunc) (Stats, error) {
	if err := opts.normalize(len(sinks)); err != nil {
		return Stats{}, err
	}
	for i, sink := range sinks {
		if sink == nil {
			return Stats{}, fmt.Errorf("scan: sink %d is nil", i)
		}
	}
	p, err := makePlan(paths, opts.Format)
	if err != nil {
		return Stats{}, err
	}
	for _, f := range p.files {
		if f.stdin && opts.Stdin == nil {
			return Stats{}, errors.New("scan: standard input requested but ScanOptions.Stdin is nil")
		}
	}

	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s := &scanner{ctx: sctx, cancel: cancel, opts: opts, onReject: onReject}
	readers := max(1, min(opts.Workers, len(p.files)))
	// Each worker decodes one chunk with one more queued; each reader fills
	// one and, while it hands a full one over, holds a second. More buffers
	// than readers is what keeps readers from starving each other.
	s.pool = newBufPool(opts.ChunkBytes, 2*opts.Workers+readers+1)
	s.jobs = make(chan job, opts.Workers)

	slots := make([]inputSlot, len(p.files))
	var workers, readerGroup sync.WaitGroup
	ws := make([]*worker, opts.Workers)
	for i := range ws {
		w := &worker{s: s, sink: sinks[i], oldest: math.MaxInt64, newest: math.MinInt64}
		w.rejectFn = w.reject
		ws[i] = w
		workers.Go(w.run)
	}
	var next atomic.Int64
	for range readers {
		readerGroup.Go(func() {
			defer s.recoverPanic()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(p.files) || sctx.Err() != nil {
					return
				}
				s.readInput(p.files[i], &slots[i])
			}
		})
	}
	readerGroup.Wait()
	close(s.jobs)
	workers.Wait()

	st := Stats{Bytes: s.bytes.Load(), Skipped: p.skipped}
	for _, w := range ws {
		st.Span.widen(w.oldest, w.newest)
	}
	for i := range slots {
		for _, src := range slots[i].sources {
			st.Sources = append(st.Sources, src.stats())
		}
		st.Skipped = append(st.Skipped, slots[i].skipped...)
	}
	return st, context.Cause(sctx)
}

// scanner is the state shared by the readers and workers of one Scan.
type scanner struct {
	ctx      context.Context
	cancel   context.CancelCauseFunc
	opts     ScanOptions
	onReject RejectFunc
	pool     *bufPool
	jobs     chan job
	bytes    atomic.Int64
}

// job is one chunk on its way to a worker.
type job struct {
	chunk Chunk
	src   *source
	buf   *buffer
}

func (s *scanner) fail(err error) { s.cancel(err) }

func (s *scanner) stopped() bool {
	select {
	case <-s.ctx.Done():
		return true
	default:
		return false
	}
}

// reject counts r against src and passes it on.
func (s *scanner) reject(src *source, r Reject) error {
	src.countReject(r.Reason)
	if s.stopped() {
		return context.Cause(s.ctx)
	}
	if s.onReject == nil {
		return nil
	}
	if err := s.onReject(r); err != nil {
		s.fail(err)
		return err
	}
	return nil
}

func (s *scanner) progress(delta int64) {
	s.bytes.Add(delta)
	if s.opts.Progress != nil {
		s.opts.Progress(delta)
	}
}

// recoverPanic turns a panic in a scan goroutine into the scan's error. The
// panic would otherwise kill the process from a goroutine the caller cannot
// guard, before it could remove its temporary files.
func (s *scanner) recoverPanic() {
	if p := recover(); p != nil {
		s.fail(fmt.Errorf("internal error: %v\n%s", p, debug.Stack()))
	}
}

// streamOut is the chunkSink of one source: chunks go to the workers.
type streamOut struct {
	s   *scanner
	src *source
}

func (o streamOut) chunk(c Chunk, b *buffer) error {
	select {
	case o.s.jobs <- job{chunk: c, src: o.src, buf: b}:
		return nil
	case <-o.s.ctx.Done():
		o.s.pool.put(b)
		return context.Cause(o.s.ctx)
	}
}

func (o streamOut) reject(r Reject) error {
	o.src.records.Add(1)
	return o.s.reject(o.src, r)
}

// worker decodes chunks into its own sink with one decoder per format.
type worker struct {
	s        *scanner
	sink     Sink
	decoders [FormatCSV + 1]Decoder
	cur      *source    // the source of the chunk being decoded
	rejectFn RejectFunc // w.reject, bound once
	// The times of the good records decoded; oldest > newest until one is.
	oldest, newest int64
}

// Record notes r's time in the worker's span and passes r to its sink.
func (w *worker) Record(r *record.Record) {
	w.oldest, w.newest = min(w.oldest, r.Time), max(w.newest, r.Time)
	w.sink.Record(r)
}

func (w *worker) run() {
	defer w.s.recoverPanic()
	for {
		select {
		case <-w.s.ctx.Done():
			return
		case j, ok := <-w.s.jobs:
			if !ok {
				return
			}
			if err := w.decode(&j); err != nil {
				w.s.fail(err)
				return
			}
		}
	}
}

func (w *worker) decode(j *job) error {
	defer w.s.pool.put(j.buf) // records are borrowed: only now may the buffer be reused
	f := j.chunk.Input.Format
	dec := w.decoders[f]
	if dec == nil {
		var err error
		if dec, err = w.s.opts.newDecoder(f, w.s.opts.Decode); err != nil {
			return err
		}
		w.decoders[f] = dec
	}
	w.cur = j.src
	if w.s.opts.OnChunk != nil {
		w.s.opts.OnChunk(&j.chunk)
	}
	good, bad, err := dec.Decode(&j.chunk, w, w.rejectFn)
	j.src.records.Add(good + bad)
	if w.s.opts.RecordsDecoded != nil {
		w.s.opts.RecordsDecoded(good + bad)
	}
	return err
}

func (w *worker) reject(r Reject) error { return w.s.reject(w.cur, r) }

// chunkPools holds free chunk buffers by size, across scans.
var chunkPools sync.Map // int -> *sync.Pool of *buffer

// bufPool lends chunk buffers: at most cap(sem) at once, which is what
// bounds the memory of a scan.
type bufPool struct {
	size int
	sem  chan struct{}
	free *sync.Pool
}

func newBufPool(size, n int) *bufPool {
	free, _ := chunkPools.LoadOrStore(size, new(sync.Pool))
	return &bufPool{size: size, sem: make(chan struct{}, n), free: free.(*sync.Pool)}
}

// get waits for a free slot and returns a buffer of the given size.
func (p *bufPool) get(ctx context.Context, size int) (*buffer, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	if size == p.size {
		if b, ok := p.free.Get().(*buffer); ok {
			return b, nil
		}
	}
	return &buffer{b: make([]byte, size)}, nil
}

// put returns b and its slot.
func (p *bufPool) put(b *buffer) {
	if len(b.b) == p.size {
		p.free.Put(b)
	}
	<-p.sem
}

// grow replaces b's bytes by a larger slice holding the first keep bytes.
// b keeps its slot.
func (p *bufPool) grow(b *buffer, size, keep int) {
	nb := make([]byte, size)
	copy(nb, b.b[:keep])
	if len(b.b) == p.size {
		p.free.Put(&buffer{b: b.b})
	}
	b.b = nb
}
