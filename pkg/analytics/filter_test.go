package analytics

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/record"
)

func mustTime(t testing.TB, s string) int64 {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UnixNano()
}

// filterRecord is the record the filter cases test.
func filterRecord(t testing.TB) *record.Record {
	r := &record.Record{
		Time: mustTime(t, "2026-03-03T10:15:00Z"), Kind: record.KindSync,
		System: "Jira Cloud", Project: "WEB", Action: "comment", Category: "collab",
		Count: 3, Duration: 90, HasDuration: true, Plan: "Pro",
		IntegrationUpdated: record.NoTime,
		User:               record.User{Email: "alice@x.com", Username: "asmith"},
		Props:              []record.Prop{{Key: "os", Value: "Windows 11"}, {Key: "version", Value: "4.10.2"}, {Key: "build", Value: "120"}},
	}
	return r
}

func TestFilterMatch(t *testing.T) {
	r := filterRecord(t)
	var m Mention
	mentionOf(&m, r, nil)
	tests := []struct {
		expr string
		want bool
	}{
		{"system == Jira Cloud", true},
		{`system == "Jira Cloud"`, true},
		{"system != Jira Cloud", false},
		{"system==jira cloud", false}, // exact
		{"kind == sync", true},
		{"outcome == success", true},
		{"count > 2", true},
		{"count >= 3", true},
		{"count < 3", false},
		{"count in 1, 3", true},
		{"duration <= 90", true},
		{"duration > 90", false},
		{"time >= 2026-03-03", true},
		{"time < 2026-03-03T10:15:00Z", false},
		{"time <= 2026-03-03T10:15:00Z", true},
		{"integration_updated > 2020-01-01", false}, // absent
		{"integration_updated != 2020-01-01", true},
		{"props.os == Windows 11", true},
		{"props.os ~ ^Win", true},
		{"props.os ~ (?i)windows", true},
		{"props.os ~ Mac", false},
		{"props.missing == x", false},
		{"props.missing != x", true},
		{`props.missing == ""`, true},
		{"props.missing < z", false}, // absent: no order
		{"props.build > 99", true},   // numbers compare as numbers
		{"props.build > 1000", false},
		{"props.version > 4.9", false}, // not a number: compared as text, "4.10.2" < "4.9"
		{"props.os in [Linux, Windows 11]", true},
		{`props.os in ("Linux", "Mac")`, false},
		{"email ~ @x\\.com$", true},
		{"username == asmith", true},
		{"service_account == false", true},
		{"service_account == yes", false},
		{"plan in Pro,Team", true},
		{"category == collab", true},
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.expr, time.UTC)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tt.expr, err)
			continue
		}
		if got := f.Match(&m); got != tt.want {
			t.Errorf("%q on the record = %v, want %v", tt.expr, got, tt.want)
		}
	}
}

// A users[] element is matched on its own user fields and overrides.
func TestFilterElement(t *testing.T) {
	r := filterRecord(t)
	r.Users = []record.UserElem{{User: record.User{Username: "bob"}, System: "GitHub", Time: record.NoTime}}
	var m Mention
	mentionOf(&m, r, &r.Users[0])
	for expr, want := range map[string]bool{
		"username == bob": true, "email == alice@x.com": false, "system == GitHub": true, "project == WEB": true,
	} {
		f, err := ParseFilter(expr, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(&m); got != want {
			t.Errorf("%q on the element = %v, want %v", expr, got, want)
		}
	}
}

func TestParseFilterErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"", "want FIELD OP VALUE"},
		{"system", "want FIELD OP VALUE"},
		{"== x", "no field"},
		{"colour == red", `unknown field "colour"`},
		// Canonical fields that hold other fields are no filter's.
		{"users == x", `unknown field "users"`},
		{"props == x", `unknown field "props"`},
		{"props. == x", "no property name"},
		{"system = x", "use =="},
		{"system x", "want an operator"},
		{"system ==", "no value"},
		{`system == "open`, "bad quoted value"},
		{"system ~ (", "~:"},
		{"count > many", "compares with a number"},
		{"time > soon", "not a time"},
		{"time ~ 2026", "does not apply"},
		{"service_account == maybe", "true or false"},
		{"system in", "in: no values"},
		{"system in []", "in: no values"},
		{"system in a,,b", "empty item"},
		{`system in "a" b`, "text after a quoted value"},
	}
	for _, tt := range tests {
		_, err := ParseFilter(tt.expr, time.UTC)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseFilter(%q) = %v, want an error with %q", tt.expr, err, tt.want)
		}
	}
}

