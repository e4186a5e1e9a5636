package source

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
	"unicode/utf8"

	"github.com/usagerep/usagerep/pkg/record"
)

// maxCachedHeaders bounds the per-decoder header cache; a bundle with more
// CSV members than this simply parses some headers again.
const maxCachedHeaders = 1024

// csvDecoder reads RFC 4180 CSV: comma-separated, fields optionally quoted
// with '"', a quote inside a quoted field doubled, CRLF or LF line ends.
// A quote inside an unquoted field is taken literally, as most exporters
// that write one mean it.
type csvDecoder struct {
	*core
	headers   map[*Input]*csvHeader
	last      *csvHeader
	lastInput *Input
	fields    [][]byte // fields of the current record; reused
	row       slots
}

// csvHeader is the parsed header of one input.
type csvHeader struct {
	raw  []byte // the header line as given, to notice a changed header
	cols []csvColumn
}

func newCSVDecoder(c *core) *csvDecoder {
	return &csvDecoder{core: c, headers: map[*Input]*csvHeader{}}
}

// csvStatus says how reading a record ended.
type csvStatus uint8

const (
	csvOK         csvStatus = iota
	csvUnclosed             // a quoted field runs to the end of the data
	csvAfterQuote           // a closing quote is followed by something other than , or a line end
)

// Decode implements Decoder. The chunk's header is parsed once per input;
// when c.Header is nil the first non-blank record of c.Data is the header,
// so that a whole file can be decoded as one chunk.
func (d *csvDecoder) Decode(c *Chunk, sink Sink, reject RejectFunc) (good, bad int64, err error) {
	data := c.Data
	src := sourceName(c)
	lineNo := c.FirstLine
	var hdr *csvHeader
	if c.Header != nil {
		hdr = d.header(c.Input, c.Header)
	} else {
		if c.FirstLine <= 1 {
			data = bytes.TrimPrefix(data, utf8BOM)
		}
		for len(data) > 0 { // the header is the first record that is not blank
			end, next, lines, _ := d.readRecord(data, 0)
			head := data[:end]
			data = data[next:]
			lineNo += int64(lines)
			if !isBlank(head) {
				hdr = d.parseHeader(head)
				break
			}
		}
		if hdr == nil {
			return 0, 0, nil
		}
	}

	for pos := 0; pos < len(data); {
		d.scratch = d.scratch[:0]
		end, next, lines, status := d.readRecord(data, pos)
		raw := data[pos:end]
		line := lineNo
		lineNo += int64(lines)
		pos = next
		if status == csvOK && len(d.fields) == 1 && isBlank(raw) {
			continue
		}
		if d.decodeRecord(hdr, raw, status, src, line) {
			good++
			sink.Record(&d.rec)
			continue
		}
		bad++
		r := Reject{Source: src, Line: line, Reason: d.reason, Detail: d.detail, Raw: raw}
		if err := reject(r); err != nil {
			return good, bad, err
		}
	}
	return good, bad, nil
}

// decodeRecord turns the fields just read into d.rec, or sets d.reason.
func (d *csvDecoder) decodeRecord(hdr *csvHeader, raw []byte, status csvStatus, src string, line int64) bool {
	d.begin(src, line)
	switch status {
	case csvUnclosed:
		return d.fail(reasonUnbalanced, "quoted field not closed")
	case csvAfterQuote:
		return d.fail(reasonUnbalanced, "text after a closing quote")
	}
	if !utf8.Valid(raw) {
		return d.fail(reasonUTF8, "")
	}
	// NUL is valid UTF-8 but no text: a zero-filled tail or a UTF-16 file.
	if k := bytes.IndexByte(raw, 0); k >= 0 {
		return d.fail(reasonNUL, fmt.Sprintf("at byte %d of the record (a UTF-16 file?)", k+1))
	}
	if len(d.fields) != len(hdr.cols) {
		return d.fail(reasonColumnCount, fmt.Sprintf("got %d, want %d", len(d.fields), len(hdr.cols)))
	}
	d.row.set = 0
	for i := range hdr.cols {
		col := &hdr.cols[i]
		if len(col.targets) == 0 && (col.propKey == "" || !d.keepProps) {
			continue
		}
		v := trimSpace(d.fields[i])
		if len(v) == 0 {
			continue
		}
		for _, t := range col.targets {
			d.row.put(t, v, vText, false)
		}
		if col.propKey != "" {
			d.rec.Props = append(d.rec.Props, record.Prop{Key: col.propKey, Value: unsafeString(v)})
		}
	}
	return d.finish(&d.row)
}

