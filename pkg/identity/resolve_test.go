package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
)

// want is what a test asserts about one identity; nil slices are not
// compared unless the field is listed in check.
type want struct {
	class                                         Class
	ambiguous                                     bool
	email, username, display                      string
	emailAliases, usernameAliases, displayAliases []string
	duplicates                                    []Duplicate
	obs                                           []int
}

// expect compares res, in order, against ws.
func expect(t *testing.T, obs []Observation, res Result, ws []want) {
	t.Helper()
	checkInvariants(t, obs, res)
	if len(res.Identities) != len(ws) {
		t.Fatalf("got %d identities, want %d:\n%s", len(res.Identities), len(ws), dump(obs, res))
	}
	for i, w := range ws {
		g := res.Identities[i]
		switch {
		case g.Class != w.class || g.Ambiguous != w.ambiguous:
			t.Errorf("identity %d: class %d ambiguous %t, want %d %t", i, g.Class, g.Ambiguous, w.class, w.ambiguous)
		case g.Email != w.email || g.Username != w.username || g.DisplayName != w.display:
			t.Errorf("identity %d: primaries %q %q %q, want %q %q %q", i, g.Email, g.Username, g.DisplayName, w.email, w.username, w.display)
		case !slices.Equal(g.EmailAliases, w.emailAliases) || !slices.Equal(g.UsernameAliases, w.usernameAliases) ||
			!slices.Equal(g.DisplayNameAliases, w.displayAliases):
			t.Errorf("identity %d: aliases %q %q %q, want %q %q %q", i, g.EmailAliases, g.UsernameAliases, g.DisplayNameAliases,
				w.emailAliases, w.usernameAliases, w.displayAliases)
		case !slices.Equal(g.Duplicates, w.duplicates):
			t.Errorf("identity %d: duplicates %v, want %v", i, g.Duplicates, w.duplicates)
		case !slices.Equal(g.Observations, w.obs):
			t.Errorf("identity %d: observations %v, want %v", i, g.Observations, w.obs)
		}
	}
	if t.Failed() {
		t.Logf("result:\n%s", dump(obs, res))
	}
}

// TestWorkedExamples is the table at the end of spec 02-identity.md, one
// case per row.
func TestWorkedExamples(t *testing.T) {
	tests := []struct {
		name string
		obs  []Observation
		want []want
	}{{
		name: "one email, two usernames in two systems",
		obs: []Observation{
			ob("Jira", "alice@x.com", "asmith", ""),
			ob("ADO", "alice@x.com", "alice", ""), // ALICE@x.com, normalised by the reader
		},
		want: []want{{
			class: ClassUsernameOrEmail, email: "alice@x.com",
			username: "alice", usernameAliases: []string{"asmith"}, // tie: smallest value
			duplicates: []Duplicate{{"alice", "ADO"}, {"asmith", "Jira"}},
			obs:        []int{0, 1},
		}},
	}, {
		name: "email-only joins class 1 by local part",
		obs: []Observation{
			ob("Jira", "jdoe@a.com", "john", ""),
			ob("SNOW", "john@b.com", "", ""),
		},
		want: []want{{
			class: ClassUsernameOrEmail, email: "jdoe@a.com", emailAliases: []string{"john@b.com"},
			username: "john", obs: []int{0, 1},
		}},
	}, {
		name: "emails grouped by full email",
		obs: []Observation{
			ob("SNOW", "bob@x.com", "", ""),
			ob("SNOW", "bob@x.com", "", ""), // BOB@x.com, normalised
			ob("GitHub", "bob@y.com", "", ""),
		},
		want: []want{
			{class: ClassEmail, email: "bob@x.com", obs: []int{0, 1}},
			{class: ClassEmail, email: "bob@y.com", obs: []int{2}},
		},
	}, {
		name: "display name joins class 1",
		obs: []Observation{
			ob("Jira", "carol@x.com", "carol", "Carol King"),
			at(ob("SNOW", "", "", "carol  king"), 1, 5, 5),
		},
		want: []want{{
			class: ClassUsernameOrEmail, email: "carol@x.com", username: "carol",
			display: "Carol King", // first spelling: Jira was earlier
			obs:     []int{0, 1},
		}},
	}, {
		name: "display name of two class-1 users is ambiguous",
		obs: []Observation{
			ob("Jira", "sam.lee@x.com", "slee", "Sam Lee"),
			ob("ADO", "samuel@y.com", "samuel", "Sam Lee"),
			ob("SNOW", "", "", "Sam Lee"),
		},
		want: []want{
			{class: ClassUsernameOrEmail, email: "sam.lee@x.com", username: "slee", display: "Sam Lee", obs: []int{0}},
			{class: ClassUsernameOrEmail, email: "samuel@y.com", username: "samuel", display: "Sam Lee", obs: []int{1}},
			{class: ClassDisplayName, ambiguous: true, display: "Sam Lee", obs: []int{2}},
		},
	}, {
		name: "display name with username, then username only",
		obs: []Observation{
			ob("SNOW", "", "dave", "Dave O"),
			ob("GitHub", "", "dave", ""),
		},
		want: []want{{class: ClassDisplayName, username: "dave", display: "Dave O", obs: []int{0, 1}}},
	}, {
		name: "usernames compare case-insensitively",
		obs: []Observation{
			at(ob("GitHub", "", "erin", ""), 1, 2, 2),
			at(ob("GitLab", "", "ERIN", ""), 1, 1, 1),
		},
		want: []want{{class: ClassUsername, username: "ERIN", obs: []int{0, 1}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, tt.obs, Resolve(tt.obs, Options{}), tt.want)
		})
	}
}

