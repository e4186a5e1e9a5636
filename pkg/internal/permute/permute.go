// Package permute reorders slices in place by a permutation, so that
// laying out millions of entries in another order costs a bit per entry
// rather than a second copy of them.
package permute

// Apply puts xs in order: afterwards xs[i] is what xs[order[i]] was.
// order must be a permutation of xs's indices.
func Apply[T any](xs []T, order []int32) {
	done := newMarks(len(xs))
	for start := range xs {
		if done.has(start) {
			continue
		}
		first := xs[start]
		i := start
		for {
			done.set(i)
			from := int(order[i])
			if from == start {
				xs[i] = first
				break
			}
			xs[i] = xs[from]
			i = from
		}
	}
}

// Undo takes xs, put in order by Apply, back to where it was: afterwards
// xs[order[i]] is what xs[i] was.
func Undo[T any](xs []T, order []int32) {
	done := newMarks(len(xs))
	for start := range xs {
		if done.has(start) {
			continue
		}
		carried := xs[start]
		done.set(start)
		for i := int(order[start]); i != start; i = int(order[i]) {
			done.set(i)
			xs[i], carried = carried, xs[i]
		}
		xs[start] = carried
	}
}

// marks is a bit per index: the places a cycle has been through.
type marks []uint64

func newMarks(n int) marks     { return make(marks, (n+63)/64) }
func (m marks) has(i int) bool { return m[i/64]&(1<<(i%64)) != 0 }
func (m marks) set(i int)      { m[i/64] |= 1 << (i % 64) }
