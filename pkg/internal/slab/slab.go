// Package slab hands out many short slices (Slab) and strings (Strings)
// from a few large arrays: a report's hundreds of thousands of rows each
// need a few aliases or systems, a store a million keys, and one
// allocation each would be as many objects for the garbage collector to
// track.
package slab

import "unsafe"

// MinBlock is the fewest elements a new array holds.
const MinBlock = 4096

// Slab hands out slices of its current array, and starts another when
// that one is full. Handed-out slices stay valid: an array is never
// reused, only left to the collector once nothing refers to it.
type Slab[T any] struct{ buf []T }

// Take returns n zero values with no spare capacity (appending to them
// copies), or nil for n == 0.
func (s *Slab[T]) Take(n int) []T {
	if n == 0 {
		return nil
	}
	if len(s.buf)+n > cap(s.buf) {
		s.buf = make([]T, 0, max(n, MinBlock))
	}
	start := len(s.buf)
	s.buf = s.buf[:start+n]
	return s.buf[start : start+n : start+n]
}

// stringsBlock is the size of a Strings block.
const stringsBlock = 256 << 10

// Strings copies byte slices into shared blocks and hands them back as
// strings: one allocation per block rather than per string, for a store's
// million keys. A string longer than a quarter block gets its own.
type Strings struct{ block []byte }

// Clone returns a string holding a copy of b.
func (s *Strings) Clone(b []byte) string {
	if len(b) > stringsBlock/4 {
		return string(b)
	}
	if len(s.block)+len(b) > cap(s.block) {
		s.block = make([]byte, 0, stringsBlock)
	}
	start := len(s.block)
	s.block = append(s.block, b...)
	// The block's bytes up to len are never written again.
	return unsafe.String(unsafe.SliceData(s.block[start:]), len(b))
}
