package identity

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/usagerep/usagerep/pkg/record"
)

// TestPreparedMatchesResolve: resolving a subset of prepared observations
// (from the Observations, or from their keys with a Window), after changing
// their counts, times and interactions, gives what Resolve gives for just
// that subset; and resolving again after another subset leaves nothing
// behind.
func TestPreparedMatchesResolve(t *testing.T) {
	ways := []struct {
		name    string
		resolve func(rng *rand.Rand, obs []Observation) func(present []bool) Result
	}{
		{"observations", func(_ *rand.Rand, obs []Observation) func([]bool) Result {
			return Prepare(obs, genOptions).Resolve
		}},
		{"keys", func(rng *rand.Rand, obs []Observation) func([]bool) Result {
			p := PrepareKeys(keysOf(obs), genOptions)
			if p.Len() != len(obs) {
				t.Fatalf("Len = %d, want %d", p.Len(), len(obs))
			}
			return func(present []bool) Result { return p.ResolveWindow(windowOf(rng, obs, present)) }
		}},
		{"keys, one identity at a time", func(rng *rand.Rand, obs []Observation) func([]bool) Result {
			p := PrepareKeys(keysOf(obs), genOptions)
			return func(present []bool) Result {
				var res Result
				next := 0
				res.Anonymous = p.ResolveWindowEach(windowOf(rng, obs, present), func(i, n int, id *Identity) {
					if i != next || n <= i {
						t.Fatalf("identity %d of %d handed over after %d", i, n, next)
					}
					next++
					res.Identities = append(res.Identities, *id)
				})
				return res
			}
		}},
	}
	defer func(chunk int) { eachChunk = chunk }(eachChunk)
	eachChunk = 3 // several chunks, each buffer reused
	for _, way := range ways {
		rng := rand.New(rand.NewPCG(3, 4))
		for round := range 300 {
			obs := randomObservations(rng, 1+rng.IntN(40))
			resolve := way.resolve(rng, obs)
			for pass := range 3 {
				present := make([]bool, len(obs))
				var subset []Observation
				for i := range obs {
					// A window keeps an observation with fewer records
					// seen later, and fewer interactions.
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
				res := resolve(present)
				if present == nil {
					checkInvariants(t, obs, res)
				}
				if got := dump(obs, res); got != want {
					t.Fatalf("%s, round %d pass %d: prepared resolution differs\n got:\n%s\nwant:\n%s", way.name, round, pass, got, want)
				}
			}
		}
	}
}

// keysOf is the AppendKey key of every observation.
func keysOf(obs []Observation) []string {
	keys := make([]string, len(obs))
	for i := range obs {
		o := &obs[i]
		u := record.User{Username: o.Username, DisplayName: o.DisplayName, FirstName: o.FirstName,
			LastName: o.LastName, Company: o.Company, UserID: o.UserID, ServiceAccount: o.ServiceAccount}
		keys[i] = string(AppendKey(nil, o.System, []byte(o.Email), &u))
	}
	return keys
}

// windowOf is obs's counts, times and interactions as a Window, with the
// interaction names in an order of their own.
func windowOf(rng *rand.Rand, obs []Observation, present []bool) Window {
	w := Window{Present: present, Tallies: make([]Tally, len(obs))}
	names := slices.Clone(genInters)
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	w.InterNames = append(names, "never-seen")
	any := false
	w.InterOff = make([]int32, 1, len(obs)+1)
	for i := range obs {
		o := &obs[i]
		w.Tallies[i] = Tally{Count: o.Count, First: o.First, Last: o.Last}
		for _, it := range o.Interactions {
			w.InterIDs = append(w.InterIDs, int32(slices.Index(w.InterNames, it)))
			any = true
		}
		w.InterOff = append(w.InterOff, int32(len(w.InterIDs)))
	}
	if !any && rng.IntN(2) == 0 {
		w.InterOff, w.InterIDs = nil, nil
	}
	return w
}

// A key that AppendKey did not make names nobody instead of failing.
func TestPreparedKeysMalformed(t *testing.T) {
	good := keysOf([]Observation{{System: "Jira", Email: "a@x.com", Username: "a"}})[0]
	keys := []string{good, "\x05ab", "", good[:len(good)-3]}
	p := PrepareKeys(keys, Options{})
	tallies := []Tally{{Count: 1}, {Count: 2}, {Count: 4}, {Count: 8}}
	res := p.ResolveWindow(Window{Tallies: tallies})
	if len(res.Identities) != 1 || res.Identities[0].Email != "a@x.com" {
		t.Fatalf("identities = %+v, want the one good key", res.Identities)
	}
	if res.Anonymous != 2+4+8 {
		t.Fatalf("anonymous = %d, want 14", res.Anonymous)
	}
}

// ResolveKeysEach hands over, one at a time, what ResolveKeys returns.
func TestResolveKeysEachMatchesResolveKeys(t *testing.T) {
	defer func(chunk int) { eachChunk = chunk }(eachChunk)
	eachChunk = 4
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 100 {
		obs := randomObservations(rng, 1+rng.IntN(40))
		keys := keysOf(obs)
		tallies := make([]Tally, len(obs))
		for i := range obs {
			tallies[i] = Tally{Count: obs[i].Count, First: obs[i].First, Last: obs[i].Last}
		}
		want := ResolveKeys(keys, tallies, genOptions)
		var got Result
		got.Anonymous = ResolveKeysEach(keys, tallies, genOptions, func(_, _ int, id *Identity) {
			got.Identities = append(got.Identities, *id)
		})
		if g, w := dump(obs, got), dump(obs, want); g != w {
			t.Fatalf("round %d: one at a time\n%s\nall at once\n%s", round, g, w)
		}
	}
}
