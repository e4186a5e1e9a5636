package observe

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/keystore"
	"github.com/usagerep/usagerep/pkg/record"
)

func key(system, email, username string) []byte {
	return identity.AppendKey(nil, system, []byte(email), &record.User{Username: username})
}

// Two stores fed apart and merged hold each observation once, with the
// sum of its counts and the outer bounds of its times; resolving them
// maps every observation to its identity.
func TestAddMergeResolve(t *testing.T) {
	a, b := NewStore(), NewStore()
	alice := key("Jira", "alice@x.com", "alice")
	aliceGH := key("GitHub", "", "alice")
	nobody := key("Jira", "", "")
	Add(a, alice, 30)
	Add(a, alice, 10)
	Add(b, alice, 50)
	Add(b, aliceGH, 20)
	Add(b, nobody, 40)
	a.Absorb(b, MergeStat)

	if a.Len() != 3 {
		t.Fatalf("%d observations, want 3", a.Len())
	}
	var ids []identity.Identity
	res := Resolve(a, Tally, identity.Options{}, func(_, _ int, id *identity.Identity) { ids = append(ids, *id) })
	if len(ids) != 1 || res.Anonymous != 1 {
		t.Fatalf("identities %d, anonymous %d; want 1 and 1", len(ids), res.Anonymous)
	}
	seen := map[string]bool{}
	for shard := range keystore.Shards {
		sh := a.Shard(shard)
		for row, k := range sh.Keys() {
			o := res.Offsets[shard] + row
			if res.Keys[o] != k {
				t.Fatalf("observation %d is %q in Keys, %q in its shard", o, res.Keys[o], k)
			}
			st := sh.States[row]
			switch k {
			case string(alice):
				if st != (Stat{Count: 3, First: 10, Last: 50}) {
					t.Errorf("alice in Jira: %+v, want 3 mentions from 10 to 50", st)
				}
				if res.IdentOf[o] != 0 {
					t.Errorf("alice in Jira belongs to %d, want identity 0", res.IdentOf[o])
				}
			case string(aliceGH):
				if res.IdentOf[o] != 0 {
					t.Errorf("alice in GitHub belongs to %d, want identity 0", res.IdentOf[o])
				}
			case string(nobody):
				if res.IdentOf[o] != -1 {
					t.Errorf("the anonymous observation belongs to %d, want none", res.IdentOf[o])
				}
			}
			seen[k] = true
		}
	}
	if len(seen) != 3 {
		t.Errorf("saw %d keys through the shards, want 3", len(seen))
	}
	if got := ids[0].LastSeen; got != 50 {
		t.Errorf("alice last seen at %d, want 50", got)
	}
}

// Resolve hands over every identity once, in ResolveKeys's order and as
// it resolves them, and maps each observation to the index its identity
// came with. There are more identities than ResolveKeysEach resolves at a
// time, so an Identity kept past its yield would show the reuse.
func TestResolveEachIdentityOnce(t *testing.T) {
	s := NewStore()
	const people = 5000
	for p := range people {
		name := fmt.Sprintf("u%04d", (p*7919)%people) // not in key order
		Add(s, key("Jira", name+"@x.com", name), int64(p))
		Add(s, key("GitHub", "", name), int64(p+1))
	}
	Add(s, key("Jira", "", ""), 3)
	var keys []string
	var tallies []identity.Tally
	for shard := range keystore.Shards {
		sh := s.Shard(shard)
		keys = append(keys, sh.Keys()...)
		for row := range sh.States {
			tallies = append(tallies, Tally(&sh.States[row]))
		}
	}
	want := identity.ResolveKeys(keys, tallies, identity.Options{})

	var got []identity.Identity
	res := Resolve(s, Tally, identity.Options{}, func(i, n int, id *identity.Identity) {
		if i != len(got) || n != people {
			t.Fatalf("yield(%d, %d) after %d identities, want (%d, %d)", i, n, len(got), len(got), people)
		}
		got = append(got, *id)
	})
	if !reflect.DeepEqual(got, want.Identities) || res.Anonymous != want.Anonymous {
		t.Fatalf("Resolve yielded %d identities (anonymous %d), not ResolveKeys's %d (anonymous %d)",
			len(got), res.Anonymous, len(want.Identities), want.Anonymous)
	}
	if !reflect.DeepEqual(res.Keys, keys) {
		t.Fatalf("Keys are not the observations in shard and row order")
	}
	owner := make([]int32, len(keys))
	for o := range owner {
		owner[o] = -1
	}
	for i, id := range got {
		if len(id.Observations) != 2 {
			t.Errorf("identity %d has %d observations, want 2", i, len(id.Observations))
		}
		for _, o := range id.Observations {
			owner[o] = int32(i)
		}
	}
	if !reflect.DeepEqual(res.IdentOf, owner) {
		t.Errorf("IdentOf does not name each observation's identity")
	}
}

// A store naming nobody yields no identity and maps nothing.
func TestResolveAnonymousOnly(t *testing.T) {
	s := NewStore()
	Add(s, key("Jira", "", ""), 1)
	Add(s, key("Jira", "", ""), 2)
	res := Resolve(s, Tally, identity.Options{}, func(i, _ int, _ *identity.Identity) {
		t.Errorf("yielded identity %d of a store naming nobody", i)
	})
	if res.Anonymous != 2 || len(res.IdentOf) != 1 || res.IdentOf[0] != -1 {
		t.Errorf("anonymous %d, IdentOf %v; want 2 and [-1]", res.Anonymous, res.IdentOf)
	}
}

// Named tells a new person from one named again in the same scope, by the
// same observation or by another with the same email.
func TestNamed(t *testing.T) {
	var n Named[int]
	for _, c := range []struct {
		scope int
		obs   uint32
		email string
		want  Again
	}{
		{1, 10, "a@x.com", New},
		{1, 10, "a@x.com", SameObs},
		{1, 11, "a@x.com", SamePerson}, // another spelling, the same email
		{1, 11, "a@x.com", SameObs},    // ... which is now noted too
		{2, 10, "a@x.com", New},        // another scope
		{1, 12, "", New},               // no email: only its observation tells
		{1, 13, "", New},
		{1, 14, "b@x.com", New},
	} {
		if got := n.Add(c.scope, c.obs, []byte(c.email)); got != c.want {
			t.Errorf("Add(%d, %d, %q) = %d, want %d", c.scope, c.obs, c.email, got, c.want)
		}
	}
	n.Reset()
	if got := n.Add(1, 10, []byte("a@x.com")); got != New {
		t.Errorf("after Reset: %d, want New", got)
	}
}
