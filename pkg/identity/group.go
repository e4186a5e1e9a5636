package identity

import (
	"math/bits"
)

// GroupOrder is an order of the observations of keys (AppendKey's) in
// which those likely to be one user's lie side by side: order[i] is the
// index in keys of the i-th. Results do not depend on the order
// observations are given in, but speed does: a hash table's order, the
// stores', scatters a user's observations over the whole input, and every
// pass over an identity's observations, or over those sharing a value,
// then misses the cache on each (docs/performance.md has the figures). A
// caller lays its keys and windows out in this order where it builds
// them, which costs no copy.
func GroupOrder(keys []string) []int32 { return groupOrder(keySource(keys)) }

// groupOrder is GroupOrder over any source. Observations are grouped by a
// hash of their email's local part, else their username, else their
// display name, since those are what class 1 to 4 join on; the order
// within a group is the caller's, so the permutation is deterministic.
func groupOrder(src source) []int32 {
	n := src.len()
	shift := bucketShift(n)
	bucket := make([]uint32, n)
	inRanges(workers(n), n, func(_, lo, hi int) {
		var v [numKeyFields]string
		for i := lo; i < hi; i++ {
			src.values(i, &v)
			bucket[i] = uint32(groupHash(&v) >> shift)
		}
	})
	// A counting sort by bucket.
	start := make([]int32, 1<<(64-shift)+1)
	for _, b := range bucket {
		start[b+1]++
	}
	for b := 1; b < len(start); b++ {
		start[b] += start[b-1]
	}
	perm := make([]int32, n)
	for i, b := range bucket {
		perm[start[b]] = int32(i)
		start[b]++
	}
	return perm
}

// bucketShift makes a group hash a bucket of the counting sort: about one
// bucket per observation.
func bucketShift(n int) int { return 64 - max(1, bits.Len(uint(n))-1) }

// groupHash hashes what observation v would most likely be joined on,
// ASCII letters folded and spaces dropped, as the keys are normalised. A
// hash (FNV-1a) so that the order is the same from run to run.
func groupHash(v *[numKeyFields]string) uint64 {
	s := v[kfEmail]
	switch {
	case s != "":
		s = localPart(s)
	case v[kfUsername] != "":
		s = v[kfUsername]
	default:
		s = v[kfDisplayName]
	}
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' {
			continue
		}
		h ^= uint64(lowerASCII(c))
		h *= 1099511628211
	}
	return h
}
