package source

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of skipped values; deeper lines are
// rejected as invalid JSON rather than walked.
const maxJSONDepth = 1000

// jsonlDecoder reads JSON Lines with a hand-written scanner: values of known
// keys are sliced out of the line and converted once the object is read,
// unknown values are validated and skipped without being decoded.
type jsonlDecoder struct {
	*core
	top   *keyTable // keys of a record
	elemT *keyTable // keys of a users[] element
	root  slots
	stack []byte // open containers while skipping a value

	synPos int // where the line stopped being JSON
}

func newJSONLDecoder(c *core) *jsonlDecoder {
	return &jsonlDecoder{
		core:  c,
		top:   buildJSONTable(c.m.entries, nil),
		elemT: buildJSONTable(c.m.entries, elemFields),
	}
}

// Decode implements Decoder.
func (d *jsonlDecoder) Decode(c *Chunk, sink Sink, reject RejectFunc) (good, bad int64, err error) {
	data := c.Data
	if c.FirstLine <= 1 {
		data = bytes.TrimPrefix(data, utf8BOM)
	}
	src := sourceName(c)
	lineNo := c.FirstLine
	for len(data) > 0 {
		var ln []byte
		if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
			ln, data = data[:nl], data[nl+1:]
		} else {
			ln, data = data, nil
		}
		if n := len(ln); n > 0 && ln[n-1] == '\r' {
			ln = ln[:n-1]
		}
		lineNo++
		if isBlank(ln) {
			continue
		}
		if d.decodeLine(ln, src, lineNo-1) {
			good++
			sink.Record(&d.rec)
			continue
		}
		bad++
		r := Reject{Source: src, Line: lineNo - 1, Reason: d.reason, Detail: d.detail, Raw: ln}
		if err := reject(r); err != nil {
			return good, bad, err
		}
	}
	return good, bad, nil
}

// isBlank reports whether b holds only white space.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\v' && c != '\f' {
			return false
		}
	}
	return true
}

// decodeLine reads one non-blank line into d.rec, or sets d.reason.
func (d *jsonlDecoder) decodeLine(ln []byte, src string, line int64) bool {
	d.begin(src, line)
	d.scratch = d.scratch[:0]
	if !utf8.Valid(ln) {
		return d.fail(reasonUTF8, "")
	}
	i := skipWS(ln, 0)
	if ln[i] != '{' {
		end, ok := d.skipValue(ln, i)
		if ok {
			if end = skipWS(ln, end); end == len(ln) {
				return d.fail(reasonNotObject, "")
			}
			d.synPos = end
		}
		return d.syntaxFail(ln)
	}
	d.root.set = 0
	end, ok := d.object(ln, i, d.top, &d.root, nil, true)
	if !ok {
		return d.syntaxFail(ln)
	}
	if end = skipWS(ln, end); end != len(ln) {
		d.synPos = end
		return d.syntaxFail(ln)
	}
	return d.finish(&d.root)
}

// syntaxFail rejects the line as invalid JSON; a syntax error outranks
// any problem already found in the values.
func (d *jsonlDecoder) syntaxFail(ln []byte) bool {
	d.reason = reasonJSON
	if d.synPos >= len(ln) {
		d.detail = "unexpected end of line"
	} else {
		d.detail = fmt.Sprintf("unexpected %q at column %d", ln[d.synPos], d.synPos+1)
	}
	return false
}

// syntax notes a syntax error at i and returns (i, false).
func (d *jsonlDecoder) syntax(i int) (int, bool) {
	d.synPos = i
	return i, false
}

// memberKey reads `"key":` at b[i] and returns the (unescaped) key and
// the index of the member's value.
func (d *jsonlDecoder) memberKey(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		i, _ = d.syntax(i)
		return nil, i, false
	}
	ke, esc, ok := scanString(b, i+1)
	if !ok {
		ke, _ = d.syntax(ke)
		return nil, ke, false
	}
	key := b[i+1 : ke]
	if esc {
		start := len(d.scratch)
		d.scratch = appendUnescaped(d.scratch, key)
		key = d.scratch[start:]
	}
	i = skipWS(b, ke+1)
	if i >= len(b) || b[i] != ':' {
		i, _ = d.syntax(i)
		return nil, i, false
	}
	return key, skipWS(b, i+1), true
}

// startOfObject is member's prev before an object's first member.
const startOfObject int32 = -2

