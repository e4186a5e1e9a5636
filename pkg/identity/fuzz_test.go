package identity

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Alphabets for the fuzzer, with odd values the resolver must survive:
// non-ASCII case, Unicode spaces, invalid UTF-8, malformed emails.
var (
	fuzzEmails   = []string{"", "a@x.com", "A@X.com", "b@x.com", "a@y.com", "@x.com", "a@", "x", "İ@x.com", "b@x.com "}
	fuzzUsers    = []string{"", "a", "A", "b", " b", "İ", "i̇", "x@y", "\xff", "svc-1"}
	fuzzDisplays = []string{"", "a", "A  B", "a b", "\u00a0a\tb", "Ünal", "ÜNAL", " ", "\xffb", "b"}
)

// decodeObservations turns fuzz bytes into at most 48 observations of five
// bytes each.
func decodeObservations(data []byte) []Observation {
	var obs []Observation
	for len(data) >= 5 && len(obs) < 48 {
		b := data[:5]
		data = data[5:]
		first := t0 + int64(b[4]>>2)
		obs = append(obs, Observation{
			System:         genSystems[int(b[0]&7)%len(genSystems)],
			Email:          fuzzEmails[int(b[1])%len(fuzzEmails)],
			Username:       fuzzUsers[int(b[2])%len(fuzzUsers)],
			DisplayName:    fuzzDisplays[int(b[3])%len(fuzzDisplays)],
			UserID:         genUserIDs[int(b[0]>>3&3)],
			ServiceAccount: b[0]&0x20 != 0,
			Interactions:   genInters[:int(b[0]>>6)],
			Count:          int64(b[4] & 3),
			First:          first,
			Last:           first + int64(b[1]>>4),
		})
	}
	return obs
}

func FuzzResolve(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 1, 1, 0, 5, 1, 1, 2, 0, 9})
	f.Add([]byte{0, 1, 1, 2, 4, 2, 0, 0, 3, 8, 3, 0, 3, 3, 12, 1, 0, 2, 0, 7})
	f.Add([]byte("the quick brown fox jumps over the lazy dog, twice over"))
	f.Fuzz(func(t *testing.T, data []byte) {
		obs := decodeObservations(data)
		opts := Options{ServiceAccountPatterns: []string{"svc-*", "["}}
		res := Resolve(obs, opts)
		checkInvariants(t, obs, res)
		want := dump(obs, res)

		// Resolving from the observations' keys is the same resolution.
		rng := rand.New(rand.NewPCG(uint64(len(data)), 1))
		if got := dump(obs, PrepareKeys(keysOf(obs), opts).ResolveWindow(windowOf(rng, obs, nil))); got != want {
			t.Fatalf("resolving from keys differs:\n%s\nvs\n%s", want, got)
		}

		reversed := slices.Clone(obs)
		slices.Reverse(reversed)
		if got := dump(reversed, Resolve(reversed, opts)); got != want {
			t.Fatalf("reversing changed the result:\n%s\nvs\n%s", want, got)
		}
		if len(obs) > 1 {
			rotated := append(slices.Clone(obs[1:]), obs[0])
			if got := dump(rotated, Resolve(rotated, opts)); got != want {
				t.Fatalf("rotating changed the result:\n%s\nvs\n%s", want, got)
			}
		}
	})
}
