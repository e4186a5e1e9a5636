package source

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zip"
	"github.com/klauspost/compress/zstd"
)

const (
	// readBufSize is the read-ahead below decompressors and tar headers.
	readBufSize = 128 << 10
	// maxBufferedZip bounds a zip that must be held in memory to be read:
	// one inside another bundle or a compressed one. Larger ones are skipped
	// with a note; we never extract to disk.
	maxBufferedZip = 128 << 20
	// maxZstdWindow refuses zstd frames that ask for a larger window (memory)
	// than `zstd --long=27` uses.
	maxZstdWindow = 128 << 20
)

// inputReader reads one top-level input, on one goroutine: it opens the file,
// peels compression, walks bundles member by member and hands every data
// stream to a chunker.
type inputReader struct {
	s     *scanner
	slot  *inputSlot
	disk  diskCounter
	guard guard
}

func (s *scanner) readInput(f plannedFile, slot *inputSlot) {
	ir := &inputReader{s: s, slot: slot}
	ir.disk = diskCounter{size: f.size, s: s}
	ir.guard = guard{
		disk:     &ir.disk.n,
		maxRatio: s.opts.MaxDecompressedRatio,
		maxBytes: s.opts.MaxDecompressedBytes,
		grace:    s.opts.ratioGrace,
	}
	defer ir.disk.finish()

	if f.stdin {
		br := bufio.NewReaderSize(&countingReader{r: s.opts.Stdin, d: &ir.disk}, readBufSize)
		k := f.kind
		// Standard input has no name to tell compression by: sniff it.
		if magic, _ := br.Peek(4); bytes.HasPrefix(magic, gzipMagic) {
			k.comps = []compression{compGzip}
		} else if bytes.Equal(magic, zstdMagic) {
			k.comps = []compression{compZstd}
		}
		ir.readStream(StdinName, br, k, 0)
		return
	}
	file, err := os.Open(f.path)
	if err != nil {
		src := slot.newSource(f.path, f.kind.format)
		streamOut{s, src}.reject(Reject{Source: f.path, Reason: ReasonUnreadable, Detail: err.Error()})
		return
	}
	defer file.Close()
	if f.kind.bundle == bundleZip && len(f.kind.comps) == 0 && f.seekable {
		ir.walkZip(f.path, &countingReaderAt{r: file, d: &ir.disk}, f.size, 1)
		return
	}
	ir.readStream(f.path, &countingReader{r: file, d: &ir.disk}, f.kind, 0)
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// readStream reads one named stream of kind k found inside depth bundles.
// It returns nil when the stream was read to its end; otherwise the error,
// already reported as a Reject unless the scan is stopping.
func (ir *inputReader) readStream(name string, r io.Reader, k kind, depth int) error {
	for _, c := range k.comps {
		dr, err := ir.decompressor(r, c)
		if err != nil {
			ir.corrupt(name, k, err)
			return err
		}
		defer dr.Close()
		r = dr
	}
	switch k.bundle {
	case bundleTar:
		return ir.walkTar(name, r, depth+1)
	case bundleZip:
		return ir.walkZipStream(name, r, depth+1)
	}
	src := ir.slot.newSource(name, k.format)
	if k.format == FormatJSONL {
		r = jsonLines(r)
	}
	c := &chunker{
		in: &src.in, csv: k.format == FormatCSV, maxLine: ir.s.opts.MaxLineBytes,
		ctx: ir.s.ctx, pool: ir.s.pool, out: streamOut{ir.s, src},
	}
	return c.run(r)
}

// corrupt reports a stream that could not even be opened: a data stream at
// its first line, a bundle with no line.
func (ir *inputReader) corrupt(name string, k kind, err error) {
	line := int64(1)
	if k.bundle != notBundle {
		line = 0
	}
	src := ir.slot.newSource(name, k.format)
	reason, detail := describeReadError(err)
	streamOut{ir.s, src}.reject(Reject{Source: name, Line: line, Reason: reason, Detail: detail})
}

// bufReaders recycles the read-ahead buffers of decompressors.
var bufReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readBufSize) }}

// decompressor wraps r in a decompressing reader whose output counts against
// the input's guard.
func (ir *inputReader) decompressor(r io.Reader, c compression) (io.ReadCloser, error) {
	// Both decoders want a ByteReader with read-ahead.
	br, ok := r.(*bufio.Reader)
	pooled := !ok
	if pooled {
		br = bufReaders.Get().(*bufio.Reader)
		br.Reset(r)
	}
	release := func() {
		if pooled {
			br.Reset(nil)
			bufReaders.Put(br)
		}
	}
	var dr io.ReadCloser
	switch c {
	case compGzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			release()
			return nil, err
		}
		dr = zr
	case compZstd:
		zr, err := zstd.NewReader(br,
			zstd.WithDecoderConcurrency(1), // synchronous: files are decompressed in parallel instead
			zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			release()
			return nil, err
		}
		dr = zr.IOReadCloser()
	}
	return &guardedReader{r: dr, g: &ir.guard, release: release}, nil
}