func TestClassRules(t *testing.T) {
	tests := []struct {
		name string
		obs  []Observation
		want []want
	}{{
		name: "class 1 joins username to local part both ways",
		obs: []Observation{
			ob("Jira", "jdoe@corp.com", "john.doe", ""),
			ob("ADO", "john.doe@corp.com", "JDOE", ""),
		},
		want: []want{{
			class: ClassUsernameOrEmail, email: "jdoe@corp.com", emailAliases: []string{"john.doe@corp.com"},
			username: "JDOE", usernameAliases: []string{"john.doe"}, obs: []int{0, 1},
		}},
	}, {
		name: "class 1 is transitive and keeps unrelated users apart",
		obs: []Observation{
			ob("A", "a@x.com", "b", ""),
			ob("A", "c@z.com", "d", ""),
			ob("A", "b@y.com", "c", ""),
			ob("A", "e@x.com", "f", ""),
		},
		want: []want{
			{class: ClassUsernameOrEmail, email: "a@x.com", emailAliases: []string{"b@y.com", "c@z.com"},
				username: "b", usernameAliases: []string{"c", "d"}, obs: []int{0, 1, 2}},
			{class: ClassUsernameOrEmail, email: "e@x.com", username: "f", obs: []int{3}},
		},
	}, {
		name: "class 1 same local part on two domains is one user",
		obs: []Observation{
			ob("A", "kim@x.com", "k1", ""),
			ob("B", "kim@y.com", "k2", ""),
		},
		want: []want{{
			class: ClassUsernameOrEmail, email: "kim@x.com", emailAliases: []string{"kim@y.com"},
			username: "k1", usernameAliases: []string{"k2"}, obs: []int{0, 1},
		}},
	}, {
		name: "class 2 joins class 1 through a username key or a local-part key",
		obs: []Observation{
			ob("Jira", "jdoe@a.com", "john", ""),
			ob("SNOW", "jdoe@b.com", "", ""),
			ob("SNOW", "john@c.com", "", ""),
			ob("SNOW", "mary@c.com", "", ""),
		},
		want: []want{
			{class: ClassUsernameOrEmail, email: "jdoe@a.com", emailAliases: []string{"jdoe@b.com", "john@c.com"},
				username: "john", obs: []int{0, 1, 2}},
			{class: ClassEmail, email: "mary@c.com", obs: []int{3}},
		},
	}, {
		name: "class 3 display names and usernames are separate key spaces",
		obs: []Observation{
			ob("SNOW", "", "", "dave"),
			ob("SNOW", "", "dave", "Dave X"),
		},
		want: []want{
			{class: ClassDisplayName, username: "dave", display: "Dave X", obs: []int{1}},
			{class: ClassDisplayName, display: "dave", obs: []int{0}},
		},
	}, {
		name: "class 3 display name does not meet a class-1 username",
		obs: []Observation{
			ob("Jira", "dave@x.com", "dave", ""),
			ob("SNOW", "", "", "Dave"),
		},
		want: []want{
			{class: ClassUsernameOrEmail, email: "dave@x.com", username: "dave", obs: []int{0}},
			{class: ClassDisplayName, display: "Dave", obs: []int{1}},
		},
	}, {
		name: "class 3 unions display names through a shared username",
		obs: []Observation{
			at(ob("SNOW", "", "ann", "Ann A"), 1, 0, 0),
			at(ob("GitHub", "", "ANN", "Ann B"), 2, 1, 1),
			at(ob("GitHub", "", "annie", "Ann B"), 1, 2, 2),
		},
		want: []want{{
			class: ClassDisplayName, username: "ann", usernameAliases: []string{"annie"},
			display: "Ann B", displayAliases: []string{"Ann A"}, obs: []int{0, 1, 2},
		}},
	}, {
		name: "class 3 joins the class-1 owner of its username",
		obs: []Observation{
			ob("Jira", "dana@x.com", "dana", ""),
			ob("SNOW", "", "DANA", "Dana S"),
		},
		want: []want{{
			// dana and DANA tie on time: the smallest spelling shows.
			class: ClassUsernameOrEmail, email: "dana@x.com", username: "DANA", display: "Dana S", obs: []int{0, 1},
		}},
	}, {
		name: "class 3 joins a class-2 identity carrying its display name",
		obs: []Observation{
			ob("SNOW", "pat@x.com", "", "Pat Q"),
			ob("GitHub", "", "", "pat  q"),
		},
		want: []want{{class: ClassEmail, email: "pat@x.com", display: "Pat Q", obs: []int{0, 1}}},
	}, {
		name: "class 3 component joins as a whole",
		obs: []Observation{
			ob("Jira", "kim@x.com", "kimj", "Kim B"),
			ob("SNOW", "", "kim", "Kim A"),
			ob("GitHub", "", "kim", "Kim B"),
		},
		want: []want{{
			class: ClassUsernameOrEmail, email: "kim@x.com", username: "kim", usernameAliases: []string{"kimj"},
			display: "Kim B", displayAliases: []string{"Kim A"}, obs: []int{0, 1, 2},
		}},
	}, {
		name: "class 3 with one candidate by both routes is not ambiguous",
		obs: []Observation{
			ob("Jira", "dana@x.com", "dana", "Dana S"),
			ob("SNOW", "", "dana", "Dana S"),
		},
		want: []want{{class: ClassUsernameOrEmail, email: "dana@x.com", username: "dana", display: "Dana S", obs: []int{0, 1}}},
	}, {
		name: "class 3 username and display name point at different identities",
		obs: []Observation{
			ob("Jira", "dana@x.com", "dana", ""),
			ob("ADO", "ds@y.com", "ds", "Dana S"),
			ob("SNOW", "", "dana", "Dana S"),
		},
		want: []want{
			{class: ClassUsernameOrEmail, email: "dana@x.com", username: "dana", obs: []int{0}},
			{class: ClassUsernameOrEmail, email: "ds@y.com", username: "ds", display: "Dana S", obs: []int{1}},
			{class: ClassDisplayName, ambiguous: true, username: "dana", display: "Dana S", obs: []int{2}},
		},
	}, {
		name: "class 3 does not join a class-2 identity by local part",
		obs: []Observation{
			ob("SNOW", "lee@x.com", "", ""),
			ob("GitHub", "", "lee", "Lee"),
		},
		want: []want{
			{class: ClassEmail, email: "lee@x.com", obs: []int{0}},
			{class: ClassDisplayName, username: "lee", display: "Lee", obs: []int{1}},
		},
	}, {
		name: "class 4 joins the class-1 owner of a local-part key",
		obs: []Observation{
			ob("Jira", "jdoe@corp.com", "john", ""),
			ob("GitHub", "", "JDOE", ""),
		},
		want: []want{{
			// jdoe and john tie: the smallest normalised value is primary.
			class: ClassUsernameOrEmail, email: "jdoe@corp.com", username: "JDOE", usernameAliases: []string{"john"}, obs: []int{0, 1},
		}},
	}, {
		name: "class 4 follows class 3 into a class-1 identity",
		obs: []Observation{
			ob("Jira", "d@x.com", "dd", "Dave O"),
			ob("SNOW", "", "dave", "dave o"),
			ob("GitHub", "", "Dave", ""),
		},
		want: []want{{
			class: ClassUsernameOrEmail, email: "d@x.com", username: "Dave", usernameAliases: []string{"dd"},
			display: "Dave O", obs: []int{0, 1, 2},
		}},
	}, {
		name: "class 4 joins an ambiguous class-3 identity",
		obs: []Observation{
			ob("Jira", "x@x.com", "x", "Sam Lee"),
			ob("ADO", "y@y.com", "y", "Sam Lee"),
			ob("SNOW", "", "sam", "Sam Lee"),
			ob("GitHub", "", "sam", ""),
		},
		want: []want{
			{class: ClassUsernameOrEmail, email: "x@x.com", username: "x", display: "Sam Lee", obs: []int{0}},
			{class: ClassUsernameOrEmail, email: "y@y.com", username: "y", display: "Sam Lee", obs: []int{1}},
			{class: ClassDisplayName, ambiguous: true, username: "sam", display: "Sam Lee", obs: []int{2, 3}},
		},
	}, {
		name: "class 4 prefers the class-1 owner over class 3",
		obs: []Observation{
			ob("Jira", "kim@x.com", "kim", ""),
			ob("ADO", "other@y.com", "other", "Kim Y"),
			ob("SNOW", "", "kim", "Kim Y"), // ambiguous: kim -> first, Kim Y -> second
			ob("GitHub", "", "kim", ""),
		},
		want: []want{
			{class: ClassUsernameOrEmail, email: "kim@x.com", username: "kim", obs: []int{0, 3}},
			{class: ClassUsernameOrEmail, email: "other@y.com", username: "other", display: "Kim Y", obs: []int{1}},
			{class: ClassDisplayName, ambiguous: true, username: "kim", display: "Kim Y", obs: []int{2}},
		},
	}, {
		name: "class 4 does not join a class-2 identity by local part",
		obs: []Observation{
			ob("SNOW", "erin@x.com", "", ""),
			ob("GitHub", "", "erin", ""),
		},
		want: []want{
			{class: ClassEmail, email: "erin@x.com", obs: []int{0}},
			{class: ClassUsername, username: "erin", obs: []int{1}},
		},
	}, {
		name: "observations are normalised defensively",
		obs: []Observation{
			ob("Jira", " ALICE@X.com ", " Alice ", "  Alice   Smith "),
			at(ob("ADO", "alice@x.com", "alice", "alice smith"), 1, 1, 1),
		},
		want: []want{{class: ClassUsernameOrEmail, email: "ALICE@X.com", username: "Alice", display: "Alice   Smith", obs: []int{0, 1}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, tt.obs, Resolve(tt.obs, Options{}), tt.want)
		})
	}
}

