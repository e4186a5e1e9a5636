package identity

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/usagerep/usagerep/pkg/internal/permute"
)

// Small alphabets so that random observations collide on every rule.
var (
	genSystems  = []string{"Jira", "ADO", "SNOW", "GitHub", ""}
	genEmails   = []string{"", "", "a@x.com", "b@x.com", "a@y.com", "c@z.com", "john@b.com", "dave@x.com", "svc-bot@x.com"}
	genUsers    = []string{"", "", "a", "A", "b", "john", "JOHN", "c", "dave", "Dave", "erin", "svc-bot"}
	genDisplays = []string{"", "", "Al B", "al  b", "Dave O", "dave o", "Sam Lee", "a", "Erin", "dave"}
	genFirsts   = []string{"", "Al", "AL", "Dave"}
	genUserIDs  = []string{"", "", "1", "2"}
	genInters   = []string{"comment", "mention", "update", "creator"}
	genOptions  = Options{ServiceAccountPatterns: []string{"svc-*"}}
)

func pick(rng *rand.Rand, from []string) string { return from[rng.IntN(len(from))] }

func randomObservations(rng *rand.Rand, n int) []Observation {
	obs := make([]Observation, n)
	for i := range obs {
		first := int64(rng.IntN(100))
		o := Observation{
			System:         pick(rng, genSystems),
			Email:          pick(rng, genEmails),
			Username:       pick(rng, genUsers),
			DisplayName:    pick(rng, genDisplays),
			FirstName:      pick(rng, genFirsts),
			UserID:         pick(rng, genUserIDs),
			ServiceAccount: rng.IntN(10) == 0,
			Count:          int64(rng.IntN(5)),
			First:          t0 + first,
			Last:           t0 + first + int64(rng.IntN(50)),
		}
		for range rng.IntN(3) {
			o.Interactions = append(o.Interactions, pick(rng, genInters))
		}
		obs[i] = o
	}
	return obs
}

// split cuts some observations into two pieces with the same total count,
// the same earliest First and latest Last, and the same interactions and
// service-account flag between them.
func split(rng *rand.Rand, obs []Observation) []Observation {
	var out []Observation
	for _, o := range obs {
		if rng.IntN(2) == 0 {
			out = append(out, o)
			continue
		}
		a, b := o, o
		a.Count = int64(rng.IntN(int(o.Count) + 1))
		b.Count = o.Count - a.Count
		span := o.Last - o.First
		a.Last = o.First + rng.Int64N(span+1)
		b.First = o.First + rng.Int64N(span+1)
		cut := rng.IntN(len(o.Interactions) + 1)
		a.Interactions = o.Interactions[:cut]
		b.Interactions = o.Interactions[cut:]
		b.ServiceAccount = o.ServiceAccount && rng.IntN(2) == 0
		out = append(out, a, b)
	}
	return out
}

// TestOrderAndSplitIndependence: shuffling the observations, laying them
// out in GroupOrder's order (as keys, with a window, as the reports do),
// or splitting them into pieces with the same totals, never changes the
// identities.
func TestOrderAndSplitIndependence(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 400 {
		obs := randomObservations(rng, 1+rng.IntN(40))
		want := dump(obs, Resolve(obs, genOptions))

		shuffled := slices.Clone(obs)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		res := Resolve(shuffled, genOptions)
		checkInvariants(t, shuffled, res)
		if got := dump(shuffled, res); got != want {
			t.Fatalf("round %d: shuffling changed the result:\n%s\nvs\n%s", round, want, got)
		}

		grouped := slices.Clone(obs)
		permute.Apply(grouped, GroupOrder(keysOf(obs)))
		res = PrepareKeys(keysOf(grouped), genOptions).ResolveWindow(windowOf(rng, grouped, nil))
		checkInvariants(t, grouped, res)
		if got := dump(grouped, res); got != want {
			t.Fatalf("round %d: GroupOrder's layout changed the result:\n%s\nvs\n%s", round, want, got)
		}

		pieces := split(rng, obs)
		rng.Shuffle(len(pieces), func(i, j int) { pieces[i], pieces[j] = pieces[j], pieces[i] })
		res = Resolve(pieces, genOptions)
		checkInvariants(t, pieces, res)
		if got := dump(pieces, res); got != want {
			t.Fatalf("round %d: splitting changed the result:\n%s\nvs\n%s", round, want, got)
		}
	}
}

// TestOrderMatchesReference checks the sorted order against a plain
// implementation of it, with values long enough to share long prefixes.
func TestOrderMatchesReference(t *testing.T) {
	long := []string{"", "averyveryverylongname0", "averyveryverylongname1", "AVeryVeryVeryLongName1", "averyveryverylong", "a", "b"}
	fold := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	key := func(id Identity) [3]string { return [3]string{fold(id.Email), fold(id.Username), fold(id.DisplayName)} }
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		obs := make([]Observation, 1+rng.IntN(30))
		for i := range obs {
			o := ob(pick(rng, genSystems), "", pick(rng, long), pick(rng, long))
			if local := pick(rng, long); local != "" {
				o.Email = strings.ToLower(local) + pick(rng, []string{"@x.com", "@y.com"})
			}
			obs[i] = o
		}
		res := Resolve(obs, Options{})
		checkInvariants(t, obs, res)
		ok := slices.IsSortedFunc(res.Identities, func(x, y Identity) int {
			kx, ky := key(x), key(y)
			for f := range kx {
				if c := compareEmptyLast(kx[f], ky[f]); c != 0 {
					return c
				}
			}
			return cmp.Or(strings.Compare(x.Email, y.Email), strings.Compare(x.Username, y.Username),
				strings.Compare(x.DisplayName, y.DisplayName), strings.Compare(x.ProfileID, y.ProfileID))
		})
		if !ok {
			t.Fatalf("round %d: identities out of order:\n%s", round, dump(obs, res))
		}
	}
}

// TestWorkersAgree: building with several workers gives exactly what one
// worker gives.
func TestWorkersAgree(t *testing.T) {
	defer func(n int) { minPerWorker = n }(minPerWorker)
	rng := rand.New(rand.NewPCG(5, 6))
	sets := [][]Observation{benchObservations(20_000)}
	for range 20 {
		sets = append(sets, randomObservations(rng, 1+rng.IntN(60)))
	}
	for i, obs := range sets {
		minPerWorker = 1 << 30
		serial := Resolve(obs, genOptions)
		minPerWorker = 1
		parallel := Resolve(obs, genOptions)
		checkInvariants(t, obs, parallel)
		if a, b := dump(obs, serial), dump(obs, parallel); a != b {
			t.Fatalf("set %d: workers disagree:\n%s\nvs\n%s", i, a, b)
		}
		if !slices.EqualFunc(serial.Identities, parallel.Identities, func(x, y Identity) bool {
			return slices.Equal(x.Observations, y.Observations)
		}) {
			t.Fatalf("set %d: workers disagree on observations", i)
		}
	}
}