// member reads `"key":` at b[i] like memberKey, and returns the key's slot
// in tab (noSlot when tab does not hold it). prev is the slot of the
// member before (startOfObject for the first): the key that followed it
// last time is tried first, with one comparison instead of a scan and a
// lookup; tab learns the order when the guess is wrong. tab may be nil.
func (d *jsonlDecoder) member(b []byte, i int, tab *keyTable, prev int32) (key []byte, slot int32, next int, ok bool) {
	if tab == nil {
		key, next, ok = d.memberKey(b, i)
		return key, noSlot, next, ok
	}
	guess := tab.first
	switch {
	case prev >= 0:
		guess = tab.slots[prev].next
	case prev == noSlot: // after an unknown key: no guess, nothing to learn
		guess = noSlot
	}
	if guess != noSlot {
		if s := &tab.slots[guess]; s.spelledAt(b, i) {
			n := len(s.quoted)
			return b[i+1 : i+n-2], guess, skipWS(b, i+n), true
		}
	}
	if key, next, ok = d.memberKey(b, i); !ok {
		return nil, noSlot, next, false
	}
	slot = tab.lookup(key)
	switch {
	case prev >= 0:
		tab.slots[prev].next = slot
	case prev == startOfObject:
		tab.first = slot
	}
	return key, slot, next, true
}

// object reads the object at b[i] ('{') into sl through the key table tab.
// prefix is the dotted name of the object for unknown members kept as
// properties; keep says whether they are kept at all (not in users[]).
func (d *jsonlDecoder) object(b []byte, i int, tab *keyTable, sl *slots, prefix []byte, keep bool) (int, bool) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	prev := startOfObject
	for {
		key, slot, next, ok := d.member(b, i, tab, prev)
		if !ok {
			return next, false
		}
		i, prev = next, slot
		if i, ok = d.value(b, i, tab.node(slot), sl, prefix, key, keep); !ok {
			return i, false
		}
		var more bool
		if i, more, ok = d.separator(b, i, '}'); !ok || !more {
			return i, ok
		}
	}
}

// value reads the value at b[i] of the member key, whose node (nil when
// the key is unknown) says where it goes.
func (d *jsonlDecoder) value(b []byte, i int, n *jsonNode, sl *slots, prefix, key []byte, keep bool) (int, bool) {
	var (
		end  int
		kind valKind
		raw  []byte
		esc  bool
		ok   bool
	)
	if i >= len(b) {
		return d.syntax(i)
	}
	switch c := b[i]; {
	case c == '"':
		if end, esc, ok = scanString(b, i+1); !ok {
			return d.syntax(end)
		}
		raw, kind = b[i+1:end], vString
		end++
		if isBlank(raw) {
			return end, true // empty means absent
		}
	case c == '{':
		if n != nil && n.props {
			return d.props(b, i, n.kids, sl)
		}
		if n != nil && n.kids != nil {
			return d.object(b, i, n.kids, sl, d.joinKey(prefix, key, keep), keep)
		}
		if end, ok = d.skipValue(b, i); !ok {
			return end, false
		}
		raw, kind = b[i:end], vObject
	case c == '[':
		if n != nil && n.users {
			return d.users(b, i)
		}
		if end, ok = d.skipValue(b, i); !ok {
			return end, false
		}
		raw, kind = b[i:end], vArray
	case c == 't':
		if !bytes.HasPrefix(b[i:], []byte("true")) {
			return d.syntax(i)
		}
		end, kind = i+4, vTrue
		raw = b[i:end]
	case c == 'f':
		if !bytes.HasPrefix(b[i:], []byte("false")) {
			return d.syntax(i)
		}
		end, kind = i+5, vFalse
		raw = b[i:end]
	case c == 'n':
		if !bytes.HasPrefix(b[i:], []byte("null")) {
			return d.syntax(i)
		}
		return i + 4, true // null means absent
	default:
		if end, ok = scanNumber(b, i); !ok {
			return d.syntax(end)
		}
		raw, kind = b[i:end], vNumber
	}

	if n == nil || (len(n.targets) == 0 && !n.props && !n.users) {
		if keep && d.keepProps {
			d.addProp(d.joinKey(prefix, key, true), d.propText(raw, kind, esc))
		}
		return end, true
	}
	for _, t := range n.targets {
		sl.put(t, raw, kind, esc)
	}
	if n.props && len(n.targets) == 0 {
		d.fail(reasonWrongType, fieldNames[fProps])
	}
	if n.users && len(n.targets) == 0 {
		d.fail(reasonInvalidUsers, "users is not an array")
	}
	return end, true
}