func TestAnonymous(t *testing.T) {
	obs := []Observation{
		at(Observation{System: "Jira", FirstName: "Ann", UserID: "7"}, 3, 0, 0),
		at(Observation{System: "SNOW", DisplayName: " \t ", ServiceAccount: true}, 2, 0, 0),
		ob("SNOW", "", "ann", ""),
		at(Observation{}, 0, 0, 0),
	}
	res := Resolve(obs, Options{})
	if res.Anonymous != 5 {
		t.Errorf("Anonymous = %d, want 5", res.Anonymous)
	}
	expect(t, obs, res, []want{{class: ClassUsername, username: "ann", obs: []int{2}}})
	if got := res.Identities[0]; got.FirstName != "" || got.ServiceAccount {
		t.Errorf("anonymous observations leaked into %+v", got)
	}
}

func TestPrimaryValues(t *testing.T) {
	tests := []struct {
		name string
		obs  []Observation
		want want
	}{{
		name: "most observations counts records, not observations",
		obs: []Observation{
			at(ob("A", "", "bee", "B"), 5, 0, 0),
			at(ob("A", "", "bee", "A"), 1, 0, 0),
			at(ob("B", "", "bee", "A"), 1, 0, 0),
			at(ob("C", "", "bee", "A"), 1, 0, 0),
		},
		want: want{class: ClassDisplayName, username: "bee", display: "B", displayAliases: []string{"A"}, obs: []int{0, 1, 2, 3}},
	}, {
		name: "tie goes to the most recently observed",
		obs: []Observation{
			at(ob("A", "", "zed", "Zed"), 2, 0, 10),
			at(ob("A", "", "abe", "Zed"), 2, 5, 20),
		},
		want: want{class: ClassDisplayName, username: "abe", usernameAliases: []string{"zed"}, display: "Zed", obs: []int{0, 1}},
	}, {
		name: "tie on time goes to the smallest normalised value",
		obs: []Observation{
			at(ob("A", "", "Zed", "Zed"), 2, 0, 10),
			at(ob("A", "", "abe", "Zed"), 2, 0, 10),
		},
		want: want{class: ClassDisplayName, username: "abe", usernameAliases: []string{"Zed"}, display: "Zed", obs: []int{0, 1}},
	}, {
		name: "shown in the spelling observed first",
		obs: []Observation{
			at(ob("A", "", "JSmith", "John SMITH"), 1, 10, 10),
			at(ob("B", "", "jsmith", "john  smith"), 1, 5, 5),
			at(ob("C", "", "JSMITH", "JOHN SMITH"), 1, 20, 20),
		},
		want: want{class: ClassDisplayName, username: "jsmith", display: "john  smith", obs: []int{0, 1, 2}},
	}, {
		name: "first spelling tie goes to the smallest string",
		obs: []Observation{
			at(ob("A", "", "jsmith", "john smith"), 1, 5, 5),
			at(ob("B", "", "JSmith", "John Smith"), 1, 5, 5),
		},
		want: want{class: ClassDisplayName, username: "JSmith", display: "John Smith", obs: []int{0, 1}},
	}, {
		name: "aliases are every other value in first spelling, sorted",
		obs: []Observation{
			at(ob("A", "main@x.com", "Main", ""), 3, 0, 0),
			at(ob("A", "zz@x.com", "main", ""), 1, 1, 1),
			at(ob("B", "MAIN@y.com", "Beta", ""), 1, 2, 2),
			at(ob("B", "main@y.com", "beta", ""), 1, 1, 1),
			at(ob("C", "", "Alpha", "Alpha"), 1, 3, 3),
			at(ob("C", "", "main", "Alpha"), 1, 3, 3),
		},
		want: want{
			class: ClassUsernameOrEmail,
			email: "main@x.com", emailAliases: []string{"main@y.com", "zz@x.com"},
			username: "Main", usernameAliases: []string{"Alpha", "beta"},
			display: "Alpha", obs: []int{0, 1, 2, 3, 4, 5},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, tt.obs, Resolve(tt.obs, Options{}), []want{tt.want})
		})
	}
}

