package identity

import (
	"bytes"
	"testing"

	"github.com/usagerep/usagerep/pkg/record"
)

// A key names its observation, whatever bytes the fields hold, and keys
// are equal exactly when the observations are.
func TestObservationKeyRoundTrip(t *testing.T) {
	users := []record.User{
		{},
		{Username: "jdoe", DisplayName: "John  Doe", FirstName: "John", LastName: "Doe", Company: "Acme", UserID: "42", ServiceAccount: true},
		{Username: "a\x00b", DisplayName: "\xff", UserID: string(make([]byte, 300))},
		{Username: "jdoe", DisplayName: "John Doe"}, // differs from the second only in spelling and attributes
	}
	var keys [][]byte
	for i := range users {
		u := &users[i]
		email := []byte("x@y.com")
		if i == 0 {
			email = nil
		}
		k := AppendKey([]byte("prefix"), "Jira", email, u)
		if !bytes.HasPrefix(k, []byte("prefix")) {
			t.Fatalf("AppendKey did not append")
		}
		k = k[len("prefix"):]
		o, ok := ParseKey(string(k))
		want := Observation{System: "Jira", Email: string(email), Username: u.Username, DisplayName: u.DisplayName,
			FirstName: u.FirstName, LastName: u.LastName, Company: u.Company, UserID: u.UserID, ServiceAccount: u.ServiceAccount}
		if !ok || o.System != want.System || o.Email != want.Email || o.Username != want.Username ||
			o.DisplayName != want.DisplayName || o.FirstName != want.FirstName || o.LastName != want.LastName ||
			o.Company != want.Company || o.UserID != want.UserID || o.ServiceAccount != want.ServiceAccount {
			t.Errorf("ParseKey(AppendKey(%+v)) = %+v, %t", *u, o, ok)
		}
		for j, other := range keys {
			if bytes.Equal(other, k) {
				t.Errorf("users %d and %d have one key", j, i)
			}
		}
		keys = append(keys, k)
	}
	for _, bad := range []string{"", "\x05ab", string(keys[1][:len(keys[1])-1]), string(keys[1]) + "x"} {
		if _, ok := ParseKey(bad); ok {
			t.Errorf("ParseKey(%q) took a key AppendKey does not make", bad)
		}
	}
}

func TestKeySystem(t *testing.T) {
	u := record.User{Username: "jdoe"}
	if got := KeySystem(string(AppendKey(nil, "Jira Cloud", nil, &u))); got != "Jira Cloud" {
		t.Errorf("KeySystem = %q, want %q", got, "Jira Cloud")
	}
	if got := KeySystem("\x09ab"); got != "" {
		t.Errorf("KeySystem of a malformed key = %q, want empty", got)
	}
}

func TestKeyer(t *testing.T) {
	var k Keyer
	u := record.User{Email: "Alice@X.com", Username: "alice"}
	key, ok := k.Key("Jira", &u)
	want := AppendKey(nil, "Jira", []byte("alice@x.com"), &u)
	if !ok || !bytes.Equal(key, want) {
		t.Errorf("Key = %q, %t; want %q with the email normalised", key, ok, want)
	}
	if got := string(k.Email()); got != "alice@x.com" {
		t.Errorf("Email = %q, want the normalised email", got)
	}
	if _, ok := k.Key("Jira", &record.User{Email: "nope", Username: "bob"}); !ok || k.Email() != nil {
		t.Errorf("after a key without a valid email, Email = %q, want nil", k.Email())
	}
	for _, nobody := range []record.User{{}, {Email: "not an email"}, {FirstName: "Al", UserID: "7"}} {
		if key, ok := k.Key("Jira", &nobody); ok {
			t.Errorf("%+v names nobody, got key %q", nobody, key)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { k.Key("Jira", &u) }); allocs != 0 {
		t.Errorf("Key allocates %.0f times once its buffers have grown", allocs)
	}
}
