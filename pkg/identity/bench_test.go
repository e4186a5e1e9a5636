package identity

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/usagerep/usagerep/pkg/internal/permute"
)

// benchObservations generates n distinct observations of about 0.6n
// people, deterministically: each person is seen in one to three systems,
// some with email and username, some by email, display name or username
// only, with the case and spacing variants real exports have.
func benchObservations(n int) []Observation {
	rng := rand.New(rand.NewPCG(7, 11))
	systems := []string{"Jira Cloud", "Azure DevOps", "ServiceNow", "GitHub", "GitLab"}
	inters := [][]string{{"comment"}, {"mapped_field"}, {"comment", "mention"}, {"update", "attachment"}, nil}
	obs := make([]Observation, 0, n)
	for p := 0; len(obs) < n; p++ {
		id := strconv.Itoa(p)
		seen := 1
		switch r := rng.IntN(10); {
		case r >= 8:
			seen = 3
		case r >= 5:
			seen = 2
		}
		kind := rng.IntN(20)
		start := rng.IntN(len(systems))
		for s := 0; s < seen && len(obs) < n; s++ {
			first := t0 + rng.Int64N(180*24*3600)*1e9
			o := Observation{
				System:       systems[(start+s)%len(systems)],
				Interactions: inters[rng.IntN(len(inters))],
				Count:        1 + rng.Int64N(50),
				First:        first,
				Last:         first + rng.Int64N(30*24*3600)*1e9,
			}
			switch {
			case kind < 8: // email and username; sometimes email only elsewhere
				o.Email = "first.last" + id + "@corp.example.com"
				if s == 0 || rng.IntN(3) > 0 {
					o.Username = "flast" + id
					if s == 1 {
						o.Username = strings.ToUpper(o.Username)
					}
				}
				o.DisplayName = "First Last" + id
				o.FirstName, o.LastName, o.Company = "First", "Last"+id, "Corp"
				if o.System == "Jira Cloud" {
					o.UserID = "557058:" + id
				}
			case kind < 13: // email only
				o.Email = "user" + id + "@partner.example.org"
				if rng.IntN(2) == 0 {
					o.DisplayName = "Partner User " + id
				}
			case kind < 16: // display name only
				o.DisplayName = "Guest  User " + id
				if s == 1 {
					o.DisplayName = "guest user " + id
				}
			case kind < 18: // username only
				o.Username = "gh-user-" + id
				if rng.IntN(50) == 0 {
					o.ServiceAccount = true
				}
			default: // display name and username
				o.Username = "dev" + id
				o.DisplayName = "Dev " + id
			}
			obs = append(obs, o)
		}
	}
	return obs
}

func BenchmarkResolve1M(b *testing.B) {
	obs := benchObservations(1_000_000)
	opts := Options{ServiceAccountPatterns: []string{"*-bot", "svc-*@*"}}
	var identities int
	b.ReportAllocs()
	for b.Loop() {
		identities = len(Resolve(obs, opts).Identities)
	}
	b.ReportMetric(float64(len(obs))*float64(b.N)/b.Elapsed().Seconds(), "observations/s")
	b.ReportMetric(float64(identities), "identities")
}

// BenchmarkResolveKeys1M is the reports' path: 1M observation keys in the
// order of a hash table, where a user's observations are scattered, as
// the stores hold them; prepared, then resolved one identity at a time.
// "grouped" first lays them out in GroupOrder's order, as the stores do,
// and counts that.
func BenchmarkResolveKeys1M(b *testing.B) {
	obs := scatteredBenchObservations()
	stored := keysOf(obs)
	storedTallies := make([]Tally, len(obs))
	for i := range obs {
		storedTallies[i] = Tally{Count: obs[i].Count, First: obs[i].First, Last: obs[i].Last}
	}
	obs = nil
	opts := Options{ServiceAccountPatterns: []string{"*-bot", "svc-*@*"}}
	for _, grouped := range []bool{false, true} {
		b.Run(map[bool]string{false: "stored", true: "grouped"}[grouped], func(b *testing.B) {
			var identities int
			b.ReportAllocs()
			for b.Loop() {
				keys, tallies := slices.Clone(stored), slices.Clone(storedTallies)
				if grouped {
					order := GroupOrder(keys)
					permute.Apply(keys, order)
					permute.Apply(tallies, order)
				}
				identities = 0
				ResolveKeysEach(keys, tallies, opts, func(_, _ int, _ *Identity) { identities++ })
			}
			b.ReportMetric(float64(len(stored))*float64(b.N)/b.Elapsed().Seconds(), "observations/s")
			b.ReportMetric(float64(identities), "identities")
		})
	}
}

// BenchmarkGroupOrder1M is what ordering 1M observation keys for
// resolution costs.
func BenchmarkGroupOrder1M(b *testing.B) {
	obs := scatteredBenchObservations()
	keys := keysOf(obs)
	obs = nil
	b.ReportAllocs()
	for b.Loop() {
		GroupOrder(keys)
	}
	b.ReportMetric(float64(len(keys))*float64(b.N)/b.Elapsed().Seconds(), "observations/s")
}

// scatteredBenchObservations are benchObservations(1M) in a fixed random
// order, as a hash table would hold them.
func scatteredBenchObservations() []Observation {
	obs := benchObservations(1_000_000)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(obs), func(i, j int) { obs[i], obs[j] = obs[j], obs[i] })
	return obs
}
