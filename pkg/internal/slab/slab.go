// Package slab hands out many short slices from a few large arrays: a
// report's hundreds of thousands of rows each need a few aliases or
// systems, and one allocation per row would be as many objects for the
// garbage collector to track.
package slab

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