// header returns the parsed header of in, from the cache when possible.
func (d *csvDecoder) header(in *Input, line []byte) *csvHeader {
	if d.last != nil && d.lastInput == in && bytes.Equal(d.last.raw, line) {
		return d.last
	}
	h, ok := d.headers[in]
	if !ok || !bytes.Equal(h.raw, line) {
		h = d.parseHeader(line)
		h.raw = bytes.Clone(line)
		if in != nil {
			if len(d.headers) >= maxCachedHeaders {
				clear(d.headers)
			}
			d.headers[in] = h
		}
	}
	d.last, d.lastInput = h, in
	return h
}

// parseHeader reads a header line into columns. The column names are
// copied: the line may be reused once the chunk is done.
func (d *csvDecoder) parseHeader(line []byte) *csvHeader {
	line = bytes.TrimPrefix(line, utf8BOM)
	line = bytes.TrimRight(line, "\r\n")
	d.scratch = d.scratch[:0]
	d.readRecord(line, 0)
	names := make([]string, len(d.fields))
	for i, f := range d.fields {
		names[i] = strings.TrimSpace(string(f))
	}
	return &csvHeader{cols: csvColumns(d.m, names)}
}

// unquotedEnd returns the index of the first ',' or '\n' in data[i:], or
// len(data). It tests eight bytes at a time (see specialMask).
func unquotedEnd(data []byte, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for ; i+8 <= len(data); i += 8 {
		x := binary.LittleEndian.Uint64(data[i:])
		c := x ^ (ones * ',')
		n := x ^ (ones * '\n')
		// Only bytes above a true match can be false matches, so the
		// lowest flagged byte is the first separator.
		if m := ((c-ones)&^c | (n-ones)&^n) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(data); i++ {
		if data[i] == ',' || data[i] == '\n' {
			return i
		}
	}
	return i
}

// readRecord splits the record at data[pos:] into d.fields. It returns the
// end of the record's text, where the next record starts, how many line
// ends it consumed, and whether the record is well formed. Fields with
// doubled quotes are decoded into scratch; others point into data.
func (d *csvDecoder) readRecord(data []byte, pos int) (end, next, lines int, status csvStatus) {
	d.fields = d.fields[:0]
	i := pos
	for {
		if i < len(data) && data[i] == '"' {
			val, j, nl, ok := d.quotedField(data, i)
			lines += nl
			if !ok {
				return len(data), len(data), lines, csvUnclosed
			}
			d.fields = append(d.fields, val)
			i = j
			switch {
			case i >= len(data):
				return i, i, lines, csvOK
			case data[i] == ',':
				i++
				continue
			case data[i] == '\n':
				return i, i + 1, lines + 1, csvOK
			case data[i] == '\r' && (i+1 == len(data) || data[i+1] == '\n'):
				return i, min(i+2, len(data)), lines + 1, csvOK
			}
			// Malformed: the record ends at the next line end.
			nl = bytes.IndexByte(data[i:], '\n')
			if nl < 0 {
				return len(data), len(data), lines, csvAfterQuote
			}
			end = i + nl
			if data[end-1] == '\r' {
				end--
			}
			return end, i + nl + 1, lines + 1, csvAfterQuote
		}
		j := unquotedEnd(data, i)
		if j < len(data) && data[j] == ',' {
			d.fields = append(d.fields, data[i:j])
			i = j + 1
			continue
		}
		end = j
		if end > i && data[end-1] == '\r' {
			end--
		}
		d.fields = append(d.fields, data[i:end])
		if j < len(data) {
			return end, j + 1, lines + 1, csvOK
		}
		return end, j, lines, csvOK
	}
}

// quotedField reads the quoted field at data[i] ('"'). It returns the
// field's value, the index after the closing quote, the line ends inside
// the field, and false when the quote is never closed.
func (d *csvDecoder) quotedField(data []byte, i int) (val []byte, next, lines int, ok bool) {
	start := i + 1
	j := start
	doubled := false
	for {
		q := bytes.IndexByte(data[j:], '"')
		if q < 0 {
			return nil, len(data), bytes.Count(data[start:], []byte{'\n'}), false
		}
		j += q
		if j+1 < len(data) && data[j+1] == '"' {
			doubled = true
			j += 2
			continue
		}
		break
	}
	val = data[start:j]
	lines = bytes.Count(val, []byte{'\n'})
	if doubled {
		s := len(d.scratch)
		for len(val) > 0 {
			q := bytes.IndexByte(val, '"')
			if q < 0 {
				d.scratch = append(d.scratch, val...)
				break
			}
			d.scratch = append(d.scratch, val[:q+1]...)
			val = val[q+2:] // skip the second quote of the pair
		}
		val = d.scratch[s:]
	}
	return val, j + 1, lines, true
}