// A time value without a zone is in the report's zone.
func TestFilterTimeZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFilter("time >= 2026-03-03 11:15:00", paris)
	if err != nil {
		t.Fatal(err)
	}
	var m Mention
	mentionOf(&m, filterRecord(t), nil) // 10:15 UTC is 11:15 in Paris
	if !f.Match(&m) {
		t.Error("10:15Z is not >= 11:15 Paris time")
	}
	m.Time--
	if f.Match(&m) {
		t.Error("a nanosecond earlier still matches")
	}
}

func TestFilterMatchAllocs(t *testing.T) {
	r := filterRecord(t)
	var m Mention
	mentionOf(&m, r, nil)
	exprs := []string{"count > 1", "props.version > 4", "time >= 2026-01-01", "plan in a,b,c,d,e,f,g,h,i,Pro"}
	if !raceEnabled {
		exprs = append(exprs, "props.os ~ ^Win", "duration ~ 9")
	}
	var fs []*Filter
	for _, e := range exprs {
		f, err := ParseFilter(e, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	if n := testing.AllocsPerRun(100, func() { MatchAll(fs, &m) }); n != 0 {
		t.Errorf("MatchAll allocates %v times per mention, want 0", n)
	}
}

// FuzzParseFilter: parsing never panics, and a parsed filter written with
// String parses back to the same filter.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"system == Jira", `props.os ~ "^Win"`, "count >= 3", "plan in [a, \"b,c\"]", "time < 2026-03-01",
		"props.x != \"\"", "service_account == true", "duration in (1, 2.5)", "a", "props.=", `email in "x`,
	} {
		f.Add(s)
	}
	r := filterRecord(f)
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(s, time.UTC)
		if err != nil {
			return
		}
		back, err := ParseFilter(flt.String(), time.UTC)
		if err != nil {
			t.Fatalf("%q: String() = %q does not parse: %v", s, flt.String(), err)
		}
		if back.Field != flt.Field || back.Op != flt.Op || strings.Join(back.Values, "\x00") != strings.Join(flt.Values, "\x00") {
			t.Fatalf("%q: round trip gives %q, want %q", s, back.String(), flt.String())
		}
		var m Mention
		mentionOf(&m, r, nil)
		if back.Match(&m) != flt.Match(&m) {
			t.Fatalf("%q: the round trip matches differently", s)
		}
	})
}

// The fields a filter names are the canonical ones with a value, in
// their canonical order, each parsed with its kind.
func TestFieldNames(t *testing.T) {
	names := FieldNames()
	if len(names) != 30 || names[0] != "time" || names[len(names)-1] != "plan" || slices.Contains(names, "users") {
		t.Errorf("FieldNames() = %q, want time ... plan without props and users", names)
	}
	kinds := map[string]fieldKind{"time": kindTime, "integration_updated": kindTime, "count": kindNumber,
		"duration": kindNumber, "service_account": kindBool, "email": kindText, "props.os": kindProp}
	for name, want := range kinds {
		f, err := ParseField(name)
		if err != nil || f.kind != want || f.Name != name {
			t.Errorf("ParseField(%q) = %+v, %v; want kind %d", name, f, err, want)
		}
	}
}