func TestPersonNames(t *testing.T) {
	obs := []Observation{
		{System: "A", Username: "ann", FirstName: "ANN", LastName: "Lee", Company: "Acme  Inc", Count: 1, First: t0 + 5, Last: t0 + 5},
		{System: "A", Username: "ann", FirstName: "Ann", LastName: "Li", Company: "acme inc", Count: 1, First: t0 + 1, Last: t0 + 1},
		{System: "B", Username: "ann", FirstName: "Anne", LastName: "Li", Count: 1, First: t0 + 9, Last: t0 + 9},
	}
	res := Resolve(obs, Options{})
	checkInvariants(t, obs, res)
	if len(res.Identities) != 1 {
		t.Fatalf("got %d identities, want 1", len(res.Identities))
	}
	// Ann is on two observations (ANN, Ann), Li on two, acme inc on two.
	got := res.Identities[0]
	if got.FirstName != "Ann" || got.LastName != "Li" || got.Company != "acme inc" {
		t.Errorf("names = %q %q %q, want Ann Li acme inc", got.FirstName, got.LastName, got.Company)
	}
}

func TestCarriedAttributes(t *testing.T) {
	obs := []Observation{
		{System: "Jira", Email: "a@x.com", Username: "a", Interactions: []string{"comment", "mention"}, Count: 2, First: t0 + 10, Last: t0 + 50},
		{System: "ADO", Email: "a@x.com", Username: "a", Interactions: []string{"update", "comment"}, Count: 1, First: t0 + 30, Last: t0 + 40},
		{System: "Jira", Email: "a@x.com", Count: 1, First: t0 + 5, Last: t0 + 20},
		{System: "", Username: "a", Interactions: []string{" ", "creator"}, Count: 1, First: t0 + 60, Last: t0 + 70},
	}
	res := Resolve(obs, Options{})
	checkInvariants(t, obs, res)
	if len(res.Identities) != 1 {
		t.Fatalf("got %d identities, want 1", len(res.Identities))
	}
	got := res.Identities[0]
	wantSystems := []SystemSeen{{"", t0 + 60, t0 + 70}, {"ADO", t0 + 30, t0 + 40}, {"Jira", t0 + 5, t0 + 50}}
	if !slices.Equal(got.Systems, wantSystems) {
		t.Errorf("Systems = %v, want %v", got.Systems, wantSystems)
	}
	if want := []string{"comment", "creator", "mention", "update"}; !slices.Equal(got.Interactions, want) {
		t.Errorf("Interactions = %q, want %q", got.Interactions, want)
	}
	if got.LastSeen != t0+70 {
		t.Errorf("LastSeen = %d, want %d", got.LastSeen-t0, 70)
	}
	if got.ServiceAccount {
		t.Error("ServiceAccount set without a flag or pattern")
	}
}