// walkTar reads the members of a tar stream in order. Only regular files
// are read; links, devices and the like are skipped with a note, and member
// names are only ever labels.
func (ir *inputReader) walkTar(name string, r io.Reader, depth int) error {
	if _, ok := r.(*bufio.Reader); !ok {
		br := bufReaders.Get().(*bufio.Reader)
		br.Reset(r)
		defer func() { br.Reset(nil); bufReaders.Put(br) }()
		r = br
	}
	trap := &errTrap{r: r}
	tr := tar.NewReader(trap)
	for {
		if err := ir.s.ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			ir.corrupt(name, kind{bundle: bundleTar}, err)
			return err
		}
		full := name + ":" + displayName(hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeReg:
		case tar.TypeDir, tar.TypeXGlobalHeader:
			continue
		case tar.TypeSymlink, tar.TypeLink:
			ir.slot.skip(full, "link (not followed)")
			continue
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			ir.slot.skip(full, "device or pipe")
			continue
		default:
			ir.slot.skip(full, fmt.Sprintf("not a regular file (tar type %q)", hdr.Typeflag))
			continue
		}
		if sparse(hdr) {
			ir.slot.skip(full, "sparse file")
			continue
		}
		k, ok := ir.member(full, hdr.Name, depth)
		if !ok {
			continue
		}
		if err := ir.readStream(full, tr, k, depth); err != nil {
			if ir.stop(err) || trap.err != nil {
				// The tar stream itself broke (and was reported with the
				// member): nothing after it can be found.
				return err
			}
		}
	}
}

// sparse reports a GNU sparse member, which tar would expand with holes of
// zeros up to any size it claims.
func sparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for key := range hdr.PAXRecords {
		if strings.HasPrefix(key, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// walkZipStream reads a zip that is not a file on disk (it is inside another
// bundle, or compressed): zip needs random access, so it is held in memory,
// up to maxBufferedZip.
func (ir *inputReader) walkZipStream(name string, r io.Reader, depth int) error {
	data, err := io.ReadAll(io.LimitReader(r, maxBufferedZip+1))
	if err != nil {
		ir.corrupt(name, kind{bundle: bundleZip}, err)
		return err
	}
	if len(data) > maxBufferedZip {
		ir.slot.skip(name, fmt.Sprintf("zip inside another file larger than %d MiB (extract it first)", maxBufferedZip>>20))
		return nil
	}
	return ir.walkZip(name, bytes.NewReader(data), int64(len(data)), depth)
}

// walkZip reads the members of a zip in the order of its directory. Members
// are independent: a corrupt one is reported and the next one read.
func (ir *inputReader) walkZip(name string, ra io.ReaderAt, size int64, depth int) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		ir.corrupt(name, kind{bundle: bundleZip}, err)
		return err
	}
	zr.RegisterDecompressor(zip.Deflate, ir.flateReader)
	for _, f := range zr.File {
		if err := ir.s.ctx.Err(); err != nil {
			return err
		}
		mode := f.Mode()
		if strings.HasSuffix(f.Name, "/") || mode.IsDir() {
			continue
		}
		full := name + ":" + displayName(f.Name)
		switch {
		case mode&fs.ModeSymlink != 0:
			ir.slot.skip(full, "link (not followed)")
			continue
		case !mode.IsRegular():
			ir.slot.skip(full, "not a regular file")
			continue
		case f.Flags&0x1 != 0:
			ir.slot.skip(full, "encrypted")
			continue
		}
		k, ok := ir.member(full, f.Name, depth)
		if !ok {
			continue
		}
		rc, err := f.Open()
		if errors.Is(err, zip.ErrAlgorithm) {
			ir.slot.skip(full, fmt.Sprintf("unsupported zip compression method %d", f.Method))
			continue
		}
		if err != nil {
			ir.corrupt(full, k, err)
			continue
		}
		err = ir.readStream(full, rc, k, depth)
		rc.Close()
		if err != nil && ir.stop(err) {
			return err
		}
	}
	return nil
}

