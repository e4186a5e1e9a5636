package identity

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/usagerep/usagerep/pkg/internal/permute"
)

// groupOrder is a permutation that puts observations with the same email
// local part (else username, else display name), in any case, side by side.
func TestGroupOrder(t *testing.T) {
	defer func(n int) { minPerWorker = n }(minPerWorker)
	rng := rand.New(rand.NewPCG(7, 8))
	for round := range 200 {
		minPerWorker = []int{1, 1 << 30}[round%2] // hashed by several goroutines, or one
		obs := randomObservations(rng, 1+rng.IntN(80))
		perm := groupOrder(obsSource(obs))
		seen := make([]bool, len(obs))
		for _, o := range perm {
			if seen[o] {
				t.Fatalf("round %d: %d placed twice in %v", round, o, perm)
			}
			seen[o] = true
		}
		if len(perm) != len(obs) {
			t.Fatalf("round %d: %d of %d placed", round, len(perm), len(obs))
		}
		// Each group's observations form one run, which only those of
		// another group sharing its bucket can interleave.
		bucket := func(o int32) uint64 {
			var v [numKeyFields]string
			obsSource(obs).values(int(o), &v)
			return groupHash(&v) >> bucketShift(len(obs))
		}
		group := func(o int32) string {
			switch x := &obs[o]; {
			case x.Email != "":
				return strings.ToLower(localPart(x.Email))
			case x.Username != "":
				return strings.ToLower(x.Username)
			default:
				return strings.ToLower(strings.ReplaceAll(x.DisplayName, " ", ""))
			}
		}
		firstAt, lastAt := map[string]int{}, map[string]int{}
		for i, o := range perm {
			g := group(o)
			if _, ok := firstAt[g]; !ok {
				firstAt[g] = i
			}
			lastAt[g] = i
		}
		for g, from := range firstAt {
			for i := from; i <= lastAt[g]; i++ {
				if group(perm[i]) != g && bucket(perm[i]) != bucket(perm[from]) {
					t.Fatalf("round %d: group %q split by %q: %v", round, g, group(perm[i]), perm)
				}
			}
		}
		if again := groupOrder(obsSource(obs)); !slices.Equal(again, perm) {
			t.Fatalf("round %d: order changed from run to run", round)
		}
		// Keys laid out in the order are in it.
		keys := keysOf(obs)
		permute.Apply(keys, GroupOrder(keys))
		for i, o := range GroupOrder(keys) {
			if int(o) != i {
				t.Fatalf("round %d: grouped keys ordered again: %d at %d", round, o, i)
			}
		}
	}
}

// GroupPlaces, over the keys cut into parts of every size (empty parts
// too), places each key where GroupOrder of all of them puts it.
func TestGroupPlaces(t *testing.T) {
	defer func(n int) { minPerWorker = n }(minPerWorker)
	rng := rand.New(rand.NewPCG(9, 10))
	for round := range 200 {
		minPerWorker = []int{1, 1 << 30}[round%2]
		keys := keysOf(randomObservations(rng, rng.IntN(80)))
		var parts [][]string
		for rest := keys; len(rest) > 0 || rng.IntN(3) == 0; {
			k := rng.IntN(len(rest) + 1)
			parts, rest = append(parts, rest[:k]), rest[k:]
		}
		places := GroupPlaces(parts)
		order := GroupOrder(keys)
		if len(places) != len(keys) {
			t.Fatalf("round %d: %d places for %d keys", round, len(places), len(keys))
		}
		for i, p := range places {
			if order[p] != int32(i) {
				t.Fatalf("round %d: key %d placed at %d, where GroupOrder has key %d (parts %d)", round, i, p, order[p], len(parts))
			}
		}
	}
}
