package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	reports "google.golang.org/api/admin/reports/v1"
)

// usersFixture is testdata/users/activity.jsonl (its README has the
// figures).
func usersFixture(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "users", "activity.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// decodeUsers reads JSON Lines of UsageReports with the API client's
// types, refusing unknown fields.
func decodeUsers(t *testing.T, out string) []*reports.UsageReports {
	t.Helper()
	var docs []*reports.UsageReports
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		var d reports.UsageReports
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("line %d is not a UsageReports: %v\n%s", i+1, err, line)
		}
		if d.Kind != "admin#reports#usageReports" {
			t.Errorf("line %d: kind %q", i+1, d.Kind)
		}
		docs = append(docs, &d)
	}
	return docs
}

// paramText writes a report's parameters as name=value, in order.
func paramText(r *reports.UsageReport) string {
	var parts []string
	for _, p := range r.Parameters {
		var v string
		switch {
		case p.DatetimeValue != "":
			v = p.DatetimeValue
		case p.StringValue != "":
			v = p.StringValue
		case strings.HasPrefix(p.Name, "accounts:is_"):
			v = fmt.Sprint(p.BoolValue)
		default:
			v = fmt.Sprint(p.IntValue)
		}
		parts = append(parts, p.Name+"="+v)
	}
	return strings.Join(parts, " ")
}

// TestUsersFixture checks every report of testdata/users against its
// README, read back with the API client.
func TestUsersFixture(t *testing.T) {
	in := usersFixture(t)
	isolate(t)
	code, stdout, stderr := run(t, "", "users", "all", "--date", "2026-03-03", "--as-of", "2026-03-04", in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "11 records read (1 rejected)") || !strings.Contains(stderr, "4 reports on 1 page for 2026-03-03; wrote standard output") {
		t.Errorf("summary: %s", stderr)
	}
	docs := decodeUsers(t, stdout)
	if len(docs) != 1 || len(docs[0].Warnings) != 0 || docs[0].NextPageToken != "" || len(docs[0].UsageReports) != 4 {
		t.Fatalf("documents: %s", stdout)
	}
	want := []struct{ email, profile, params string }{
		{"liz@example.com", "u-20c2e73ab91fbe93", "accounts:first_name=Liz accounts:last_name=Smith accounts:display_name=Liz Smith accounts:username=lsmith accounts:is_service_account=false" +
			" accounts:first_activity_time=2026-03-02T09:15:00.000Z accounts:last_activity_time=2026-03-03T16:45:10.250Z accounts:num_systems=3 accounts:num_projects=3" +
			" usage:num_events=9 boards:num_update=3 issues:num_comment=1 usage:num_push_event=4"},
		{"omar@example.com", "u-ab9a88dab209e2c5", "accounts:display_name=Omar Haddad accounts:is_service_account=false accounts:first_activity_time=2026-03-03T11:00:00.000Z" +
			" accounts:last_activity_time=2026-03-03T12:00:00.000Z accounts:num_systems=1 accounts:num_projects=1 usage:num_events=6 usage:num_login=1 usage:num_resolve=5"},
		{"", "u-16f7793f521e7699", "accounts:username=svc-sync accounts:is_service_account=true accounts:first_activity_time=2026-03-03T13:00:00.000Z" +
			" accounts:last_activity_time=2026-03-03T13:00:00.000Z accounts:num_systems=1 accounts:num_projects=1 usage:num_events=1"},
		{"", "u-33c39106aaa3b3f6", "accounts:username=ghost-bot accounts:is_service_account=false accounts:first_activity_time=2026-03-01T07:00:00.000Z" +
			" accounts:last_activity_time=2026-03-01T07:00:00.000Z accounts:num_systems=0 accounts:num_projects=0 usage:num_events=0"},
	}
	for i, w := range want {
		r := docs[0].UsageReports[i]
		if r.Kind != "admin#reports#usageReport" || r.Date != "2026-03-03" || r.Entity.Type != "USER" || r.Entity.UserEmail != w.email || r.Entity.ProfileId != w.profile || r.Entity.CustomerId != "" {
			t.Errorf("report %d: %+v entity %+v", i, r, r.Entity)
		}
		if got := paramText(r); got != w.params {
			t.Errorf("report %d (%s):\n got %s\nwant %s", i, w.email, got, w.params)
		}
	}
	// intValue is a JSON string, boolValue false is there.
	if !strings.Contains(stdout, `{"name":"usage:num_events","intValue":"9"}`) || !strings.Contains(stdout, `"boolValue":false`) {
		t.Errorf("raw JSON: %s", stdout)
	}
}

