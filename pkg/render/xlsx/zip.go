package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
)

// sortedZip is the zip writer excelize saves through. It does three things
// excelize's default does not:
//
//   - Order. excelize creates the parts of streamed sheets in map order,
//     which changes from run to run. sortedZip keeps every part and writes
//     them sorted by name at Close (which also puts [Content_Types].xml
//     first, as Excel does), so equal workbooks are equal bytes.
//   - Speed. A part is deflated in independent blocks of blockSize on every
//     core, the way pigz does; block boundaries depend only on the data, so
//     the bytes stay reproducible.
//   - Memory. Compressed parts beyond spillAt bytes wait in a temporary
//     file, not on the heap.
type sortedZip struct {
	w io.Writer
	// splices maps a part name to what is written before its sheetDataEnd
	// (see rows.go).
	splices map[string]func(io.Writer) error
	entries []*zipEntry
	cur     *zipEntry
	store   store
	workers int
	err     error // first failure; sticky
}

// deflateLevel trades a little size for speed; the sheets are repetitive
// XML.
const deflateLevel = 5

// Tests lower these.
var (
	blockSize = 1 << 20 // input deflated as one independent block
	spillAt   = 8 << 20 // compressed bytes kept in memory
)

func newSortedZip(w io.Writer) *sortedZip {
	return &sortedZip{w: w, workers: runtime.GOMAXPROCS(0)}
}

// zipEntry is one part: its data goes through a pipeline of blocks being
// deflated, in order, into the store.
type zipEntry struct {
	z      *sortedZip
	name   string
	crc    hash.Hash32
	size   uint64 // uncompressed
	off, n int64  // compressed bytes in z.store
	block  []byte // input not yet submitted
	queue  []*deflated
	// splice, when set, is written into the part before sheetDataEnd;
	// the part's own bytes wait in held until finish.
	splice func(io.Writer) error
	held   []byte
}

// deflated is a block being compressed.
type deflated struct {
	done chan struct{}
	out  []byte
	err  error
}

// blocks recycles the input blocks, a megabyte each.
var blocks sync.Pool

func getBlock() []byte {
	if b, ok := blocks.Get().(*[]byte); ok && cap(*b) == blockSize {
		return (*b)[:0]
	}
	return make([]byte, 0, blockSize)
}

func putBlock(b []byte) {
	if b != nil {
		blocks.Put(&b)
	}
}

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(io.Discard, deflateLevel) // the level is valid
	return w
}}

// deflatedOut recycles deflate's output buffers: a workbook's blocks
// would otherwise each leave one behind, as much garbage as the file.
var deflatedOut sync.Pool

// appendWriter is an io.Writer appending to a reused slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// deflate compresses one block into a buffer to give back with
// putDeflated. A non-final block ends with a sync flush, which aligns it
// to a byte, so blocks concatenate into one valid stream.
func deflate(in []byte, final bool) ([]byte, error) {
	out, ok := deflatedOut.Get().(*appendWriter)
	if !ok {
		out = &appendWriter{b: make([]byte, 0, len(in)/4)}
	}
	out.b = out.b[:0]
	fw := flateWriters.Get().(*flate.Writer)
	defer func() {
		fw.Reset(io.Discard) // the pooled writer must not hold on to out
		flateWriters.Put(fw)
	}()
	fw.Reset(out)
	if _, err := fw.Write(in); err != nil {
		return nil, err
	}
	var err error
	if final {
		err = fw.Close()
	} else {
		err = fw.Flush()
	}
	return out.b, err
}

// putDeflated gives back an output of deflate once it is stored.
func putDeflated(b []byte) {
	deflatedOut.Put(&appendWriter{b: b[:0]})
}

func (e *zipEntry) Write(p []byte) (int, error) {
	if e.splice != nil {
		e.held = append(e.held, p...)
		return len(p), nil
	}
	return e.write(p)
}

