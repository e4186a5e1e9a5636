package source

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkEvent is one thing a chunker emitted: a chunk or a reject.
type chunkEvent struct {
	chunk  *Chunk
	reject *Reject
}

// recordingSink keeps copies of what a chunker emits and frees buffers at
// once.
type recordingSink struct {
	pool   *bufPool
	events []chunkEvent
}

func (s *recordingSink) chunk(c Chunk, b *buffer) error {
	c.Data = bytes.Clone(c.Data)
	s.events = append(s.events, chunkEvent{chunk: &c})
	s.pool.put(b)
	return nil
}

func (s *recordingSink) reject(r Reject) error {
	r.Raw = bytes.Clone(r.Raw)
	s.events = append(s.events, chunkEvent{reject: &r})
	return nil
}

// runChunker cuts r as Scan would, with its clamping of the chunk size.
func runChunker(r io.Reader, csv bool, chunkBytes, maxLine int) ([]chunkEvent, error) {
	pool := newBufPool(min(chunkBytes, maxLine+1), 2)
	sink := &recordingSink{pool: pool}
	f := FormatJSONL
	if csv {
		f = FormatCSV
	}
	c := &chunker{in: &Input{Name: "in", Format: f}, csv: csv, maxLine: maxLine, ctx: context.Background(), pool: pool, out: sink}
	err := c.run(r)
	if len(pool.sem) != 0 {
		return sink.events, fmt.Errorf("%d buffers not returned", len(pool.sem))
	}
	return sink.events, err
}

// refRecord is a record as refSplit finds it: data[start:end] with its line
// end, data[start:contentEnd] without.
type refRecord struct{ start, end, contentEnd int }

// refSplit splits data into records byte by byte: the plain statement of
// the rules chunker implements with bulk searches.
func refSplit(data []byte, isCSV bool) []refRecord {
	var recs []refRecord
	start, i := 0, 0
	fieldStart, inQuote, quoteEnd, junk := true, false, false, false
	if isCSV && bytes.HasPrefix(data, []byte(byteOrderMark)) {
		i = len(byteOrderMark)
	}
	for ; i < len(data); i++ {
		ch := data[i]
		if isCSV {
			switch {
			case junk:
				if ch != '\n' {
					continue
				}
				junk = false
			case quoteEnd:
				quoteEnd = false
				if ch == '"' {
					continue
				}
				inQuote = false
				if ch != ',' && ch != '\n' && ch != '\r' {
					junk = true
					continue
				}
			case inQuote:
				quoteEnd = ch == '"'
				continue
			case ch == '"' && fieldStart:
				inQuote, fieldStart = true, false
				continue
			}
			fieldStart = ch == ',' || ch == '\n'
		}
		if ch == '\n' {
			recs = append(recs, refRecord{start, i + 1, i})
			start = i + 1
		}
	}
	if start < len(data) {
		recs = append(recs, refRecord{start, len(data), len(data)})
	}
	return recs
}

