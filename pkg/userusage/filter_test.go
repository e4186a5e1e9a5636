package userusage

import (
	"strings"
	"testing"
	"time"
)

func TestParseFilters(t *testing.T) {
	tests := []struct {
		in   string
		want string // the conditions' String, joined by " AND "
	}{
		{"", ""},
		{"usage:num_events>10", "usage:num_events>10"},
		{"usage:num_events==10", "usage:num_events==10"},
		{"usage:num_events<>10", "usage:num_events<>10"},
		{"usage:num_events!=10", "usage:num_events<>10"},
		{"usage:num_events<10", "usage:num_events<10"},
		{"usage:num_events<=10", "usage:num_events<=10"},
		{"usage:num_events>=10", "usage:num_events>=10"},
		{" usage:num_events >= -3 , accounts:is_service_account==TRUE", "usage:num_events>=-3 AND accounts:is_service_account==TRUE"},
		// URL-encoded operators, as in the real API's query strings.
		{"usage:num_events%3C%3E10", "usage:num_events<>10"},
		{"usage:num_events%3C=10", "usage:num_events<=10"},
		{"usage:num_events%3E=10", "usage:num_events>=10"},
		{"usage:num_events%3E10", "usage:num_events>10"},
		{"usage:num_events%3c10", "usage:num_events<10"},
		{"accounts%3Ausername%3D%3Djo", "accounts:username==jo"},
		// %2C is a comma of the value, a bare comma separates.
		{"accounts:display_name==Doe%2C Jane,usage:num_x>1", "accounts:display_name==Doe, Jane AND usage:num_x>1"},
		// A '+' is not a space: datetime offsets survive.
		{"accounts:last_activity_time>2026-03-03T10:00:00+02:00", "accounts:last_activity_time>2026-03-03T10:00:00+02:00"},
		{"accounts:last_activity_time<2010-10-28T10:26:35.000Z", "accounts:last_activity_time<2010-10-28T10:26:35.000Z"},
		// Any other app's num_ parameter is an int.
		{"source_control:num_push_event>=2", "source_control:num_push_event>=2"},
		{"usage:num_events>1,,", "usage:num_events>1"},
	}
	for _, tt := range tests {
		conds, err := ParseFilters(tt.in)
		if err != nil {
			t.Errorf("ParseFilters(%q): %v", tt.in, err)
			continue
		}
		var got []string
		for _, c := range conds {
			got = append(got, c.String())
		}
		if s := strings.Join(got, " AND "); s != tt.want {
			t.Errorf("ParseFilters(%q) = %q, want %q", tt.in, s, tt.want)
		}
	}
}

func TestParseFiltersErrors(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"usage:num_events", `invalid filter "usage:num_events": no operator`},
		{"usage:num_events=1", `invalid filter "usage:num_events=1": unknown operator "="`},
		{"usage:num_events=>1", `unknown operator "=>"`},
		{"usage:num_events<>=1", `unknown operator "<>="`},
		{"usage:num_events!1", `unknown operator "!"`},
		{"usage:num_events>", `invalid filter "usage:num_events>": no value after >`},
		{">5", `no parameter name before the operator`},
		{"num_events>5", `parameter "num_events" is not app:name`},
		{"a:b:c>5", `parameter "a:b:c" is not app:name`},
		{"usage:num_events>ten", `usage:num_events is an int parameter; "ten" is not a whole number`},
		{"usage:num_events>1.5", `"1.5" is not a whole number`},
		{"usage:num_events>99999999999999999999", `is not a whole number`},
		{"accounts:last_activity_time>yesterday", `accounts:last_activity_time is a datetime parameter; "yesterday" is not an RFC 3339 time`},
		{"accounts:last_activity_time>3000-01-01T00:00:00Z", `outside the years 1678-2261`},
		{"accounts:is_service_account==yes", `accounts:is_service_account is a bool parameter; "yes" is not true or false`},
		{"accounts:is_service_account>true", `accounts:is_service_account is a bool parameter: only == and <> compare it`},
		{"accounts:username<bob", `accounts:username is a string parameter: only == and <> compare it`},
		{"accounts:creation_time>2026-01-01T00:00:00Z", `unknown parameter "accounts:creation_time"`},
		{"usage:num_events>1,usage:bogus==2", `invalid filter "usage:bogus==2": unknown parameter "usage:bogus"`},
		{"usage:num_events>100%", `invalid filter "usage:num_events>100%": bad URL encoding`},
	}
	for _, tt := range tests {
		_, err := ParseFilters(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseFilters(%q) error %v, want one containing %q", tt.in, err, tt.wantErr)
		}
	}
	if _, err := ParseFilters(strings.Repeat("usage:num_events>1,", 101)); err == nil {
		t.Error("101 conditions: no error")
	}
}

