package permute

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Apply gives what a copy in order gives and Undo takes it back, for
// permutations of every shape (fixed points, long cycles, the identity).
func TestApplyAndUndo(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		order := make([]int32, n)
		for i := range order {
			order[i] = int32(i)
		}
		if n%5 != 0 {
			rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		orig := make([]string, n)
		for i := range orig {
			orig[i] = string(rune('a'+rng.IntN(26))) + string(rune('a'+i%26))
		}
		want := make([]string, n)
		for i, o := range order {
			want[i] = orig[o]
		}
		xs := slices.Clone(orig)
		Apply(xs, order)
		if !slices.Equal(xs, want) {
			t.Fatalf("n=%d order %v: Apply gave %q, want %q", n, order, xs, want)
		}
		Undo(xs, order)
		if !slices.Equal(xs, orig) {
			t.Fatalf("n=%d order %v: Undo gave %q, want %q", n, order, xs, orig)
		}
	}
}
