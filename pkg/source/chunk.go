package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// rawMax is how much of an over-long line its reject keeps.
const rawMax = 1 << 10

// buffer is a chunk buffer lent by a bufPool.
type buffer struct{ b []byte }

// chunkSink receives what a chunker cuts.
type chunkSink interface {
	// chunk hands over c, whose Data lies in b; b belongs to the sink from
	// then on, also when chunk returns an error.
	chunk(c Chunk, b *buffer) error
	// reject reports a record the chunker itself refused.
	reject(r Reject) error
}

// chunker cuts one stream into chunks of whole records. It reads large
// blocks into a pooled buffer, cuts after the last record boundary in it and
// carries the partial record that follows into the next buffer, so records
// are never copied one by one. A record longer than maxLine is rejected and
// skipped without ever being held whole: the buffer never grows past
// maxLine+1 bytes.
//
// A JSONL record ends at '\n'. A CSV record ends at a '\n' outside quotes:
// a '"' at the start of a field opens a quoted field, which a '"' not
// followed by another '"' closes (RFC 4180). A stray '"' inside an unquoted
// field is data; it does not open quotes (that would swallow the rest of the
// file into one record), and text after a closing quote makes a malformed
// record that ends at the next '\n'. These are the CSV decoder's rules, so
// chunks end where the decoder would end a record. The first CSV record is
// the header: it is taken out of the data and given to every chunk.
type chunker struct {
	in      *Input
	csv     bool
	maxLine int
	ctx     context.Context
	pool    *bufPool
	out     chunkSink

	b        *buffer
	start, n int   // b.b[start:n] is read but not yet emitted or skipped
	line     int64 // line number of b.b[start]
	header   []byte
	st       csvState
}

// csvState is the CSV quote state at st.pos, so that no byte is scanned twice.
type csvState struct {
	pos      int  // next byte of the buffer to scan
	inQuote  bool // inside a quoted field
	quoteEnd bool // inside a quoted field the last byte was '"': it closes the field unless another '"' follows
	junk     bool // text after a closing quote: the (malformed) record ends at the next '\n', quotes or not
	bomEnd   int  // > 0: the index after a leading byte order mark: the header's first field starts there
	// fieldAt0 says whether the buffer's first byte starts a field (it
	// always does when the buffer starts a record).
	fieldAt0 bool
}

// run reads r to its end. A read error is reported as a Reject of the stream
// (after every whole record before it was emitted) and returned; so is an
// error from the sink, which means the scan stops.
func (c *chunker) run(r io.Reader) error {
	b, err := c.pool.get(c.ctx, c.pool.size)
	if err != nil {
		return err
	}
	c.b, c.start, c.n, c.line = b, 0, 0, 1
	c.st = csvState{fieldAt0: true}
	if c.csv {
		r = c.peekBOM(r)
	}
	defer func() {
		if c.b != nil {
			c.pool.put(c.b)
			c.b = nil
		}
	}()
	needHeader := c.csv
	for {
		m, rerr := fill(r, c.b.b[c.n:])
		c.n += m
		eof := rerr != nil

		if needHeader {
			switch c.takeHeader(eof) {
			case headerMore:
				c.makeRoom()
				continue
			case headerTooLong:
				// Its records cannot be read without it: the input is
				// abandoned once the header was skipped for its reject.
				return c.skipRecord(r, &eof, &rerr, "CSV header of ")
			}
			needHeader = false
		}

		cut := c.lastBoundary()
		if cut < 0 && c.n-c.start > c.maxLine {
			if err := c.skipRecord(r, &eof, &rerr, ""); err != nil {
				return err
			}
			if !eof {
				continue
			}
			cut = c.lastBoundary() // of what followed the long record
		}
		switch {
		case eof:
			return c.finish(rerr, cut)
		case cut >= 0:
			if err := c.emit(cut); err != nil {
				return err
			}
		default:
			c.makeRoom()
		}
	}
}

// peekBOM notes whether a CSV stream starts with a byte order mark: a quote
// right after it opens the header's first field. The mark stays in the data
// (the decoder drops it); this is known before the first buffer is read, as
// a buffer may be shorter than the mark.
func (c *chunker) peekBOM(r io.Reader) io.Reader {
	var head [len(byteOrderMark)]byte
	k, err := io.ReadFull(r, head[:])
	if string(head[:k]) == byteOrderMark {
		c.st.bomEnd = len(byteOrderMark)
	}
	switch err {
	case nil:
		return io.MultiReader(bytes.NewReader(head[:]), r)
	case io.EOF, io.ErrUnexpectedEOF:
		return bytes.NewReader(head[:k])
	}
	return io.MultiReader(bytes.NewReader(head[:k]), failedReader{err})
}