// TestConditionMatch compares each type by its own order.
func TestConditionMatch(t *testing.T) {
	at := time.Date(2026, 3, 3, 10, 26, 35, 0, time.UTC)
	params := []Parameter{
		{Name: "usage:num_events", Type: TypeInt, Int: 12},
		{Name: "accounts:is_service_account", Type: TypeBool, Bool: false},
		{Name: "accounts:username", Type: TypeString, String: "Bob"},
		{Name: "accounts:last_activity_time", Type: TypeDatetime, Time: at},
	}
	tests := []struct {
		filter string
		want   bool
	}{
		{"usage:num_events==12", true}, {"usage:num_events<>12", false}, {"usage:num_events!=11", true},
		{"usage:num_events<12", false}, {"usage:num_events<=12", true}, {"usage:num_events>11", true},
		{"usage:num_events>=13", false},
		// As numbers, not text: 9 < 12 although "9" > "12".
		{"usage:num_events>9", true},
		{"accounts:is_service_account==false", true}, {"accounts:is_service_account<>false", false},
		{"accounts:is_service_account==True", false},
		{"accounts:username==Bob", true}, {"accounts:username==bob", false}, {"accounts:username<>bob", true},
		// As instants: the same time in another offset is equal.
		{"accounts:last_activity_time==2026-03-03T12:26:35+02:00", true},
		{"accounts:last_activity_time>2026-03-03T10:26:34.999Z", true},
		{"accounts:last_activity_time>2026-03-03T10:26:35.000Z", false},
		{"accounts:last_activity_time<2026-03-03T10:26:35.001Z", true},
		// A parameter the user does not have: false, whatever the operator.
		{"usage:num_comment<>0", false},
		{"accounts:first_name<>x", false},
		// AND.
		{"usage:num_events>1,accounts:username==Bob", true},
		{"usage:num_events>1,accounts:username==Ann", false},
	}
	for _, tt := range tests {
		conds, err := ParseFilters(tt.filter)
		if err != nil {
			t.Fatalf("%s: %v", tt.filter, err)
		}
		if got := matches(conds, params); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.filter, got, tt.want)
		}
	}
}

// FuzzParseFilters: any text parses or fails, never panics, and what
// parses writes back to text that parses to the same conditions.
func FuzzParseFilters(f *testing.F) {
	for _, s := range []string{
		"usage:num_events>10", "usage:num_events%3C%3E10,accounts:is_service_account==true",
		"accounts:last_activity_time>=2026-03-03T10:26:35.000Z", "accounts:username==a%2Cb",
		"a:b=", "%", ",,,", "accounts:display_name!=Ünïcødé", "x:num_y<-9223372036854775808",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		conds, err := ParseFilters(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		for _, c := range conds {
			if c.Op < OpEq || c.Op > OpGe || c.Type == 0 || !validName(c.Name) {
				t.Fatalf("%q: bad condition %+v", s, c)
			}
			// Written back with the value escaped, it reads the same.
			again, err := ParseFilters(c.Name + c.Op.String() + escapeValue(c.Text))
			if err != nil || len(again) != 1 || again[0] != c {
				t.Fatalf("%q: condition %+v reads back as %+v (%v)", s, c, again, err)
			}
		}
	})
}

// escapeValue URL-escapes what a value cannot hold literally.
func escapeValue(v string) string {
	r := strings.NewReplacer("%", "%25", ",", "%2C")
	return r.Replace(v)
}
