package usage

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/benchrec"
	"github.com/usagerep/usagerep/pkg/internal/varint"
	"github.com/usagerep/usagerep/pkg/record"
)

// manyInteractions is a fixture with more interaction types than fit the
// per-window bit set, seen inside and outside the narrower window.
func manyInteractions() []record.Record {
	var recs []record.Record
	for i := range 150 {
		at := "2026-10-01T00:00:00Z" // in both windows
		if i%3 == 0 {
			at = "2026-01-10T00:00:00Z" // in the last year only
		}
		u := record.User{Email: fmt.Sprintf("u%d@x.com", i%7), Username: fmt.Sprintf("u%d", i%7)}
		recs = append(recs, activity(at, "Jira", u, fmt.Sprintf("kind-%03d", i%90)))
	}
	return recs
}

// buildWith feeds recs to accumulators made by newAccs (one goroutine
// each, records dealt at random, merged as a random tree) and builds the
// 6m,1y report.
func buildWith(t *testing.T, recs []record.Record, newAccs func(Config) []*Accumulator, rng *rand.Rand) *Report {
	t.Helper()
	periods, err := ParsePeriods("6m,1y")
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewConfig(fixtureAsOf, periods)
	acc := benchrec.FeedRandomly(rng, newAccs(cfg), recs)
	return Build(acc, BuildOptions{AsOf: fixtureAsOf, Periods: periods, Location: time.UTC, ActiveWithin: 30 * 24 * time.Hour})
}

func independent(n int) func(Config) []*Accumulator {
	return func(cfg Config) []*Accumulator {
		accs := make([]*Accumulator, n)
		for i := range accs {
			accs[i] = NewAccumulator(cfg)
		}
		return accs
	}
}

// siblings makes n accumulators sharing one store, plus independent ones
// merged in: both paths of Merge meet.
func siblings(n, extra int) func(Config) []*Accumulator {
	return func(cfg Config) []*Accumulator {
		base := NewAccumulator(cfg)
		accs := []*Accumulator{base}
		for range n - 1 {
			accs = append(accs, base.Sibling())
		}
		return append(accs, independent(extra)(cfg)...)
	}
}

// Siblings fed concurrently, and any mix of siblings and independent
// accumulators merged in any order, give the report of one accumulator.
func TestSiblingsMatchOneAccumulator(t *testing.T) {
	for name, recs := range map[string][]record.Record{"fixture": fixture(), "many interactions": manyInteractions()} {
		want := buildWith(t, recs, independent(1), rand.New(rand.NewPCG(1, 1)))
		for seed := range uint64(12) {
			rng := rand.New(rand.NewPCG(seed, 3))
			got := buildWith(t, recs, siblings(1+rng.IntN(4), rng.IntN(3)), rng)
			if !reflect.DeepEqual(got, want) {
				for i := range want.Workbooks {
					w, g := want.Workbooks[i], got.Workbooks[i]
					for j := range w.Users {
						if !reflect.DeepEqual(w.Users[j], g.Users[j]) {
							t.Logf("user %d\n%+v\n%+v", j, w.Users[j], g.Users[j])
						}
					}
					if !reflect.DeepEqual(w.Summary, g.Summary) {
						t.Logf("summary\n%+v\n%+v", w.Summary, g.Summary)
					}
				}
				t.Fatalf("%s, seed %d: report differs from the one-accumulator report", name, seed)
			}
		}
	}
}

// Interaction types past the 64 a bit set holds are reported per window
// like the others.
func TestManyInteractionTypesPerWindow(t *testing.T) {
	rep := buildWith(t, manyInteractions(), siblings(2, 2), rand.New(rand.NewPCG(5, 5)))
	count := func(wb *Workbook) (n int) {
		for _, u := range wb.Users {
			if !slices.IsSorted(u.Interactions) {
				t.Errorf("%s: interactions not sorted: %q", u.Email, u.Interactions)
			}
			n += len(u.Interactions)
		}
		return n
	}
	// i%90 over 150 records: kinds 0-89, every kind once per user it
	// falls on. Record i goes to user i%7 with kind i%90; a kind is in the
	// 6-month window when some record with it has i%3 != 0.
	want6m, want1y := map[[2]int]bool{}, map[[2]int]bool{}
	for i := range 150 {
		k := [2]int{i % 7, i % 90}
		want1y[k] = true
		if i%3 != 0 {
			want6m[k] = true
		}
	}
	if got := count(&rep.Workbooks[0]); got != len(want6m) {
		t.Errorf("6m: %d user interaction types, want %d", got, len(want6m))
	}
	if got := count(&rep.Workbooks[1]); got != len(want1y) {
		t.Errorf("1y: %d user interaction types, want %d", got, len(want1y))
	}
}

// The key slots grow as keys come; seal then lists every key once with
// each window's view of it, and the store takes nothing more.
func TestObsStoreFindsKeysAcrossGrowthAndSeal(t *testing.T) {
	s := newObsStore([]int64{0, 1000})
	key := func(i int) []byte { return varint.AppendField(nil, fmt.Sprintf("user-%d@x.com", i)) }
	const n = 20000
	for round := range 3 {
		for i := range n + round*1000 {
			s.add(key(i), int64(10+i+round), noInter)
		}
	}
	if got := s.len(); got != n+2000 {
		t.Fatalf("%d distinct keys, want %d", got, n+2000)
	}
	keys, wins := s.seal()
	if len(keys) != n+2000 || len(wins) != 2 {
		t.Fatalf("seal gave %d keys and %d windows, want %d and 2", len(keys), len(wins), n+2000)
	}
	seen := map[string]bool{}
	counts := map[int64]int{}
	for o, k := range keys {
		if seen[k] {
			t.Fatalf("key %q listed twice", k)
		}
		seen[k] = true
		i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(k[1:], "user-"), "@x.com"))
		if err != nil {
			t.Fatalf("key %q: %v", k, err)
		}
		all, late := wins[0].Tallies[o], wins[1].Tallies[o]
		counts[all.Count]++
		// Key i was added at 10+i, 11+i and 12+i in the rounds that had it.
		if all.First != int64(10+i+3-int(all.Count)) || all.Last != int64(12+i) || !wins[0].Present[o] {
			t.Errorf("key %d: window 0 has %+v", i, all)
		}
		if want := late.Count > 0; wins[1].Present[o] != want || late.Last != all.Last {
			t.Errorf("key %d: window 1 has %+v, present %v", i, late, wins[1].Present[o])
		}
	}
	// Keys 0..n-1 were added in all three rounds, the next 1000 in two,
	// the last 1000 in one.
	if want := map[int64]int{3: n, 2: 1000, 1: 1000}; !reflect.DeepEqual(counts, want) {
		t.Errorf("rows by count: %v, want %v", counts, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("a sealed store took another observation")
		}
	}()
	s.add(key(0), 10, noInter)
}
