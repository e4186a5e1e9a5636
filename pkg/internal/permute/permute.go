// Package permute reorders slices in place by a permutation, so that
// laying out millions of entries in another order costs a bit per entry
// rather than a second copy of them.
package permute

// Apply puts xs in order: afterwards xs[i] is what xs[order[i]] was.
// order must be a permutation of xs's indices.
func Apply[T any](xs []T, order []int32) {
	done := make([]uint64, (len(xs)+63)/64)
	for start := range xs {
		if done[start/64]&(1<<(start%64)) != 0 {
			continue
		}
		first := xs[start]
		i := start
		for {
			done[i/64] |= 1 << (i % 64)
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
	done := make([]uint64, (len(xs)+63)/64)
	for start := range xs {
		if done[start/64]&(1<<(start%64)) != 0 {
			continue
		}
		carried := xs[start]
		done[start/64] |= 1 << (start % 64)
		for i := int(order[start]); i != start; i = int(order[i]) {
			done[i/64] |= 1 << (i % 64)
			xs[i], carried = carried, xs[i]
		}
		xs[start] = carried
	}
}