func TestDuplicates(t *testing.T) {
	tests := []struct {
		name string
		obs  []Observation
		want []Duplicate
	}{{
		name: "two usernames in one system",
		obs:  []Observation{ob("Jira", "a@x.com", "asmith", ""), ob("Jira", "a@x.com", "alice", "")},
	}, {
		name: "one username in two systems",
		obs:  []Observation{ob("Jira", "a@x.com", "alice", ""), ob("ADO", "a@x.com", "ALICE", "")},
	}, {
		name: "different emails, each with one username",
		obs:  []Observation{ob("Jira", "a@x.com", "a", ""), ob("ADO", "a@y.com", "b", "")},
	}, {
		name: "every pair of the email is listed",
		obs: []Observation{
			ob("Jira", "a@x.com", "asmith", ""),
			ob("Jira", "a@x.com", "Alice", ""),
			at(ob("ADO", "a@x.com", "alice", ""), 1, 1, 1),
			ob("SNOW", "a@x.com", "", ""),
		},
		want: []Duplicate{{"Alice", "ADO"}, {"Alice", "Jira"}, {"asmith", "Jira"}},
	}, {
		name: "only the email that has duplicates",
		obs: []Observation{
			ob("Jira", "a@x.com", "a", ""),
			ob("ADO", "a@x.com", "b", ""),
			ob("GitHub", "a@y.com", "c", ""),
		},
		want: []Duplicate{{"b", "ADO"}, {"a", "Jira"}},
	}, {
		name: "a pair shared by two emails is listed once",
		obs: []Observation{
			ob("Jira", "a@x.com", "a", ""),
			ob("ADO", "a@x.com", "b", ""),
			ob("Jira", "a@y.com", "a", ""),
			ob("GitHub", "a@y.com", "c", ""),
		},
		want: []Duplicate{{"b", "ADO"}, {"c", "GitHub"}, {"a", "Jira"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Resolve(tt.obs, Options{})
			checkInvariants(t, tt.obs, res)
			if len(res.Identities) != 1 {
				t.Fatalf("got %d identities, want 1", len(res.Identities))
			}
			if got := res.Identities[0].Duplicates; !slices.Equal(got, tt.want) {
				t.Errorf("Duplicates = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestServiceAccount(t *testing.T) {
	tests := []struct {
		name     string
		obs      Observation
		patterns []string
		want     bool
	}{
		{"flagged", Observation{Username: "jira-bot", ServiceAccount: true}, nil, true},
		{"not flagged, no patterns", Observation{Username: "jira-bot"}, nil, false},
		{"username glob", Observation{Username: "Jira-Bot"}, []string{"*-bot"}, true},
		{"email glob", Observation{Email: "sync@svc.example.com", DisplayName: "Sync"}, []string{"*@svc.example.com"}, true},
		{"pattern is case-insensitive", Observation{Email: "sync@svc.example.com"}, []string{"*@SVC.EXAMPLE.COM"}, true},
		{"local part alone is not the email", Observation{Email: "svc@x.com"}, []string{"svc"}, false},
		{"display name is not matched", Observation{DisplayName: "svc-bot"}, []string{"svc-*"}, false},
		{"one of several patterns", Observation{Username: "build"}, []string{"x*", "[ab]uild"}, true},
		{"invalid pattern is ignored", Observation{Username: "x"}, []string{"[", "y"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.obs.Count, tt.obs.First, tt.obs.Last = 1, t0, t0
			// A second, plain observation of the same user: the flag is any.
			plain := tt.obs
			plain.ServiceAccount = false
			obs := []Observation{plain, tt.obs}
			res := Resolve(obs, Options{ServiceAccountPatterns: tt.patterns})
			checkInvariants(t, obs, res)
			if len(res.Identities) != 1 {
				t.Fatalf("got %d identities, want 1", len(res.Identities))
			}
			if got := res.Identities[0].ServiceAccount; got != tt.want {
				t.Errorf("ServiceAccount = %t, want %t", got, tt.want)
			}
		})
	}
}

func TestValidatePatterns(t *testing.T) {
	tests := []struct {
		patterns []string
		wantErr  string
	}{
		{nil, ""},
		{[]string{"*-bot", "svc@*", "[a-z]*"}, ""},
		{[]string{"ok*", "[a-"}, `"[a-"`},
		{[]string{"x\\"}, `"x\\`},
		{[]string{" "}, "empty"},
	}
	for _, tt := range tests {
		err := ValidatePatterns(tt.patterns)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ValidatePatterns(%q) = %v, want nil", tt.patterns, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ValidatePatterns(%q) = %v, want an error containing %s", tt.patterns, err, tt.wantErr)
		}
	}
}

// derived is the profile id expected for a class key.
func derived(classKey string) string {
	sum := sha256.Sum256([]byte(classKey))
	return "u-" + hex.EncodeToString(sum[:8])
}

func TestProfileID(t *testing.T) {
	withID := func(o Observation, id string) Observation { o.UserID = id; return o }
	tests := []struct {
		name string
		obs  []Observation
		want []string // profile ids in result order
	}{{
		name: "consistent user_id",
		obs:  []Observation{withID(ob("Jira", "a@x.com", "a", ""), "557058:1"), ob("ADO", "a@x.com", "a", ""), withID(ob("Jira", "", "a", ""), "557058:1")},
		want: []string{"557058:1"},
	}, {
		name: "inconsistent user_id falls back to the smallest class key",
		obs:  []Observation{withID(ob("Jira", "zed@x.com", "b", ""), "1"), withID(ob("ADO", "zed@x.com", "b", ""), "2")},
		want: []string{derived("1:b")},
	}, {
		name: "no user_id, per class",
		obs: []Observation{
			ob("Jira", "kim@x.com", "al", ""),
			ob("SNOW", "bob@x.com", "", ""),
			ob("SNOW", "", "", "Dave  O"),
			ob("SNOW", "", "zoe", "Dave X"),
			ob("GitHub", "", "erin", ""),
		},
		// Sorted by email, then username, then display name; empty last.
		want: []string{derived("2:bob@x.com"), derived("1:al"), derived("4:erin"), derived("3:dave x"), derived("3:dave o")},
	}, {
		name: "user_id claimed by two identities is not used",
		obs:  []Observation{withID(ob("Jira", "a@x.com", "a", ""), "42"), withID(ob("ADO", "b@x.com", "b", ""), "42"), withID(ob("ADO", "c@x.com", "c", ""), "43")},
		want: []string{derived("1:a"), derived("1:b"), "43"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Resolve(tt.obs, Options{})
			checkInvariants(t, tt.obs, res)
			var got []string
			for _, id := range res.Identities {
				got = append(got, id.ProfileID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("profile ids = %q, want %q", got, tt.want)
			}
			// Identical on another run over the same data in another order.
			again := slices.Clone(tt.obs)
			slices.Reverse(again)
			if d1, d2 := dump(tt.obs, res), dump(again, Resolve(again, Options{})); d1 != d2 {
				t.Errorf("second run differs:\n%s\nvs\n%s", d1, d2)
			}
		})
	}
}

func TestOrder(t *testing.T) {
	obs := []Observation{
		ob("A", "", "", "zed"),
		ob("A", "", "Bob", ""),
		ob("A", "", "alice", ""),
		ob("A", "", "carl", "Carl"),
		ob("A", "B@y.com", "", ""),
		ob("A", "a@z.com", "", ""),
		ob("A", "", "", "Amy"),
	}
	res := Resolve(obs, Options{})
	checkInvariants(t, obs, res)
	var got []string
	for _, id := range res.Identities {
		got = append(got, id.Email+"|"+id.Username+"|"+id.DisplayName)
	}
	want := []string{"a@z.com||", "B@y.com||", "|alice|", "|Bob|", "|carl|Carl", "||Amy", "||zed"}
	if !slices.Equal(got, want) {
		t.Errorf("order = %q, want %q", got, want)
	}
}

func TestEmpty(t *testing.T) {
	res := Resolve(nil, Options{})
	if len(res.Identities) != 0 || res.Anonymous != 0 {
		t.Errorf("Resolve(nil) = %+v", res)
	}
}
