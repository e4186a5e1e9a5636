package observe

import (
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
	res := Resolve(a, Tally, identity.Options{})
	if len(res.Identities) != 1 || res.Anonymous != 1 {
		t.Fatalf("identities %d, anonymous %d; want 1 and 1", len(res.Identities), res.Anonymous)
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
	if got := res.Identities[0].LastSeen; got != 50 {
		t.Errorf("alice last seen at %d, want 50", got)
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