// checkChunks checks a chunker's events against refSplit: chunks are whole
// records in input order with the right line numbers; exactly the records
// longer than maxLine are rejected, with their first bytes; the CSV header
// comes out of the data and into every chunk.
func checkChunks(t *testing.T, input []byte, isCSV bool, maxLine int, events []chunkEvent) {
	t.Helper()
	recs := refSplit(input, isCSV)
	lineAt := func(off int) int64 { return 1 + int64(bytes.Count(input[:off], nl)) }
	long := func(r refRecord) bool { return r.contentEnd-r.start > maxLine }

	var header []byte
	first := 0 // the first data record
	if isCSV {
		for ; first < len(recs); first++ {
			r := recs[first]
			if long(r) {
				// The header is refused, and the input with it.
				want := Reject{Source: "in", Line: lineAt(r.start), Reason: ReasonLineTooLong,
					Raw: input[r.start:min(r.contentEnd, r.start+rawMax)]}
				if len(events) != 1 || events[0].reject == nil || !rejectEqualNoDetail(*events[0].reject, want) {
					t.Fatalf("long header: events %s, want only %s", describe(events), showReject(want))
				}
				return
			}
			content := trimCR(input[r.start:r.contentEnd])
			if len(bytes.Trim(content, " \t\r\v\f")) > 0 {
				header = content
				first++
				break
			}
		}
	}

	pos := len(input)
	if first < len(recs) {
		pos = recs[first].start
	}
	ri := first // recs[ri] starts at pos
	for _, ev := range events {
		if ev.reject != nil {
			if ri >= len(recs) || !long(recs[ri]) {
				t.Fatalf("reject %+v at offset %d, which does not start a long record", *ev.reject, pos)
			}
			r := recs[ri]
			want := Reject{Source: "in", Line: lineAt(pos), Reason: ReasonLineTooLong, Raw: input[r.start:min(r.contentEnd, r.start+rawMax)]}
			if !rejectEqualNoDetail(*ev.reject, want) {
				t.Fatalf("reject = %s, want %s", showReject(*ev.reject), showReject(want))
			}
			if wantDetail := fmt.Sprintf("%d bytes, more than the limit of %d", r.contentEnd-r.start, maxLine); ev.reject.Detail != wantDetail {
				t.Fatalf("detail = %q, want %q", ev.reject.Detail, wantDetail)
			}
			pos = r.end
			ri++
			continue
		}
		c := ev.chunk
		if len(c.Data) == 0 {
			t.Fatalf("empty chunk at offset %d", pos)
		}
		if c.FirstLine != lineAt(pos) {
			t.Fatalf("chunk at offset %d: FirstLine %d, want %d", pos, c.FirstLine, lineAt(pos))
		}
		if !bytes.Equal(c.Header, header) || (isCSV && c.Header == nil) || (!isCSV && c.Header != nil) {
			t.Fatalf("chunk header %q, want %q", c.Header, header)
		}
		end := pos + len(c.Data)
		if end > len(input) || !bytes.Equal(c.Data, input[pos:end]) {
			t.Fatalf("chunk at offset %d is not the input there: %q", pos, c.Data)
		}
		for ri < len(recs) && recs[ri].end <= end {
			if long(recs[ri]) {
				t.Fatalf("record at offset %d (%d bytes) is longer than %d but was not rejected", recs[ri].start, recs[ri].contentEnd-recs[ri].start, maxLine)
			}
			ri++
		}
		if ri < len(recs) && recs[ri].start != end {
			t.Fatalf("chunk ends at offset %d inside a record [%d, %d)", end, recs[ri].start, recs[ri].end)
		}
		pos = end
	}
	if ri != len(recs) {
		t.Fatalf("records from offset %d on were lost (events %s)", pos, describe(events))
	}
}

func showReject(r Reject) string { return fmt.Sprintf("%s (raw %q)", r.Error(), r.Raw) }

func rejectEqualNoDetail(a, b Reject) bool {
	return a.Source == b.Source && a.Line == b.Line && a.Reason == b.Reason && bytes.Equal(a.Raw, b.Raw)
}

func describe(events []chunkEvent) string {
	var b strings.Builder
	for _, ev := range events {
		if ev.reject != nil {
			fmt.Fprintf(&b, "[reject line %d %q] ", ev.reject.Line, ev.reject.Detail)
		} else {
			fmt.Fprintf(&b, "[chunk line %d %q] ", ev.chunk.FirstLine, ev.chunk.Data)
		}
	}
	return b.String()
}

// readers gives the same bytes in differently sized reads.
var readers = []struct {
	name string
	wrap func(io.Reader) io.Reader
}{
	{"whole", func(r io.Reader) io.Reader { return r }},
	{"one byte", iotest.OneByteReader},
	{"half", iotest.HalfReader},
	{"data+EOF", iotest.DataErrReader},
}

