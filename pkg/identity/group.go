package identity

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// GroupOrder is an order of the observations of keys (AppendKey's) in
// which those likely to be one user's lie side by side: order[i] is the
// index in keys of the i-th. Results do not depend on the order
// observations are given in, but speed does: a hash table's order, the
// stores', scatters a user's observations over the whole input, and every
// pass over an identity's observations, or over those sharing a value,
// then misses the cache on each (docs/performance.md has the figures).
func GroupOrder(keys []string) []int32 { return groupOrder(keySource(keys)) }

// GroupPlaces is GroupOrder's order of the keys of parts, taken one after
// the other, given as where each goes: the j-th key of parts[p] is at
// place places[o+j] of the order, o being the number of keys in the parts
// before p. A store that holds its keys in parts (shards) lays keys and
// state out in the order as it copies them out, with no permutation
// applied, nor inverted, afterwards.
func GroupPlaces(parts [][]string) []int32 {
	off := make([]int, len(parts)+1)
	for p, keys := range parts {
		off[p+1] = off[p] + len(keys)
	}
	n := off[len(parts)]
	shift := bucketShift(n)
	bucket := make([]int32, n)
	var next atomic.Int32
	var wg sync.WaitGroup
	for range min(workers(n), len(parts)) {
		wg.Go(func() {
			var v [numKeyFields]string
			for p := int(next.Add(1) - 1); p < len(parts); p = int(next.Add(1) - 1) {
				src, dst := keySource(parts[p]), bucket[off[p]:off[p+1]]
				for j := range dst {
					src.values(j, &v)
					dst[j] = int32(groupHash(&v) >> shift)
				}
			}
		})
	}
	wg.Wait()
	placeByBucket(bucket, shift)
	return bucket
}

// groupOrder is GroupOrder over any source. Observations are grouped by a
// hash of their email's local part, else their username, else their
// display name, since those are what class 1 to 4 join on; the order
// within a group is the caller's, so the permutation is deterministic.
func groupOrder(src source) []int32 {
	n := src.len()
	shift := bucketShift(n)
	places := make([]int32, n)
	inRanges(workers(n), n, func(_, lo, hi int) {
		var v [numKeyFields]string
		for i := lo; i < hi; i++ {
			src.values(i, &v)
			places[i] = int32(groupHash(&v) >> shift)
		}
	})
	placeByBucket(places, shift)
	order := make([]int32, n)
	for i, p := range places {
		order[p] = int32(i)
	}
	return order
}

// placeByBucket turns each observation's bucket, in place, into its place
// in a counting sort by bucket, which keeps the given order within one.
func placeByBucket(bucket []int32, shift int) {
	start := make([]int32, 1<<(64-shift)+1)
	for _, b := range bucket {
		start[b+1]++
	}
	for b := 1; b < len(start); b++ {
		start[b] += start[b-1]
	}
	for i, b := range bucket {
		bucket[i] = start[b]
		start[b]++
	}
}

// bucketShift makes a group hash a bucket of the counting sort: about one
// bucket per observation, and never more than an int32 counts.
func bucketShift(n int) int { return 64 - min(31, max(1, bits.Len(uint(n))-1)) }

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