// flateReader is the zip Deflate decompressor: klauspost's flate, with its
// output counted against the guard.
func (ir *inputReader) flateReader(r io.Reader) io.ReadCloser {
	return &guardedReader{r: flate.NewReader(bufio.NewReaderSize(r, 32<<10)), g: &ir.guard}
}

// member decides whether a bundle member is read, noting why when not.
// Hidden members are skipped silently, like hidden files.
func (ir *inputReader) member(full, name string, depth int) (kind, bool) {
	if hiddenMember(name) {
		return kind{}, false
	}
	k := classify(name, ir.s.opts.Format)
	switch {
	case !k.known():
		ir.slot.skip(full, "unrecognised file type")
		return k, false
	case k.bundle != notBundle && depth+1 > ir.s.opts.MaxArchiveDepth:
		ir.slot.skip(full, fmt.Sprintf("bundle nested more than %d deep", ir.s.opts.MaxArchiveDepth))
		return k, false
	}
	return k, true
}

// stop reports whether err ends the whole input: the scan is stopping, or
// the input went over a decompression limit.
func (ir *inputReader) stop(err error) bool {
	_, limit := errors.AsType[*limitError](err)
	return limit || ir.s.ctx.Err() != nil
}

// errTrap remembers the first error (io.EOF included) of the reader below a
// tar, to tell a broken tar stream from a broken member inside a sound one.
type errTrap struct {
	r   io.Reader
	err error
}

func (t *errTrap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && t.err == nil {
		t.err = err
	}
	return n, err
}

// diskCounter counts the on-disk bytes of one top-level input and reports
// them as progress, never more than the file's size (zip reads its
// directory twice), and the rest of the size when the input is done.
type diskCounter struct {
	n        atomic.Int64 // read so far
	size     int64        // -1 when unknown
	reported atomic.Int64
	s        *scanner
}

func (d *diskCounter) add(n int) {
	total := d.n.Add(int64(n))
	if d.size >= 0 {
		total = min(total, d.size)
	}
	for {
		old := d.reported.Load()
		if total <= old {
			return
		}
		if d.reported.CompareAndSwap(old, total) {
			d.s.progress(total - old)
			return
		}
	}
}

func (d *diskCounter) finish() {
	if d.size >= 0 {
		if rest := d.size - d.reported.Swap(d.size); rest > 0 {
			d.s.progress(rest)
		}
	}
}

type countingReader struct {
	r io.Reader
	d *diskCounter
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.d.add(n)
	return n, err
}

type countingReaderAt struct {
	r io.ReaderAt
	d *diskCounter
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.d.add(n)
	return n, err
}

// guard is the decompression-bomb check of one top-level input. Every
// decompressor of the input adds its output, so nested layers count
// together against the bytes read from disk.
type guard struct {
	disk     *atomic.Int64
	out      int64
	maxRatio float64 // <= 0: off
	maxBytes int64   // <= 0: off
	grace    int64   // the ratio is checked past this many bytes
	err      error   // sticky once over a limit
}

func (g *guard) add(n int) error {
	if g.err != nil {
		return g.err
	}
	g.out += int64(n)
	disk := max(g.disk.Load(), 1)
	switch {
	case g.maxBytes > 0 && g.out > g.maxBytes:
		g.err = &limitError{out: g.out, disk: disk, maxBytes: g.maxBytes}
	case g.maxRatio > 0 && g.out > g.grace && float64(g.out) > g.maxRatio*float64(disk):
		g.err = &limitError{out: g.out, disk: disk, maxRatio: g.maxRatio}
	}
	return g.err
}

// limitError is an input stopped by a decompression limit.
type limitError struct {
	out, disk int64
	maxRatio  float64
	maxBytes  int64
}

func (e *limitError) Error() string {
	if e.maxRatio > 0 {
		return fmt.Sprintf("expands more than %g times (%d bytes from %d on disk); "+
			"stopped as a likely decompression bomb (raise the decompression ratio limit if it is genuine)",
			e.maxRatio, e.out, e.disk)
	}
	return fmt.Sprintf("expands to more than %d bytes; stopped (raise the decompressed size limit if it is genuine)", e.maxBytes)
}

// guardedReader counts a decompressor's output against a guard.
type guardedReader struct {
	r       io.ReadCloser
	g       *guard
	release func() // returns a pooled read-ahead buffer
}

func (gr *guardedReader) Read(p []byte) (int, error) {
	n, err := gr.r.Read(p)
	if n > 0 {
		if gerr := gr.g.add(n); gerr != nil {
			return n, gerr
		}
	}
	return n, err
}

func (gr *guardedReader) Close() error {
	err := gr.r.Close()
	if gr.release != nil {
		gr.release()
		gr.release = nil
	}
	return err
}
