package identity

import (
	"hash/maphash"
	"strings"
)

// none marks an absent key or an unassigned identity.
const none int32 = -1

// table interns normalised values so that the resolver works on small
// integer ids instead of hashing strings again at every step. It is an
// open-addressing hash set over vals: one probe sequence both finds and
// inserts, and its slots hold no pointers for the garbage collector. A
// value's slot is picked by its hash's high half, which the slot keeps, so
// growing moves slots without hashing any value again.
type table struct {
	vals  []string // normalised value by id
	slots []uint64 // 0 when empty, else the hash's high half << 32 | id+1
	seed  maphash.Seed
}

func newTable(hint int) *table {
	n := 16
	for n < 2*hint {
		n *= 2
	}
	return &table{vals: make([]string, 0, hint), slots: make([]uint64, n), seed: maphash.MakeSeed()}
}

// find returns the id of the value v hashing to h, or none and the empty
// slot where it belongs.
func (t *table) find(h uint64, eq func(string) bool) (int32, int) {
	if t.slots == nil {
		panic("identity: lookup in a sealed table")
	}
	mask := uint64(len(t.slots) - 1)
	tag := h >> 32
	for i := tag & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return none, int(i)
		}
		if s>>32 == tag {
			if id := int32(s&0xffffffff) - 1; eq(t.vals[id]) {
				return id, int(i)
			}
		}
	}
}

// add stores v, absent, at slot i found for hash h and returns its id.
func (t *table) add(h uint64, i int, v string) int32 {
	id := int32(len(t.vals))
	t.vals = append(t.vals, v)
	t.slots[i] = h>>32<<32 | uint64(id+1)
	if 2*len(t.vals) > len(t.slots) { // keep probe sequences short
		t.grow()
	}
	return id
}

// seal gives back the slots of a table no value will be added to or
// looked up in again; its values stay. Tens of megabytes on a large
// input are slots that only interning needs.
func (t *table) seal() { t.slots = nil }

func (t *table) grow() {
	old := t.slots
	t.slots = make([]uint64, 2*len(old))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		i := s >> 32 & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// intern returns the id of s, which must not alias a reused buffer.
func (t *table) intern(s string) int32 {
	h := maphash.String(t.seed, s)
	id, i := t.find(h, func(v string) bool { return v == s })
	if id == none {
		id = t.add(h, i, s)
	}
	return id
}

// internBytes is intern for a scratch buffer: only a new value is copied.
func (t *table) internBytes(b []byte) int32 {
	h := maphash.Bytes(t.seed, b)
	id, i := t.find(h, func(v string) bool { return v == string(b) })
	if id == none {
		id = t.add(h, i, string(b))
	}
	return id
}

// internExact interns s trimmed; empty is absent.
func (t *table) internExact(s string) int32 {
	s = strings.TrimSpace(s)
	if s == "" {
		return none
	}
	return t.intern(s)
}

// internLower interns s trimmed and lower-cased; empty is absent.
func (t *table) internLower(s string, buf *[]byte) int32 {
	s = strings.TrimSpace(s)
	if s == "" {
		return none
	}
	ascii, upper := true, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	switch {
	case ascii && !upper:
		return t.intern(s)
	case ascii:
		b := (*buf)[:0]
		for i := 0; i < len(s); i++ {
			b = append(b, lowerASCII(s[i]))
		}
		*buf = b
		return t.internBytes(b)
	}
	return t.intern(strings.ToLower(s))
}

// internFolded interns s lower-cased with whitespace runs collapsed to one
// space (how display names and person names compare); empty is absent.
func (t *table) internFolded(s string, buf *[]byte) int32 {
	s = strings.TrimSpace(s)
	if s == "" {
		return none
	}
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			// Unicode case and spaces: rare, so the allocating path is fine.
			return t.internNonEmpty(strings.Join(strings.Fields(strings.ToLower(s)), " "))
		case 'A' <= c && c <= 'Z':
			clean = false
		case isSpaceASCII(c):
			clean = c == ' ' && !isSpaceASCII(s[i+1]) // trimmed, so s[i+1] exists
		}
	}
	if clean {
		return t.intern(s)
	}
	b := (*buf)[:0]
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return t.internNonEmpty(strings.Join(strings.Fields(strings.ToLower(s)), " "))
		}
		if isSpaceASCII(c) {
			space = true
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, lowerASCII(c))
	}
	*buf = b
	return t.internBytes(b)
}

func (t *table) internNonEmpty(s string) int32 {
	if s == "" {
		return none
	}
	return t.intern(s)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// isSpaceASCII matches unicode.IsSpace on ASCII bytes.
func isSpaceASCII(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// localPart is lp(e): the part of email e before its '@' (the whole value
// when it has none, which a normalised email never lacks).
func localPart(e string) string {
	if i := strings.IndexByte(e, '@'); i >= 0 {
		return e[:i]
	}
	return e
}

// unionFind is a disjoint-set forest over dense ids with path halving and
// union by size.
type unionFind struct {
	parent []int32
	size   []int32
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(a, b int32) {
	a, b = u.find(a), u.find(b)
	if a == b {
		return
	}
	if u.size[a] < u.size[b] {
		a, b = b, a
	}
	u.parent[b] = a
	u.size[a] += u.size[b]
}