// TestUsersRange: one document per date, to a file, with the warnings.
func TestUsersRange(t *testing.T) {
	in := usersFixture(t)
	dir := isolate(t)
	out := filepath.Join(dir, "usage.jsonl")
	code, stdout, stderr := run(t, "", "users", "all", "--from", "2026-03-02", "--to", "2026-03-04", "--as-of", "2026-03-04",
		"--parameters", "usage:num_events,issues:num_comment,accounts:last_activity_time", "-o", out, in)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	docs := decodeUsers(t, string(data))
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3", len(docs))
	}
	got := map[string]string{}
	for _, d := range docs {
		for _, r := range d.UsageReports {
			id := r.Entity.UserEmail
			if id == "" {
				id = r.Entity.ProfileId
			}
			got[r.Date+" "+id] = paramText(r)
		}
	}
	want := map[string]string{
		"2026-03-02 liz@example.com":    "accounts:last_activity_time=2026-03-02T09:15:00.000Z usage:num_events=2 issues:num_comment=2",
		"2026-03-02 u-33c39106aaa3b3f6": "accounts:last_activity_time=2026-03-01T07:00:00.000Z usage:num_events=0",
		"2026-03-04 ken@example.com":    "accounts:last_activity_time=2026-03-04T08:30:00.000Z usage:num_events=1 issues:num_comment=1",
		"2026-03-04 liz@example.com":    "accounts:last_activity_time=2026-03-03T16:45:10.250Z usage:num_events=0",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	if n := len(docs[0].UsageReports) + len(docs[1].UsageReports) + len(docs[2].UsageReports); n != 2+4+5 {
		t.Errorf("%d reports over the range, want 11", n)
	}
	if len(docs[0].Warnings) != 0 || len(docs[2].Warnings) != 1 || docs[2].Warnings[0].Code != "PARTIAL_DATA_AVAILABLE" ||
		docs[2].Warnings[0].Message != `Data for date 2026-03-04 for application "usage" is not available right now, please try again after a few hours.` ||
		len(docs[2].Warnings[0].Data) != 1 || docs[2].Warnings[0].Data[0].Key != "application" || docs[2].Warnings[0].Data[0].Value != "usage" {
		t.Errorf("warnings: %+v %+v", docs[0].Warnings, docs[2].Warnings)
	}

	// Later, line 11 is the newest record: the day after has no data.
	code, stdout, stderr = run(t, "", "users", "all", "--date", "2026-03-06", "--as-of", "2026-03-06", "-q", in)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	d := decodeUsers(t, stdout)[0]
	if len(d.Warnings) != 1 || d.Warnings[0].Code != "DATA_NOT_AVAILABLE" || d.Warnings[0].Message != `Sorry, data for date 2026-03-06 for application "usage" is not available.` || len(d.UsageReports) != 0 {
		t.Errorf("2026-03-06: %s", stdout)
	}
}