func TestChunkerCases(t *testing.T) {
	for _, tc := range []struct {
		name    string
		csv     bool
		in      string
		maxLine int
	}{
		{"jsonl", false, "a\nbb\n\nccc\r\nd", 16},
		{"jsonl empty", false, "", 16},
		{"jsonl only newlines", false, "\n\n\n", 16},
		{"jsonl long first", false, "0123456789abcdef\nok\n", 8},
		{"jsonl long middle", false, "a\n0123456789abcdef\nok\n", 8},
		{"jsonl long last unterminated", false, "a\n0123456789abcdef", 8},
		{"jsonl exactly max", false, "12345678\n12345678", 8},
		{"jsonl max plus one", false, "123456789\n123456789", 8},
		{"jsonl consecutive long", false, "123456789\n123456789\n123456789\nok", 8},
		{"csv", true, "h1,h2\na,b\nc,d", 16},
		{"csv quoted newline", true, "h1,h2\n\"a\nb\",c\nd,\"e\"\"\nf\"\n", 32},
		{"csv quoted header", true, "\"h\n1\",h2\na,b\n", 32},
		{"csv bom quoted header", true, "\ufeff\"h,\n1\",h2\na,b\n", 32},
		{"csv blank lines before header", true, "\n \r\n\t\nh1,h2\na,b\n", 32},
		{"csv header only", true, "h1,h2", 32},
		{"csv header only terminated", true, "h1,h2\r\n", 32},
		{"csv only blank", true, "\n\n", 32},
		{"csv stray quote", true, "h\nab\"c\nd\n", 32},
		{"csv text after closing quote", true, "h\n\"a\"x,\"b\nc\"\nd\n", 32},
		{"csv unterminated quote", true, "h\na\n\"b\nc\nd", 32},
		{"csv long record with newlines", true, "h\na\n\"0123\n4567\n89ab\"\nz\n", 8},
		{"csv long header", true, "0123456789,abc\na\n", 8},
		{"csv long blank before header", true, "             \nh\na\n", 8},
	} {
		for _, rd := range readers {
			for _, chunk := range []int{1, 2, 3, 5, 7, 16, 1 << 20} {
				t.Run(fmt.Sprintf("%s/%s/%d", tc.name, rd.name, chunk), func(t *testing.T) {
					events, err := runChunker(rd.wrap(strings.NewReader(tc.in)), tc.csv, chunk, tc.maxLine)
					if err != nil {
						t.Fatalf("run: %v", err)
					}
					checkChunks(t, []byte(tc.in), tc.csv, tc.maxLine, events)
				})
			}
		}
	}
}

