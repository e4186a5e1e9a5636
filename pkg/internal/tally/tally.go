// Package tally holds the two small helpers the report accumulators
// (access, userusage, analytics) share while they count records: giving
// names dense ids, and adding counts without wrapping around. It exists so
// that they count the same way from one copy.
package tally

import (
	"math"
	"strings"
)

// Intern returns name's id in index, adding it as the next id (the index
// of *names) when it is new. A new name is copied, so name may borrow a
// scratch buffer.
func Intern(index map[string]uint32, names *[]string, name string) uint32 {
	if id, ok := index[name]; ok {
		return id
	}
	name = strings.Clone(name)
	id := uint32(len(*names))
	index[name] = id
	*names = append(*names, name)
	return id
}

// AddSat adds two non-negative counts, stopping at the largest int64: a
// crafted count must not turn a sum negative.
func AddSat(x, y int64) int64 {
	if s := x + y; s >= x {
		return s
	}
	return math.MaxInt64
}