// TestUsersQueries: user keys, filters and the notes and errors of the
// query flags.
func TestUsersQueries(t *testing.T) {
	in := usersFixture(t)
	isolate(t)
	base := []string{"users", "--date", "2026-03-03", "--as-of", "2026-03-04", "-q"}
	tests := []struct {
		name      string
		args      []string
		code      int
		reports   []string // emails (or profile ids) of the reports
		stderrHas string
	}{
		{name: "email in another case", args: []string{"LIZ@example.COM"}, reports: []string{"liz@example.com"}},
		{name: "an alias email", args: []string{"liz.smith@example.org"}, reports: []string{"liz@example.com"}},
		{name: "profile id", args: []string{"u-33c39106aaa3b3f6"}, reports: []string{"u-33c39106aaa3b3f6"}},
		{name: "username", args: []string{"svc-sync"}, reports: []string{"u-16f7793f521e7699"}},
		{name: "filters", args: []string{"all", "--filters", "usage:num_events>=1,accounts:num_systems%3C%3E3"}, reports: []string{"omar@example.com", "u-16f7793f521e7699"}},
		{name: "filter on bool", args: []string{"all", "--filters", "accounts:is_service_account==true"}, reports: []string{"u-16f7793f521e7699"}},
		{name: "filter on datetime", args: []string{"all", "--filters", "accounts:first_activity_time<2026-03-02T12:00:00+02:00"}, reports: []string{"liz@example.com", "u-33c39106aaa3b3f6"}},
		{name: "filter on action", args: []string{"all", "--filters", "usage:num_resolve!=4"}, reports: []string{"omar@example.com"}},
		{name: "unknown parameter", args: []string{"all", "--parameters", "usage:num_events,accounts:is_disabled"}, reports: []string{"liz@example.com", "omar@example.com", "u-16f7793f521e7699", "u-33c39106aaa3b3f6"},
			stderrHas: "usagerep: --parameters: ignoring unknown accounts:is_disabled (neither built in nor an action of the data)"},
		{name: "not yet seen", args: []string{"ken@example.com"}},
		{name: "unknown user", args: []string{"zed@example.com"}, code: 2, stderrHas: `<user-key> "zed@example.com": no user has the email, profile id or username "zed@example.com"`},
		{name: "bad filter", args: []string{"all", "--filters", "usage:num_events=>1"}, code: 2, stderrHas: `--filters: invalid filter "usage:num_events=>1": unknown operator "=>"`},
		{name: "bad filter value", args: []string{"all", "--filters", "accounts:num_systems>two"}, code: 2, stderrHas: `accounts:num_systems is an int parameter; "two" is not a whole number`},
		{name: "bad parameter", args: []string{"all", "--parameters", "num_events"}, code: 2, stderrHas: `--parameters: invalid parameter "num_events" (want app:name`},
		{name: "max results", args: []string{"all", "--max-results", "1001"}, code: 2, stderrHas: `--max-results: invalid value "1001": values must be within the range [1, 1000]`},
		{name: "bad token", args: []string{"all", "--page-token", "xyz"}, code: 2, stderrHas: "--page-token: invalid page token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{}, base[:1]...), tt.args[0])
			args = append(append(args, base[1:]...), tt.args[1:]...)
			code, stdout, stderr := run(t, "", append(args, in)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderrHas) {
				t.Errorf("stderr %q lacks %q", stderr, tt.stderrHas)
			}
			if code != 0 {
				if stdout != "" {
					t.Errorf("stdout on error: %q", stdout)
				}
				return
			}
			var got []string
			for _, r := range decodeUsers(t, stdout)[0].UsageReports {
				id := r.Entity.UserEmail
				if id == "" {
					id = r.Entity.ProfileId
				}
				got = append(got, id)
			}
			if strings.Join(got, " ") != strings.Join(tt.reports, " ") {
				t.Errorf("reports %v, want %v", got, tt.reports)
			}
		})
	}
}

// TestUsersErrors: dates, arguments and outputs.
func TestUsersErrors(t *testing.T) {
	in := usersFixture(t)
	isolate(t)
	tests := []struct {
		name      string
		args      []string
		code      int
		stderrHas string
	}{
		{"future date", []string{"users", "all", "--date", "2026-03-05", "--as-of", "2026-03-04", in}, 2, "--date 2026-03-05: Data for dates later than 2026-03-04 is not yet available. Please check back later"},
		{"range past as-of", []string{"users", "all", "--from", "2026-03-01", "--to", "2026-03-05", "--as-of", "2026-03-04", in}, 2, "--from/--to: Data for dates later than 2026-03-04"},
		{"too old", []string{"users", "all", "--date", "2024-12-08", "--as-of", "2026-03-04", in}, 2, "Data for dates earlier than 2024-12-09 is not available"},
		{"no date", []string{"users", "all", "--as-of", "2026-03-04", in}, 2, "--date: a date is required"},
		{"both forms", []string{"users", "all", "--date", "2026-03-03", "--to", "2026-03-04", in}, 2, "give one date or a range"},
		{"bad date", []string{"users", "all", "--date", "03/03/2026", in}, 2, `invalid date "03/03/2026"`},
		{"no input", []string{"users", "all", "--date", "2026-03-03"}, 2, "give the user key (all, an email or a profile id), then at least one input"},
		{"unwritable output", []string{"users", "all", "--date", "2026-03-03", "--as-of", "2026-03-04", "-o", "no/such/dir/u.jsonl", in}, 4, "no/such/dir/u.jsonl"},
		{"strict", []string{"users", "all", "--date", "2026-03-03", "--as-of", "2026-03-04", "--strict", in}, 3, "activity.jsonl:8"},
		{"help has examples", []string{"users", "--help"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, "", tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderrHas) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tt.code, stderr, tt.stderrHas)
			}
			if code == 0 && !strings.Contains(stdout, "Examples:") {
				t.Errorf("help without examples: %s", stdout)
			}
			if code != 0 && stdout != "" {
				t.Errorf("stdout on error: %q", stdout)
			}
		})
	}
}

