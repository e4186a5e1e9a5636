package source

import (
	"bytes"
	"io"
)

// jsonArrayPeek is how far into a JSON stream its first non-blank byte is
// looked for; a stream blank for longer is taken as JSON Lines.
const jsonArrayPeek = 64 << 10

// jsonLines returns r as JSON Lines. A stream whose first non-blank byte is
// '[' holds JSON arrays of records, as many APIs export them, possibly
// pretty-printed: it is rewritten with every element on one line
// (arrayLines). Any other stream is returned as it is, its first bytes
// replayed.
func jsonLines(r io.Reader) io.Reader {
	head := make([]byte, 0, 4<<10)
	for {
		if len(head) == cap(head) {
			head = append(head, 0)[:len(head)]
		}
		n, err := r.Read(head[len(head):cap(head)])
		head = head[:len(head)+n]
		first, found := firstNonBlank(head)
		if found && first == '[' {
			return &arrayLines{r: r, buf: make([]byte, readBufSize), in: bytes.TrimPrefix(head, utf8BOM), err: err}
		}
		if found || err != nil || len(head) >= jsonArrayPeek {
			rest := r
			if err != nil {
				rest = errReader{err} // not read again: a reader need not repeat its error
			}
			return io.MultiReader(bytes.NewReader(head), rest)
		}
	}
}

// errReader returns its error once the bytes before it are read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// firstNonBlank is the first byte of b that is not JSON whitespace or the
// UTF-8 byte order mark, and whether there is one yet (b may end inside
// the mark).
func firstNonBlank(b []byte) (byte, bool) {
	if len(b) < len(utf8BOM) && bytes.HasPrefix(utf8BOM, b) {
		return 0, false
	}
	b = bytes.TrimPrefix(b, utf8BOM)
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			return c, true
		}
	}
	return 0, false
}

// arrayLines rewrites JSON arrays as JSON Lines, streaming, in constant
// memory. Each element goes on the line of the input where it starts, so
// that rejects name the input's lines: the newlines inside an element
// become spaces and are written after it, as blank lines (which the
// decoder skips). Where elements share an input line, each still needs a
// line of its own, and the input's next newlines between elements are
// dropped to make up for it. Anything outside an array (text after its
// ']') is copied a line at a time, for the decoder to read or reject; so
// is a raw newline inside a string, which stays as invalid as it was.
type arrayLines struct {
	r   io.Reader
	buf []byte // read buffer
	in  []byte // unread input
	err error  // the reader's, returned once in is empty

	state    arrayState
	depth    int  // brackets open in the element
	inString bool // inside a string of the element
	escaped  bool // the string's last byte was a backslash
	owed     int  // newlines to write before the next byte
	pending  int  // newlines inside the element, written at its end
	debt     int  // lines added for elements that shared an input line

	noRuns bool // every byte through next: the reference run is tested against
}

type arrayState uint8

const (
	outside   arrayState = iota // between arrays
	rawLine                     // copying a line that is not in an array
	inArray                     // between the elements of an array
	inElement                   // inside an element
)

func (a *arrayLines) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if a.owed > 0 {
			p[n] = '\n'
			n++
			a.owed--
			continue
		}
		if len(a.in) == 0 {
			if a.err != nil {
				if a.pending > 0 { // an element cut short keeps its lines
					a.owed, a.pending = a.owed+a.pending, 0
					continue
				}
				break
			}
			if n > 0 {
				return n, nil // what is ready, before blocking on the reader
			}
			m, err := a.r.Read(a.buf)
			a.in, a.err = a.buf[:m], err
			continue
		}
		if !a.noRuns {
			if k := a.run(len(p) - n); k > 0 {
				n += copy(p[n:], a.in[:k])
				a.in = a.in[k:]
				continue
			}
		}
		c := a.in[0]
		a.in = a.in[1:]
		if out, ok := a.next(c); ok {
			p[n] = out
			n++
		}
	}
	if n == 0 && len(a.in) == 0 && a.owed == 0 && a.err != nil {
		return 0, a.err
	}
	return n, nil
}

// run is how many of the next input bytes, at most room, are copied as
// they are, following the element's strings and brackets as element
// does: all of them up to a line break, a carriage return, or the byte
// that ends the element, which go one at a time. So most of an array
// is copied in runs. Its string handling repeats element's, inline: a
// shared method was 20-30% slower (BenchmarkJSONArrayLines, 4 pairs),
// and FuzzJSONLines holds the two to the same output.
func (a *arrayLines) run(room int) int {
	if a.state != inElement || a.depth == 0 && !a.inString {
		return 0 // not in an element, or in a scalar, which any blank ends
	}
	seg := a.in[:min(len(a.in), room)]
	for k, c := range seg {
		if a.inString {
			switch {
			case a.escaped:
				a.escaped = false
			case c == '\\':
				a.escaped = true
			case c == '"':
				if a.depth == 0 {
					return k // it ends a string element
				}
				a.inString = false
			}
			continue
		}
		switch c {
		case '"':
			a.inString = true
		case '{', '[':
			a.depth++
		case '}', ']':
			if a.depth == 1 {
				return k // it ends the element
			}
			a.depth--
		case '\n', '\r':
			return k
		}
	}
	return len(seg)
}

// next takes input byte c and returns the byte to write for it, if any;
// it may owe newlines, which Read writes first.
func (a *arrayLines) next(c byte) (byte, bool) {
	switch a.state {
	case outside:
		switch c {
		case '\n':
			return a.newline()
		case ' ', '\t', '\r':
			return 0, false
		case '[':
			a.state = inArray
			return 0, false
		}
		a.state = rawLine
		return c, true
	case rawLine:
		if c == '\n' {
			a.state = outside
		}
		return c, true
	case inArray:
		switch c {
		case '\n':
			return a.newline()
		case ' ', '\t', '\r', ',':
			return 0, false
		case ']':
			a.state = outside
			return 0, false
		}
		a.state, a.depth, a.inString, a.escaped = inElement, 0, false, false
	}
	return a.element(c)
}

// element takes byte c of an element.
func (a *arrayLines) element(c byte) (byte, bool) {
	if a.inString {
		switch {
		case a.escaped:
			a.escaped = false
		case c == '\\':
			a.escaped = true
		case c == '"':
			a.inString = false
			if a.depth == 0 { // a string element
				a.end()
			}
		}
		return c, true
	}
	switch c {
	case '"':
		a.inString = true
	case '{', '[':
		a.depth++
	case '}', ']':
		if a.depth == 0 { // after a scalar element: it ends here
			a.end()
			if c == ']' {
				a.state = outside
			}
			return 0, false
		}
		a.depth--
		if a.depth == 0 {
			a.end()
		}
	case ',', ' ', '\t', '\r':
		if a.depth == 0 {
			a.end()
			return 0, false
		}
		if c == '\r' {
			return ' ', true
		}
	case '\n':
		if a.depth == 0 {
			a.end()
			return a.newline()
		}
		a.pending++
		return ' ', true
	}
	return c, true
}

// end ends the element just written: its line, then the lines it spanned.
func (a *arrayLines) end() {
	a.state = inArray
	if a.pending > 0 {
		a.owed += a.pending
		a.pending = 0
		return
	}
	a.owed++
	a.debt++
}

// newline takes a newline between elements or arrays.
func (a *arrayLines) newline() (byte, bool) {
	if a.debt > 0 {
		a.debt--
		return 0, false
	}
	return '\n', true
}