// TestChunkerHandChecked pins a few outcomes independently of refSplit.
func TestChunkerHandChecked(t *testing.T) {
	for _, tc := range []struct {
		name    string
		csv     bool
		in      string
		maxLine int
		want    string // the events, as describe prints them, with the data of all chunks concatenated
	}{
		{"jsonl long middle", false, "a\n0123456789\nb\n", 8,
			`[chunk line 1 "a\n"] [reject line 2 "10 bytes, more than the limit of 8"] [chunk line 3 "b\n"] `},
		{"csv long quoted record", true, "h\n\"01\n23\n45\n67\"\nz\n", 8,
			`[reject line 2 "13 bytes, more than the limit of 8"] [chunk line 6 "z\n"] `},
		{"csv quoted newline", true, "h\n\"a\nb\"\nc\n", 64,
			`[chunk line 2 "\"a\nb\"\nc\n"] `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, err := runChunker(strings.NewReader(tc.in), tc.csv, 3, tc.maxLine)
			if err != nil {
				t.Fatal(err)
			}
			// Merge adjacent chunks: their split depends on the chunk size.
			var merged []chunkEvent
			for _, ev := range events {
				if n := len(merged); n > 0 && ev.chunk != nil && merged[n-1].chunk != nil {
					prev := *merged[n-1].chunk
					prev.Data = append(slices.Clip(prev.Data), ev.chunk.Data...)
					merged[n-1].chunk = &prev
					continue
				}
				merged = append(merged, ev)
			}
			if got := describe(merged); got != tc.want {
				t.Errorf("events\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestChunkerReadErrorIsReportedAtNextLine: a stream that breaks is one
// reject at the line after its last whole record, holding the bytes of the
// record the damage cut short, which is not decoded.
func TestChunkerReadErrorIsReportedAtNextLine(t *testing.T) {
	boom := errors.New("flate: corrupt input before offset 99")
	for _, tc := range []struct {
		in       string
		csv      bool
		wantLine int64
		raw      string // the cut record
	}{
		{"", false, 1, ""},
		{"a\nb\n", false, 3, ""},
		{"a\nb\npart", false, 3, "part"},
		{"a\n" + strings.Repeat("x", 100) + "\npa", false, 3, "pa"}, // after a line too long
		// A CSV record cut inside a field would read as a whole one.
		{"h,n\nx,123\ny,12", true, 3, "y,12"},
		{"h,n\nx,1\ny,\"multi\nli", true, 3, "y,\"multi\nli"},
		{"h,n", true, 2, ""}, // the header alone: it is taken
	} {
		events, err := runChunker(&failingReader{data: []byte(tc.in), err: boom}, tc.csv, 2, 64)
		if !errors.Is(err, boom) {
			t.Fatalf("%q: err = %v, want %v", tc.in, err, boom)
		}
		last := events[len(events)-1].reject
		want := Reject{Source: "in", Line: tc.wantLine, Reason: ReasonCorruptInput, Detail: boom.Error(), Raw: []byte(tc.raw)}
		if last == nil || !rejectEqual(*last, want) || !bytes.Equal(last.Raw, want.Raw) {
			t.Errorf("%q: events %s, want last %s", tc.in, describe(events), showReject(want))
		}
		whole := strings.TrimSuffix(tc.in, tc.raw)
		checkChunks(t, []byte(whole), tc.csv, 64, events[:len(events)-1])
	}
}

// repeatReader yields n bytes of block repeated, then the tail.
type repeatReader struct {
	block []byte
	n     int64
	tail  *strings.Reader
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return r.tail.Read(p)
	}
	k := copy(p[:min(int64(len(p)), r.n)], r.block)
	r.n -= int64(k)
	return k, nil
}

func TestChunkerLongLineMemoryIsBounded(t *testing.T) {
	const lineLen = 64 << 20
	const maxLine = 1 << 20
	for _, isCSV := range []bool{false, true} {
		in := io.MultiReader(strings.NewReader("h\nfirst\n\""), &repeatReader{block: bytes.Repeat([]byte("x"), 64<<10), n: lineLen, tail: strings.NewReader("\"\nlast\n")})
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		events, err := runChunker(in, isCSV, 64<<10, maxLine)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
			t.Errorf("csv=%v: allocated %d MiB to skip a %d MiB line", isCSV, alloc>>20, lineLen>>20)
		}
		var rejects []Reject
		var data []byte
		for _, ev := range events {
			if ev.reject != nil {
				rejects = append(rejects, *ev.reject)
			} else {
				data = append(data, ev.chunk.Data...)
			}
		}
		wantData := "h\nfirst\nlast\n"
		if isCSV {
			wantData = "first\nlast\n"
		}
		wantLine := int64(3)
		if len(rejects) != 1 || rejects[0].Line != wantLine || len(rejects[0].Raw) != rawMax ||
			rejects[0].Detail != fmt.Sprintf("%d bytes, more than the limit of %d", lineLen+2, maxLine) {
			t.Errorf("csv=%v: rejects %+v", isCSV, rejects)
		}
		if string(data) != wantData {
			t.Errorf("csv=%v: data %q, want %q", isCSV, data, wantData)
		}
	}
}

// TestChunkerGrowsToTheLimitOnce: a buffer that doubles past the limit
// goes straight to maxLine+1. It used to grow to maxLine first, and then
// allocate maxLine+1 bytes again for the one byte that tells a line too
// long.
func TestChunkerGrowsToTheLimitOnce(t *testing.T) {
	const maxLine = 4 << 20
	in := &repeatReader{block: bytes.Repeat([]byte("x"), 64<<10), n: 3 * maxLine, tail: strings.NewReader("\nok\n")}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	events, err := runChunker(in, false, maxLine/2, maxLine)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].reject == nil || events[1].chunk == nil || string(events[1].chunk.Data) != "ok\n" {
		t.Fatalf("events: %s", describe(events))
	}
	// The first buffer (maxLine/2, maybe pooled) and one of maxLine+1:
	// at most 6 MiB. Growing through maxLine made it 8 MiB or more.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 7<<20 {
		t.Errorf("allocated %.1f MiB to skip a long line with a %d MiB limit", float64(alloc)/(1<<20), maxLine>>20)
	}
}

// TestScanCSVChunkSizesAgree cuts CSV with quoted newlines at every small
// chunk size and checks each record against encoding/csv reading the whole
// file.
func TestScanCSVChunkSizesAgree(t *testing.T) {
	fixture := readFixture(t, "events.csv")
	var synth bytes.Buffer
	synth.WriteString("a,b,c\n")
	for i := range 40 {
		fmt.Fprintf(&synth, "%d,\"multi\nline %d\nfield\",\"quote \"\"%d\"\"\"\n", i, i, i)
		if i%7 == 0 {
			synth.WriteString("\n")
		}
		fmt.Fprintf(&synth, "plain %d,x,\"\"\r\n", i)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{{"fixture", fixture}, {"synthetic", synth.Bytes()}} {
		t.Run(tc.name, func(t *testing.T) {
			want := csvReference(t, "in.csv", tc.data)
			path := writeFile(t, t.TempDir(), "in.csv", tc.data)
			want = renameSource(want, path)
			for _, chunk := range append([]int{7, 1 << 20}, seq(1, 40)...) {
				res := mustScan(t, []string{path}, ScanOptions{ChunkBytes: chunk})
				if !slices.Equal(res.recs, want) {
					t.Fatalf("chunk %d: records\n got %v\nwant %v", chunk, res.recs, want)
				}
			}
		})
	}
}

func seq(from, to int) []int {
	var s []int
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

// csvReference reads data whole with encoding/csv: each record's line and
// fields joined by '|'.
func csvReference(t *testing.T, source string, data []byte) []seen {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte(byteOrderMark))))
	r.FieldsPerRecord = -1
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	var out []seen
	for {
		fields, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		line, _ := r.FieldPos(0)
		out = append(out, seen{Source: source, Line: int64(line), Text: strings.Join(fields, "|")})
	}
}