// usersPagingInput writes 2,500 users' records: 2,250 with an email and
// 250 with a username only.
func usersPagingInput(t *testing.T, dir string) string {
	t.Helper()
	var b bytes.Buffer
	for i := range 2500 {
		if i%10 == 0 {
			fmt.Fprintf(&b, `{"time":"2026-03-03T%02d:%02d:00Z","system":"Jira","username":"solo%04d","action":"edit","count":%d}`+"\n", i%24, i%60, i, i%3)
		} else {
			fmt.Fprintf(&b, `{"time":"2026-03-03T%02d:%02d:00Z","system":"Jira","email":"User%04d@X.com","action":"edit","count":%d}`+"\n", i%24, i%60, (i*7919)%2500, i%3)
		}
	}
	p := filepath.Join(dir, "many.jsonl")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUsersPaging pages through 2,500 users 7 at a time: with
// --all-pages, and by hand with --page-token for a few pages, which must
// give the same pages. No user is lost or repeated.
func TestUsersPaging(t *testing.T) {
	dir := isolate(t)
	in := usersPagingInput(t, dir)
	args := []string{"users", "all", "--date", "2026-03-03", "--as-of", "2026-03-04", "--max-results", "7", "--parameters", "usage:num_events", "-q", in}
	code, stdout, stderr := run(t, "", append(args, "--all-pages")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	docs := decodeUsers(t, stdout)
	if len(docs) != (2500+6)/7 {
		t.Fatalf("%d pages, want %d", len(docs), (2500+6)/7)
	}
	seen := map[string]int{}
	withEmail := 0
	for i, d := range docs {
		last := i == len(docs)-1
		if (d.NextPageToken == "") != last || (!last && len(d.UsageReports) != 7) {
			t.Fatalf("page %d: %d reports, token %q", i+1, len(d.UsageReports), d.NextPageToken)
		}
		for _, r := range d.UsageReports {
			seen[r.Entity.UserEmail+"|"+r.Entity.ProfileId]++
			if r.Entity.UserEmail != "" {
				withEmail++
			}
		}
	}
	if len(seen) != 2500 || withEmail != 2250 {
		t.Errorf("%d distinct users (%d with email), want 2500 (2250)", len(seen), withEmail)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s on %d pages", k, n)
		}
	}
	// By hand: each token gives the next page of --all-pages.
	token := ""
	for i := range 3 {
		a := args
		if token != "" {
			a = append(a, "--page-token", token)
		}
		code, stdout, stderr := run(t, "", a...)
		if code != 0 {
			t.Fatalf("page %d: exit %d: %s", i+1, code, stderr)
		}
		d := decodeUsers(t, stdout)
		if len(d) != 1 || d[0].NextPageToken != docs[i].NextPageToken || d[0].UsageReports[0].Entity.UserEmail != docs[i].UsageReports[0].Entity.UserEmail {
			t.Fatalf("page %d by hand differs from --all-pages", i+1)
		}
		token = d[0].NextPageToken
	}
	// The token is rejected by another query.
	code, _, stderr = run(t, "", append(args, "--page-token", token, "--filters", "usage:num_events>0")...)
	if code != 2 || !strings.Contains(stderr, "--page-token: the page token belongs to another query") {
		t.Errorf("token of another query: exit %d: %s", code, stderr)
	}
}
