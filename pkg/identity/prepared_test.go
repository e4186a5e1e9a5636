package identity

import (
	"math/rand/v2"
	"testing"
)

// TestPreparedMatchesResolve: resolving a subset of prepared observations,
// after changing their counts, times and interactions, gives what Resolve
// gives for just that subset; and resolving again after another subset
// leaves nothing behind.
func TestPreparedMatchesResolve(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 300 {
		obs := randomObservations(rng, 1+rng.IntN(40))
		p := Prepare(obs, genOptions)
		for pass := range 3 {
			present := make([]bool, len(obs))
			var subset []Observation
			for i := range obs {
				// A window keeps an observation with fewer records seen
				// later, and fewer interactions.
				obs[i].Count = int64(rng.IntN(4))
				obs[i].First += int64(rng.IntN(3))
				obs[i].Interactions = obs[i].Interactions[:rng.IntN(len(obs[i].Interactions)+1)]
				if present[i] = rng.IntN(3) > 0; present[i] {
					subset = append(subset, obs[i])
				}
			}
			if pass == 2 {
				present = nil // all of them
				subset = append(subset[:0], obs...)
			}
			want := dump(subset, Resolve(subset, genOptions))
			res := p.Resolve(present)
			if present == nil {
				checkInvariants(t, obs, res)
			}
			if got := dump(obs, res); got != want {
				t.Fatalf("round %d pass %d: prepared resolution differs\n got:\n%s\nwant:\n%s", round, pass, got, want)
			}
		}
	}
}