func renameSource(recs []seen, name string) []seen {
	for i := range recs {
		recs[i].Source = name
	}
	return recs
}

func TestScanJSONLChunkSizesAgree(t *testing.T) {
	data := []byte("one\r\n\ntwo\n  \nthree\nbad four\nfive")
	path := writeFile(t, t.TempDir(), "in.jsonl", data)
	want := []seen{{path, 1, "one"}, {path, 3, "two"}, {path, 5, "three"}, {path, 7, "five"}}
	for _, chunk := range append(seq(1, 12), 1<<20) {
		res := mustScan(t, []string{path}, ScanOptions{ChunkBytes: chunk})
		if !slices.Equal(res.recs, want) {
			t.Errorf("chunk %d: records %v, want %v", chunk, res.recs, want)
		}
		if len(res.rejects) != 1 || res.rejects[0].Line != 6 {
			t.Errorf("chunk %d: rejects %+v, want one at line 6", chunk, res.rejects)
		}
	}
}

func FuzzChunker(f *testing.F) {
	for _, s := range []string{
		"a\nb\n", "h\n\"a\nb\",c\n", "\ufeff\"h\"\n1\n", "h\n\"a\"\"b\"\n\"", "x\"y\n\"z\n",
		"\n\n\n", "\"\"\"\n\"\n", "h\r\n\"a\"x,\"b\nc\"\n", strings.Repeat("long", 10) + "\nok\n",
	} {
		f.Add([]byte(s), false, uint16(3), uint16(8), uint8(0))
		f.Add([]byte(s), true, uint16(5), uint16(12), uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, isCSV bool, chunk, maxLine uint16, mode uint8) {
		chunkBytes := int(chunk%512) + 1
		maxLen := int(maxLine%256) + 1
		rd := readers[int(mode)%len(readers)]
		events, err := runChunker(rd.wrap(bytes.NewReader(data)), isCSV, chunkBytes, maxLen)
		if err != nil {
			t.Fatal(err)
		}
		checkChunks(t, data, isCSV, maxLen, events)
	})
}
