package identity

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// t0 is an arbitrary base time; tests add small offsets to it.
const t0 int64 = 1_700_000_000_000_000_000

// ob is an observation seen once at t0.
func ob(system, email, username, display string) Observation {
	return Observation{System: system, Email: email, Username: username, DisplayName: display, Count: 1, First: t0, Last: t0}
}

// at returns o seen count times between first and last (offsets from t0).
func at(o Observation, count, first, last int64) Observation {
	o.Count, o.First, o.Last = count, t0+first, t0+last
	return o
}

// dump is a canonical, index-free text form of a result: two results with
// the same identities dump the same even when their observations were
// given in another order or split into pieces.
func dump(obs []Observation, res Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "anonymous=%d identities=%d\n", res.Anonymous, len(res.Identities))
	for _, id := range res.Identities {
		fmt.Fprintf(&b, "class=%d ambiguous=%t email=%q username=%q display=%q first=%q last=%q company=%q\n",
			id.Class, id.Ambiguous, id.Email, id.Username, id.DisplayName, id.FirstName, id.LastName, id.Company)
		fmt.Fprintf(&b, "  aliases=%q %q %q\n", id.EmailAliases, id.UsernameAliases, id.DisplayNameAliases)
		fmt.Fprintf(&b, "  systems=%v interactions=%q service=%t lastSeen=%d profile=%q\n",
			id.Systems, id.Interactions, id.ServiceAccount, id.LastSeen, id.ProfileID)
		fmt.Fprintf(&b, "  duplicates=%v\n", id.Duplicates)
		// The observations as a set of distinct values with their total count.
		total := int64(0)
		seen := map[string]bool{}
		var tuples []string
		for _, i := range id.Observations {
			o := obs[i]
			total += o.Count
			t := fmt.Sprintf("%s|%s|%s|%s", o.System, o.Email, o.Username, o.DisplayName)
			if !seen[t] {
				seen[t] = true
				tuples = append(tuples, t)
			}
		}
		slices.Sort(tuples)
		fmt.Fprintf(&b, "  count=%d observations=%q\n", total, tuples)
	}
	return b.String()
}

// checkInvariants verifies what must hold for any input.
func checkInvariants(t *testing.T, obs []Observation, res Result) {
	t.Helper()
	owner := make([]int, len(obs))
	for i := range owner {
		owner[i] = -1
	}
	profiles := map[string]bool{}
	for n, id := range res.Identities {
		if len(id.Observations) == 0 {
			t.Fatalf("identity %d has no observations", n)
		}
		ownClass := false
		for j, i := range id.Observations {
			if i < 0 || i >= len(obs) {
				t.Fatalf("identity %d: observation index %d out of range", n, i)
			}
			if j > 0 && id.Observations[j-1] >= i {
				t.Fatalf("identity %d: observations not strictly ascending: %v", n, id.Observations)
			}
			if owner[i] >= 0 {
				t.Fatalf("observation %d is in identities %d and %d", i, owner[i], n)
			}
			owner[i] = n
			if classOf(obs[i]) == id.Class {
				ownClass = true
			}
		}
		if !ownClass {
			t.Fatalf("identity %d of class %d has no observation of its class", n, id.Class)
		}
		if id.Ambiguous && id.Class != ClassDisplayName {
			t.Fatalf("identity %d: ambiguous but class %d", n, id.Class)
		}
		if id.ProfileID == "" || profiles[id.ProfileID] {
			t.Fatalf("identity %d: profile id %q empty or not unique", n, id.ProfileID)
		}
		profiles[id.ProfileID] = true
	}
	var anonymous int64
	named := 0
	for i, o := range obs {
		if classOf(o) == 0 {
			anonymous += o.Count
			if owner[i] >= 0 {
				t.Fatalf("anonymous observation %d is in identity %d", i, owner[i])
			}
			continue
		}
		named++
		if owner[i] < 0 {
			t.Fatalf("observation %d (%+v) is in no identity", i, o)
		}
	}
	if anonymous != res.Anonymous {
		t.Fatalf("Anonymous = %d, want %d", res.Anonymous, anonymous)
	}
	if len(res.Identities) > named {
		t.Fatalf("%d identities from %d named observations", len(res.Identities), named)
	}
}

// classOf is the class an observation's fields put it in, 0 when anonymous.
func classOf(o Observation) Class {
	e := strings.TrimSpace(o.Email) != ""
	u := strings.TrimSpace(o.Username) != ""
	d := len(strings.Fields(o.DisplayName)) > 0
	switch {
	case e && u:
		return ClassUsernameOrEmail
	case e:
		return ClassEmail
	case d:
		return ClassDisplayName
	case u:
		return ClassUsername
	}
	return 0
}