// joinKey returns the dotted property name prefix.key (key alone at the
// top level), built in scratch only when properties are kept.
func (d *jsonlDecoder) joinKey(prefix, key []byte, keep bool) []byte {
	if prefix == nil || !keep || !d.keepProps {
		return key
	}
	start := len(d.scratch)
	d.scratch = append(d.scratch, prefix...)
	d.scratch = append(d.scratch, '.')
	d.scratch = append(d.scratch, key...)
	return d.scratch[start:]
}

// propText is a property's value: decoded, trimmed text for strings, and
// the literal JSON text of anything else.
func (d *jsonlDecoder) propText(raw []byte, kind valKind, esc bool) []byte {
	if kind != vString {
		return raw
	}
	s := slot{raw: raw, kind: kind, esc: esc}
	return d.text(&s)
}

// props reads the props object at b[i]: its members become properties
// when they are kept, and it is only validated otherwise. Members on a
// mapped path (kids, e.g. username=props.login) feed their fields into sl.
func (d *jsonlDecoder) props(b []byte, i int, kids *keyTable, sl *slots) (int, bool) {
	if !d.keepProps && kids == nil {
		return d.skipValue(b, i)
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	prev := startOfObject
	for {
		key, slot, next, ok := d.member(b, i, kids, prev)
		if !ok {
			return next, false
		}
		i, prev = next, slot
		// An unknown member at top level is exactly a kept property.
		if i, ok = d.value(b, i, kids.node(slot), sl, nil, key, true); !ok {
			return i, false
		}
		var more bool
		if i, more, ok = d.separator(b, i, '}'); !ok || !more {
			return i, ok
		}
	}
}

// separator reads what follows a member or element at b[i]: a comma
// (more follows, i is at the next one) or the closing byte (more is false,
// i is past it).
func (d *jsonlDecoder) separator(b []byte, i int, closing byte) (next int, more, ok bool) {
	i = skipWS(b, i)
	switch {
	case i < len(b) && b[i] == ',':
		return skipWS(b, i+1), true, true
	case i < len(b) && b[i] == closing:
		return i + 1, false, true
	}
	i, _ = d.syntax(i)
	return i, false, false
}

// users reads the users array at b[i] into d.rec.Users.
func (d *jsonlDecoder) users(b []byte, i int) (int, bool) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for index := 0; ; index++ {
		if i >= len(b) {
			return d.syntax(i)
		}
		var ok bool
		if b[i] == '{' {
			d.elem.set = 0
			if i, ok = d.object(b, i, d.elemT, &d.elem, nil, false); !ok {
				return i, false
			}
			d.finishElem(&d.elem, index)
		} else {
			if i, ok = d.skipValue(b, i); !ok {
				return i, false
			}
			d.fail(reasonInvalidUsers, fmt.Sprintf("users[%d]: not an object", index))
		}
		var more bool
		if i, more, ok = d.separator(b, i, ']'); !ok || !more {
			return i, ok
		}
	}
}

// skipValue validates the JSON value at b[i] and returns the index after it,
// without recursion: open containers are kept on d.stack.
func (d *jsonlDecoder) skipValue(b []byte, i int) (int, bool) {
	st := d.stack[:0]
	defer func() { d.stack = st[:0] }()
	for {
		// A value starts at i.
		i = skipWS(b, i)
		if i >= len(b) {
			return d.syntax(i)
		}
		switch c := b[i]; c {
		case '{', '[':
			close := byte('}')
			if c == '[' {
				close = ']'
			}
			i = skipWS(b, i+1)
			if i < len(b) && b[i] == close {
				i++
				break
			}
			if len(st) >= maxJSONDepth {
				return d.syntax(i)
			}
			st = append(st, close)
			if c == '{' {
				var ok bool
				if i, ok = d.memberName(b, i); !ok {
					return i, false
				}
			}
			continue
		case '"':
			end, _, ok := scanString(b, i+1)
			if !ok {
				return d.syntax(end)
			}
			i = end + 1
		case 't':
			if !bytes.HasPrefix(b[i:], []byte("true")) {
				return d.syntax(i)
			}
			i += 4
		case 'f':
			if !bytes.HasPrefix(b[i:], []byte("false")) {
				return d.syntax(i)
			}
			i += 5
		case 'n':
			if !bytes.HasPrefix(b[i:], []byte("null")) {
				return d.syntax(i)
			}
			i += 4
		default:
			end, ok := scanNumber(b, i)
			if !ok {
				return d.syntax(end)
			}
			i = end
		}
		// A value ended at i: close containers until one continues.
		for {
			if len(st) == 0 {
				return i, true
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return d.syntax(i)
			}
			top := st[len(st)-1]
			if b[i] == top {
				st = st[:len(st)-1]
				i++
				continue
			}
			if b[i] != ',' {
				return d.syntax(i)
			}
			i = skipWS(b, i+1)
			if top == '}' {
				var ok bool
				if i, ok = d.memberName(b, i); !ok {
					return i, false
				}
			}
			break
		}
	}
}