func (e *zipEntry) write(p []byte) (int, error) {
	if e.z.err != nil {
		return 0, e.z.err
	}
	n := len(p)
	e.size += uint64(n)
	_, _ = e.crc.Write(p)
	for len(p) > 0 {
		if e.block == nil {
			e.block = getBlock()
		}
		k := copy(e.block[len(e.block):cap(e.block)], p)
		e.block, p = e.block[:len(e.block)+k], p[k:]
		if len(e.block) == cap(e.block) {
			if err := e.submit(false); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// submit starts deflating the current block and, once two blocks per core
// are in flight, stores the oldest. With one per core, a core sat idle
// each time the writer waited on the oldest block while the rows of the
// next were still being encoded (the 1M-row benchmark: 8-19% slower).
func (e *zipEntry) submit(final bool) error {
	in := e.block
	e.block = nil
	d := &deflated{done: make(chan struct{})}
	e.queue = append(e.queue, d)
	go func() {
		defer close(d.done)
		d.out, d.err = deflate(in, final)
		putBlock(in)
	}()
	if len(e.queue) >= 2*e.z.workers {
		return e.storeOldest()
	}
	return nil
}

func (e *zipEntry) storeOldest() error {
	d := e.queue[0]
	e.queue = e.queue[1:]
	<-d.done
	if d.err != nil {
		return e.z.fail(d.err)
	}
	_, err := e.z.store.Write(d.out)
	e.n += int64(len(d.out))
	putDeflated(d.out)
	if err != nil {
		return e.z.fail(err)
	}
	return nil
}

// finish deflates what is left of the entry and waits for all its blocks.
func (e *zipEntry) finish() error {
	if e.splice != nil {
		if err := e.writeSpliced(); err != nil {
			return e.z.fail(err)
		}
	}
	err := e.submit(true)
	for len(e.queue) > 0 {
		if err2 := e.storeOldest(); err == nil {
			err = err2
		}
	}
	return err
}

// writeSpliced writes the held part with the splice before sheetDataEnd.
func (e *zipEntry) writeSpliced() error {
	splice, held := e.splice, e.held
	e.splice, e.held = nil, nil
	at := bytes.Index(held, []byte(sheetDataEnd))
	if at < 0 {
		return fmt.Errorf("xlsx: %s has no %s to put its rows before", e.name, sheetDataEnd)
	}
	if _, err := e.write(held[:at]); err != nil {
		return err
	}
	if err := splice(writerFunc(e.write)); err != nil {
		return err
	}
	_, err := e.write(held[at:])
	return err
}

// writerFunc is a function as an io.Writer.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (z *sortedZip) fail(err error) error {
	if z.err == nil {
		z.err = err
	}
	return z.err
}

// Create starts the part name.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.finishCurrent(); err != nil {
		return nil, err
	}
	e := &zipEntry{z: z, name: name, crc: crc32.NewIEEE(), off: z.store.size, splice: z.splices[name]}
	z.cur = e
	z.entries = append(z.entries, e)
	return e, nil
}

func (z *sortedZip) finishCurrent() error {
	if z.cur != nil {
		_ = z.cur.finish() // records any failure in z.err
		z.cur = nil
	}
	return z.err
}

// AddFS is part of excelize.ZipWriter; excelize does not call it.
func (z *sortedZip) AddFS(fs.FS) error {
	return errors.New("xlsx: AddFS not supported")
}

// Close writes the archive to the underlying writer, unless a part failed,
// and removes the temporary file.
func (z *sortedZip) Close() error {
	defer z.store.close()
	if err := z.finishCurrent(); err != nil {
		return err
	}
	slices.SortStableFunc(z.entries, func(a, b *zipEntry) int { return strings.Compare(a.name, b.name) })
	zw := zip.NewWriter(z.w)
	for _, e := range z.entries {
		fh := &zip.FileHeader{
			Name:               e.name,
			Method:             zip.Deflate,
			CRC32:              e.crc.Sum32(),
			CompressedSize64:   uint64(e.n),
			UncompressedSize64: e.size,
			CreatorVersion:     20,
			ReaderVersion:      20,
			// CreateRaw ignores Modified; stamp 1980-01-01 00:00 as Excel
			// does, a fixed time that keeps the bytes reproducible.
			ModifiedDate: 1<<5 | 1, //lint:ignore SA1019 CreateRaw writes only the MS-DOS fields
		}
		if fh.CompressedSize64 >= math.MaxUint32 || fh.UncompressedSize64 >= math.MaxUint32 {
			// Only a data descriptor carries ZIP64 sizes for a raw entry.
			fh.Flags |= 0x8
		}
		w, err := zw.CreateRaw(fh)
		if err != nil {
			return z.fail(err)
		}
		if _, err := io.Copy(w, z.store.section(e.off, e.n)); err != nil {
			return z.fail(err)
		}
	}
	return z.fail(zw.Close())
}

// store holds compressed parts: in memory while small, then in a temporary
// file.
type store struct {
	mem  []byte
	file *os.File
	size int64
}

func (s *store) Write(p []byte) (int, error) {
	if s.file == nil && len(s.mem)+len(p) > spillAt {
		f, err := os.CreateTemp("", "usagerep-xlsx-*")
		if err != nil {
			return 0, err
		}
		s.file = f
		if _, err := f.Write(s.mem); err != nil {
			return 0, err
		}
		s.mem = nil
	}
	if s.file != nil {
		n, err := s.file.Write(p)
		s.size += int64(n)
		return n, err
	}
	s.mem = append(s.mem, p...)
	s.size += int64(len(p))
	return len(p), nil
}

func (s *store) section(off, n int64) io.Reader {
	if s.file != nil {
		return io.NewSectionReader(s.file, off, n)
	}
	return bytes.NewReader(s.mem[off : off+n])
}

func (s *store) close() {
	if s.file != nil {
		_ = s.file.Close()
		_ = os.Remove(s.file.Name())
		s.file = nil
	}
	s.mem = nil
}
