package xlsx

import (
	"io"
	"runtime"
	"strconv"
	"unicode/utf8"

	"github.com/usagerep/usagerep/pkg/render/batchw"
)

// The data rows of a table sheet are not given to excelize: its stream
// writer spends most of the export's writing time boxing, escaping and
// re-encoding each cell. excelize writes the sheet with its header row only
// (so that it still makes the columns, panes, table and relationships), and
// the sorted zip splices the rows, encoded here, in before </sheetData>.
// The cells are those excelize's stream writer writes for the same values
// (a test compares the two byte for byte).

// sheetDataEnd is where the data rows go in a streamed sheet's XML. It
// occurs once: cell text is escaped, so no "<" comes from data.
const sheetDataEnd = "</sheetData>"

// rowEncoder writes rows of one table as SpreadsheetML.
type rowEncoder struct {
	b    *book
	t    *table
	f    formatter
	row  []cell
	cols []string // column letters
}

func (b *book) newRowEncoder(t *table) *rowEncoder {
	e := &rowEncoder{b: b, t: t, f: formatter{loc: b.loc}, row: make([]cell, len(t.headers))}
	for c := range t.headers {
		e.cols = append(e.cols, columnName(c+1))
	}
	return e
}

// columnName is the letters of 1-based column n: 1 is A, 27 is AA.
func columnName(n int) string {
	var buf [8]byte
	i := len(buf)
	for n > 0 {
		n--
		i--
		buf[i] = byte('A' + n%26)
		n /= 26
	}
	return string(buf[i:])
}

// appendRow appends table row i as sheet row r.
func (e *rowEncoder) appendRow(dst []byte, i, r int) []byte {
	clear(e.row)
	e.f.beginRow()
	e.t.fill(&e.f, i, e.row)
	bold := e.t.bold != nil && e.t.bold(i)
	st := &e.b.styles
	dst = append(dst, `<row r="`...)
	dst = strconv.AppendInt(dst, int64(r), 10)
	dst = append(dst, `">`...)
	for c := range e.row {
		v := &e.row[c]
		switch v.kind {
		case kindText:
			style := 0
			if bold {
				style = st.bold
			}
			dst = e.appendText(dst, c, r, style, fitCell(v.text))
		case kindInt:
			style := st.count
			if bold {
				style = st.boldCount
			}
			dst = e.appendCellStart(dst, c, r, style, "")
			dst = strconv.AppendInt(dst, v.num, 10)
			dst = append(dst, `</v></c>`...)
		case kindTime:
			serial, ok := excelTime(v.time, e.b.loc)
			if !ok {
				// Outside Excel's dates (before 1900-03-01 or after 9999): as text.
				from := len(e.f.text)
				e.f.text = appendTime(e.f.text, v.time, e.b.loc)
				dst = e.appendText(dst, c, r, 0, e.f.cellText(from).text)
				continue
			}
			dst = e.appendCellStart(dst, c, r, st.date, "")
			dst = strconv.AppendFloat(dst, serial, 'f', -1, 64)
			dst = append(dst, `</v></c>`...)
		}
	}
	return append(dst, `</row>`...)
}

// appendCellStart opens cell (c, r) up to its value: <v> for a number, the
// inline string's <t> when t is "inlineStr" (the caller adds the rest).
func (e *rowEncoder) appendCellStart(dst []byte, c, r, style int, t string) []byte {
	dst = append(dst, `<c r="`...)
	dst = append(dst, e.cols[c]...)
	dst = strconv.AppendInt(dst, int64(r), 10)
	dst = append(dst, '"')
	if style != 0 {
		dst = append(dst, ` s="`...)
		dst = strconv.AppendInt(dst, int64(style), 10)
		dst = append(dst, '"')
	}
	if t == "" {
		return append(dst, `><v>`...)
	}
	return append(dst, ` t="inlineStr">`...)
}

// appendText writes s as an inline string: never a formula, whatever it
// starts with.
func (e *rowEncoder) appendText(dst []byte, c, r, style int, s string) []byte {
	dst = e.appendCellStart(dst, c, r, style, "inlineStr")
	dst = append(dst, `<is><t`...)
	if s != "" && (isSpaceByte(s[0]) || isSpaceByte(s[len(s)-1])) {
		dst = append(dst, ` xml:space="preserve"`...)
	}
	dst = append(dst, '>')
	dst = appendCellText(dst, s)
	return append(dst, `</t></is></c>`...)
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// appendCellText escapes s for a <t> element as excelize does: XML escapes
// as encoding/xml's EscapeText makes them (but a line feed stays itself),
// characters XML cannot hold and invalid UTF-8 as U+FFFD, and an
// underscore that would start an escape _xHHHH_ escaped as _x005F_ so
// that the text reads back as written.
func appendCellText(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if cellPlain[c] {
			i++
			continue
		}
		var esc string
		width := 1
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				esc = "&#34;"
			case '\'':
				esc = "&#39;"
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				esc = "&gt;"
			case '\t':
				esc = "&#x9;"
			case '\r':
				esc = "&#xD;"
			case '_':
				if isEscapeLike(s[i:]) {
					esc = "_x005F_"
				}
			case '\n':
			default:
				if c < 0x20 {
					esc = "\uFFFD"
				}
			}
		} else {
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && width == 1) || !inXMLCharRange(r) {
				esc = "\uFFFD"
			}
		}
		if esc != "" {
			dst = append(dst, s[last:i]...)
			dst = append(dst, esc...)
			last = i + width
		}
		i += width
	}
	return append(dst, s[last:]...)
}

// cellPlain marks the bytes appendCellText copies as they are, whatever
// follows: printable ASCII but for the escaped ones and the underscore.
var cellPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range []byte("\"'&<>_") {
		t[c] = false
	}
	t['\n'] = true
	return t
}()

// isEscapeLike reports whether s starts with _xHHHH_, which a reader would
// take for an escaped character.
func isEscapeLike(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// inXMLCharRange is XML 1.0's Char production for non-ASCII runes.
func inXMLCharRange(r rune) bool {
	return r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= utf8.MaxRune
}

// writeRows encodes rows [lo, hi) of t as sheet rows 2, 3, ... and writes
// them to w in order. Batches are encoded on every core while w takes the
// finished ones.
func (b *book) writeRows(w io.Writer, t *table, lo, hi int) error {
	const batchRows = 1024
	workers := runtime.GOMAXPROCS(0)
	if hi-lo < parallelRows {
		workers = 1
	}
	return batchw.Write(w, hi-lo, batchRows, workers, func() batchw.Encoder {
		e := b.newRowEncoder(t)
		return func(dst []byte, from, to int) []byte {
			for i := lo + from; i < lo+to; i++ {
				dst = e.appendRow(dst, i, i-lo+2)
			}
			return dst
		}
	})
}