// memberName reads `"name" :` at b[i] and returns the index after the colon.
func (d *jsonlDecoder) memberName(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return d.syntax(i)
	}
	end, _, ok := scanString(b, i+1)
	if !ok {
		return d.syntax(end)
	}
	i = skipWS(b, end+1)
	if i >= len(b) || b[i] != ':' {
		return d.syntax(i)
	}
	return i + 1, true
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// strPlain marks the bytes that may appear in a JSON string as they are.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString finds the closing quote of the string whose body starts at
// b[i]. esc reports backslash escapes; ok is false on a malformed string,
// and end is then where it went wrong.
func scanString(b []byte, i int) (end int, esc, ok bool) {
	for {
		// Skip plain bytes eight at a time, to the first special one;
		// most strings have no escapes.
		for i+8 <= len(b) {
			if m := specialMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		for i < len(b) && strPlain[b[i]] {
			i++
		}
		if i >= len(b) {
			return i, esc, false
		}
		switch b[i] {
		case '"':
			return i, esc, true
		case '\\':
			esc = true
			if i+1 >= len(b) {
				return i + 1, esc, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex4(b[i+2:i+6]) {
					return i + 1, esc, false
				}
				i += 6
			default:
				return i + 1, esc, false
			}
		default: // a control character
			return i, esc, false
		}
	}
}

// specialMask flags the high bit of each byte of x (little-endian) that
// may be a quote, a backslash or a control character, with the usual SWAR
// zero-byte test: (v - 0x01..) & ^v & 0x80.. is non-zero iff some byte of
// v is zero (or, for the control test, below 0x20). Only bytes above a
// true match can be flagged falsely, so the lowest flag is the first
// special byte, and none means there is none.
func specialMask(x uint64) uint64 {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	q := x ^ (ones * '"')
	bs := x ^ (ones * '\\')
	return ((q-ones)&^q | (bs-ones)&^bs | (x-ones*0x20)&^x) & highs
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if hexVal(c) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// scanNumber reads a JSON number at b[i]; end is where it stops (or where
// it went wrong when ok is false).
func scanNumber(b []byte, i int) (end int, ok bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == start {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == start {
			return i, false
		}
	}
	return i, true
}

// appendUnescaped appends the decoded form of a JSON string body to dst.
// Lone surrogates become U+FFFD, as in encoding/json; a malformed escape
// (which scanString has already refused) is copied as it is.
func appendUnescaped(dst, s []byte) []byte {
	for len(s) > 0 {
		bs := bytes.IndexByte(s, '\\')
		if bs < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:bs]...)
		s = s[bs:]
		if len(s) < 2 {
			return append(dst, s...)
		}
		switch c := s[1]; c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, n := decodeU(s)
			if n == 0 {
				dst = append(dst, s[:2]...)
				s = s[2:]
				continue
			}
			dst = utf8.AppendRune(dst, r)
			s = s[n:]
			continue
		default:
			dst = append(dst, s[:2]...)
		}
		s = s[2:]
	}
	return dst
}

// decodeU decodes \uXXXX at s (joining a surrogate pair) and returns the
// rune and the bytes used, 0 if s does not start with a valid escape.
func decodeU(s []byte) (rune, int) {
	if len(s) < 6 || !isHex4(s[2:6]) {
		return 0, 0
	}
	r := hexVal(s[2])<<12 | hexVal(s[3])<<8 | hexVal(s[4])<<4 | hexVal(s[5])
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' && isHex4(s[8:12]) {
		r2 := hexVal(s[8])<<12 | hexVal(s[9])<<8 | hexVal(s[10])<<4 | hexVal(s[11])
		if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
			return dec, 12
		}
	}
	return utf8.RuneError, 6
}