// failedReader returns err.
type failedReader struct{ err error }

func (e failedReader) Read([]byte) (int, error) { return 0, e.err }

// fill reads until p is full, the stream ends or fails.
func fill(r io.Reader, p []byte) (int, error) {
	n, empty := 0, 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			if empty++; empty >= 100 {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

// headerState is how far takeHeader got.
type headerState uint8

const (
	headerDone    headerState = iota // taken, or the input has none
	headerMore                       // the buffer does not hold the whole header yet
	headerTooLong                    // longer than maxLine
)

// takeHeader takes the first CSV record that is not blank as the header.
func (c *chunker) takeHeader(eof bool) headerState {
	for {
		i := c.firstBoundary()
		switch {
		case i < 0 && c.n-c.start > c.maxLine:
			return headerTooLong
		case i < 0 && !eof:
			return headerMore
		}
		end := i
		if i < 0 {
			end = c.n // an unterminated header at the end of the input
		}
		rec := trimCR(c.b.b[c.start:end])
		c.line += int64(bytes.Count(rec, nl)) + 1
		c.start = min(end+1, c.n)
		if len(bytes.Trim(rec, " \t\r\v\f")) > 0 {
			c.header = bytes.Clone(rec)
			c.st.bomEnd = 0
			return headerDone
		}
		if i < 0 {
			return headerDone // blank to the end: no header, no records
		}
	}
}

var nl = []byte{'\n'}

const byteOrderMark = "\ufeff"

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

// lastBoundary returns the index of the '\n' that ends the last whole record
// in b.b[start:n], or -1.
func (c *chunker) lastBoundary() int {
	if c.csv {
		return scanCSV(c.b.b[:c.n], &c.st, false)
	}
	i := bytes.LastIndexByte(c.b.b[c.start:c.n], '\n')
	if i < 0 {
		return -1
	}
	return c.start + i
}

// firstBoundary returns the index of the '\n' that ends the first record in
// b.b[start:n], or -1.
func (c *chunker) firstBoundary() int {
	if c.csv {
		return scanCSV(c.b.b[:c.n], &c.st, true)
	}
	i := bytes.IndexByte(c.b.b[c.start:c.n], '\n')
	if i < 0 {
		return -1
	}
	return c.start + i
}

// emit sends b.b[start:cut+1] as a chunk and carries the rest into a fresh
// buffer. The fresh buffer is taken before the full one is handed over, so
// a chunk's bytes are never overwritten while a worker decodes them.
func (c *chunker) emit(cut int) error {
	carry := c.b.b[cut+1 : c.n]
	nb, err := c.pool.get(c.ctx, c.carrySize(len(carry)))
	if err != nil {
		return err
	}
	copy(nb.b, carry)
	data := c.b.b[c.start : cut+1]
	ch := Chunk{Input: c.in, Data: data, FirstLine: c.line, Header: c.header}
	c.line += int64(bytes.Count(data, nl))
	full := c.b
	c.b, c.start, c.n = nb, 0, len(carry)
	c.st.pos -= cut + 1
	c.st.fieldAt0 = true
	c.st.bomEnd = 0
	return c.out.chunk(ch, full)
}

// carrySize is the size of the buffer that receives a carried partial
// record: the pool's size, or larger when the record is already longer.
func (c *chunker) carrySize(carry int) int {
	size := c.pool.size
	for size <= carry {
		size *= 2
	}
	return min(size, c.maxLine+1)
}

// makeRoom makes space in a full buffer that holds no whole record: it
// moves the partial record to the front, or grows the buffer (up to
// maxLine+1 bytes, enough to tell a record longer than maxLine).
func (c *chunker) makeRoom() {
	if c.start > 0 {
		copy(c.b.b, c.b.b[c.start:c.n])
		c.n -= c.start
		c.st.pos -= c.start
		c.st.fieldAt0 = true
		c.st.bomEnd = 0
		c.start = 0
		return
	}
	size := 2 * len(c.b.b)
	if size >= c.maxLine {
		// Straight to the cap: growing to maxLine and then to maxLine+1
		// would allocate the largest buffer twice.
		size = c.maxLine + 1
	}
	c.pool.grow(c.b, size, c.n)
}

// skipRecord rejects the record at b.b[start], longer than maxLine, and
// reads on, reusing the buffer, until the record ends. Only its first rawMax
// bytes are kept, for the reject. what names the record in the reject's
// detail; "" for a plain record.
func (c *chunker) skipRecord(r io.Reader, eof *bool, rerr *error, what string) error {
	buf := c.b.b
	raw := bytes.Clone(buf[c.start:min(c.n, c.start+rawMax)])
	line := c.line
	size := int64(c.n - c.start)
	lines := int64(bytes.Count(buf[c.start:c.n], nl))
	ended := false
	for !*eof {
		last := buf[c.n-1]
		c.st.fieldAt0 = last == ',' || last == '\n' || c.n == c.st.bomEnd
		c.st.bomEnd = max(c.st.bomEnd-c.n, 0)
		m, err := fill(r, buf)
		c.start, c.n, c.st.pos = 0, m, 0
		*eof, *rerr = err != nil, err
		end := c.firstBoundary()
		ended = end >= 0
		if !ended {
			end = m
		}
		if len(raw) < rawMax {
			raw = append(raw, buf[:min(end, rawMax-len(raw))]...)
		}
		size += int64(end)
		lines += int64(bytes.Count(buf[:end], nl))
		if ended {
			c.start = end + 1
			break
		}
	}
	if !ended {
		c.start = c.n
	}
	c.line += lines + 1
	detail := fmt.Sprintf("%s%d bytes, more than the limit of %d", what, size, c.maxLine)
	if what != "" {
		detail += "; the input was not read"
	}
	return c.out.reject(Reject{Source: c.in.Name, Line: line, Reason: ReasonLineTooLong, Detail: detail, Raw: raw})
}

// finish emits what is left at the end of the stream; cut is the last
// record boundary in it (see lastBoundary). When the stream broke, what
// follows cut is a record cut short by the damage: it is not decoded (a CSV
// record cut inside a field would look whole, with a shortened value) but
// kept as the raw bytes of the stream's reject, at its line.
func (c *chunker) finish(rerr error, cut int) error {
	end := c.n
	var tail []byte
	if rerr != io.EOF {
		end = max(cut+1, c.start)
		// Cloned: the chunk below hands the buffer to a worker.
		tail = bytes.Clone(c.b.b[end:c.n])
	}
	if data := c.b.b[c.start:end]; len(data) > 0 {
		ch := Chunk{Input: c.in, Data: data, FirstLine: c.line, Header: c.header}
		c.line += int64(bytes.Count(data, nl))
		if data[len(data)-1] != '\n' {
			c.line++
		}
		full := c.b
		c.b = nil
		if err := c.out.chunk(ch, full); err != nil {
			return err
		}
	}
	if rerr == io.EOF {
		return nil
	}
	reason, detail := describeReadError(rerr)
	if err := c.out.reject(Reject{Source: c.in.Name, Line: c.line, Reason: reason, Detail: detail, Raw: tail}); err != nil {
		return err
	}
	return rerr
}

// describeReadError turns an error from a decompressor or archive into a
// reject reason and detail.
func describeReadError(err error) (reason, detail string) {
	if le, ok := errors.AsType[*limitError](err); ok {
		return ReasonDecompressionLimit, le.Error()
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return ReasonCorruptInput, "truncated (unexpected end of data)"
	}
	return ReasonCorruptInput, err.Error()
}

// scanCSV scans b from st.pos for record boundaries, keeping the quote state
// in st. It returns the index of the last '\n' outside quotes in what it
// scanned (or, with first, stops at the first one), or -1.
func scanCSV(b []byte, st *csvState, first bool) int {
	last := -1
	i := st.pos
	for i < len(b) {
		if st.junk {
			k := bytes.IndexByte(b[i:], '\n')
			if k < 0 {
				i = len(b)
				break
			}
			st.junk = false
			if first {
				st.pos = i + k + 1
				return i + k
			}
			last = i + k
			i += k + 1
			continue
		}
		if st.quoteEnd {
			st.quoteEnd, st.inQuote = false, false
			switch b[i] {
			case '"':
				st.inQuote = true // a doubled quote: still inside the field
				i++
				continue
			case ',', '\n', '\r':
			default:
				st.junk = true
				continue
			}
		}
		if st.inQuote {
			q := bytes.IndexByte(b[i:], '"')
			if q < 0 {
				i = len(b)
				break
			}
			i += q + 1
			st.quoteEnd = true
			continue
		}
		q := bytes.IndexByte(b[i:], '"')
		end := len(b)
		if q >= 0 {
			end = i + q
		}
		if first {
			if k := bytes.IndexByte(b[i:end], '\n'); k >= 0 {
				st.pos = i + k + 1
				return i + k
			}
		} else if k := bytes.LastIndexByte(b[i:end], '\n'); k >= 0 {
			last = i + k
		}
		if q < 0 {
			i = len(b)
			break
		}
		atField := st.fieldAt0
		if end > 0 {
			prev := b[end-1]
			atField = prev == ',' || prev == '\n' || end == st.bomEnd
		}
		st.inQuote = atField
		i = end + 1
	}
	st.pos = i
	return last
}
