package identity

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
)

// profileIDs gives every identity its user_id when all its observations
// that carry one agree and no other identity claims the same id, else a
// stable id derived from its smallest class key.
func (b *builder) profileIDs(ws []*worker) {
	r := b.r
	claim := make([]int32, len(r.userIDs.vals))
	for i := range claim {
		claim[i] = none
	}
	for id, u := range b.userID {
		if u == none {
			continue
		}
		switch cur := claim[u]; {
		case cur == none:
			claim[u] = int32(id)
		case cur != int32(id):
			claim[u] = many
		}
	}
	// Derived ids share one string so that they cost one allocation.
	const width = len("u-") + 16
	var derived []int32
	for id, u := range b.userID {
		if u != none && claim[u] == int32(id) {
			b.profile[id] = r.userIDs.vals[u]
		} else {
			derived = append(derived, int32(id))
		}
	}
	buf := make([]byte, len(derived)*width)
	parallel(ws, len(derived), func(_ *worker, lo, hi int) {
		var seed []byte
		for i := lo; i < hi; i++ {
			seed = classKey(seed[:0], r.ids[derived[i]])
			sum := sha256.Sum256(seed)
			dst := append(buf[i*width:i*width], "u-"...)
			hex.AppendEncode(dst, sum[:8])
		}
	})
	all := string(buf)
	for i, id := range derived {
		b.profile[id] = all[i*width : (i+1)*width]
	}
}

// classKey is the identity's smallest class key, qualified by its class
// since the classes' key spaces overlap (display name "dave", username
// "dave").
func classKey(dst []byte, m identMeta) []byte {
	dst = append(dst, '0'+byte(m.class), ':')
	return append(dst, m.key...)
}

// sortKey holds the start of an identity's normalised email, username and
// display name so that almost every comparison of the sort is done on
// integers in one array; the rest fall back to compareIdentities.
type sortKey struct {
	prefix [3][2]uint64 // first 16 bytes, big-endian, zero-padded; empty is all ones
	length [3]int32     // capped at prefixLen+1; -1 when empty
	id     int32
}

const prefixLen = 16

func makeSortKey(id int32, norm [3]string) sortKey {
	k := sortKey{id: id}
	for f, v := range norm {
		if v == "" {
			k.prefix[f] = [2]uint64{^uint64(0), ^uint64(0)}
			k.length[f] = -1
			continue
		}
		var p [prefixLen]byte
		copy(p[:], v)
		k.prefix[f] = [2]uint64{binary.BigEndian.Uint64(p[:8]), binary.BigEndian.Uint64(p[8:])}
		k.length[f] = int32(min(len(v), prefixLen+1))
	}
	return k
}

// order returns the identity ids sorted by email, then username, then
// display name: case-insensitively (their normalised values, empty last),
// then exactly, then by profile id and class key, so the order is total.
// Each worker sorts a part, and the parts are merged: the order being
// total, the result is the one sort's.
func (b *builder) order(ws []*worker) []int32 {
	keys := make([]sortKey, len(b.primary))
	parallel(ws, len(keys), func(_ *worker, lo, hi int) {
		for id := lo; id < hi; id++ {
			keys[id] = makeSortKey(int32(id), b.normalised(int32(id)))
		}
	})
	parts := make([][]sortKey, len(ws))
	inRanges(len(ws), len(keys), func(p, lo, hi int) {
		parts[p] = keys[lo:hi]
		slices.SortFunc(parts[p], b.compareKeys)
	})
	ids := make([]int32, 0, len(keys))
	for {
		best := -1
		for i, p := range parts {
			if len(p) > 0 && (best < 0 || b.compareKeys(p[0], parts[best][0]) < 0) {
				best = i
			}
		}
		if best < 0 {
			return ids
		}
		ids = append(ids, parts[best][0].id)
		parts[best] = parts[best][1:]
	}
}

// compareKeys is compareIdentities, on the sort keys' prefixes first.
func (b *builder) compareKeys(x, y sortKey) int {
	for f := range 3 {
		if c := cmp.Compare(x.prefix[f][0], y.prefix[f][0]); c != 0 {
			return c
		}
		if c := cmp.Compare(x.prefix[f][1], y.prefix[f][1]); c != 0 {
			return c
		}
		switch lx, ly := x.length[f], y.length[f]; {
		case lx == ly && lx <= prefixLen:
			// Both empty, or equal complete values.
		case lx < 0 || ly < 0 || lx > prefixLen || ly > prefixLen:
			return b.compareIdentities(x.id, y.id) // the prefix is not all
		default:
			// Equal prefixes of complete values: the shorter one is a
			// prefix of the other (zero padding), so it is smaller.
			return cmp.Compare(lx, ly)
		}
	}
	return b.compareIdentities(x.id, y.id)
}

// normalised is identity id's primary email, username and display name in
// their normalised form.
func (b *builder) normalised(id int32) [3]string {
	var out [3]string
	for f := range fieldDisplayName + 1 {
		if v := b.primary[id][f]; v != none {
			out[f] = b.r.table(f).vals[v]
		}
	}
	return out
}

// compareIdentities is the full order of identities x and y.
func (b *builder) compareIdentities(x, y int32) int {
	nx, ny := b.normalised(x), b.normalised(y)
	for f := range 3 {
		if c := compareEmptyLast(nx[f], ny[f]); c != 0 {
			return c
		}
	}
	for f := range fieldDisplayName + 1 {
		if c := strings.Compare(b.shownValue(x, f), b.shownValue(y, f)); c != 0 {
			return c
		}
	}
	mx, my := b.r.ids[x], b.r.ids[y]
	return cmp.Or(
		strings.Compare(b.profile[x], b.profile[y]),
		cmp.Compare(mx.class, my.class),
		strings.Compare(mx.key, my.key),
	)
}

func (b *builder) shownValue(id int32, f field) string {
	if b.primary[id][f] == none {
		return ""
	}
	return b.r.spelling(f, b.shownObs[id][f])
}

// compareEmptyLast orders strings with the empty one after all others, so
// rows without an email follow the ones with.
func compareEmptyLast(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return strings.Compare(a, b)
}
