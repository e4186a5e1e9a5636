package access

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/benchrec"
	"github.com/usagerep/usagerep/pkg/record"
)

func ts(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// rec is an activity record at time at in project by user u.
func rec(at, project, action string, count int64, u record.User) record.Record {
	return record.Record{Time: ts(at), System: "Cintoo", Project: project, Action: action, Count: count,
		User: u, IntegrationUpdated: record.NoTime}
}

func email(e string) record.User { return record.User{Email: e} }

// march is the range of most cases: 2026-03-01..2026-03-31 in UTC.
var march = Options{From: day("2026-03-01"), To: day("2026-03-31")}

// feed builds the report of recs on one accumulator.
func feed(t *testing.T, opts Options, cols []Column, recs []record.Record) *Report {
	t.Helper()
	acc, err := NewAccumulator(opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		acc.Record(&recs[i])
	}
	return Build(acc, BuildOptions{Columns: cols, Loc: opts.Location})
}

// lines renders rows as "date|first|last|email|company|project|counts".
func lines(rep *Report) []string {
	var out []string
	for _, r := range rep.Rows {
		u := r.User
		out = append(out, fmt.Sprintf("%s|%s|%s|%s|%s|%s|%v", r.Date.Format("2006-01-02"),
			u.FirstName, u.LastName, u.Email, u.Company, r.Project, r.Counts))
	}
	return out
}

var twoCols = []Column{{"scan_upload", "Scans uploaded"}, {"scan_download", "Scans downloaded"}}

// TestRules checks each rule of spec 04 on a small hand-checked case.
func TestRules(t *testing.T) {
	alice := record.User{Email: "alice@x.com", Username: "asmith", DisplayName: "Alice Smith", FirstName: "Alice", LastName: "Smith", Company: "Acme"}
	bob := record.User{Email: "bob@y.com", FirstName: "Bob"}
	tests := []struct {
		name string
		opts Options
		cols []Column
		recs []record.Record
		want []string
	}{
		{
			name: "several visits one day are one row, counts summed per action",
			recs: []record.Record{
				rec("2026-03-02T08:00:00Z", "Plant", "scan_upload", 2, alice),
				rec("2026-03-02T12:00:00Z", "Plant", "scan_upload", 3, alice),
				rec("2026-03-02T18:00:00Z", "Plant", "scan_download", 1, alice),
				rec("2026-03-02T19:00:00Z", "Plant", "view", 9, alice),
			},
			want: []string{"2026-03-02|Alice|Smith|alice@x.com|Acme|Plant|[5 1]"},
		},
		{
			name: "consecutive days are one row each",
			recs: []record.Record{
				rec("2026-03-02T08:00:00Z", "Plant", "view", 1, bob),
				rec("2026-03-03T08:00:00Z", "Plant", "view", 1, bob),
				rec("2026-03-04T08:00:00Z", "Plant", "scan_upload", 1, bob),
			},
			want: []string{
				"2026-03-02|Bob||bob@y.com||Plant|[0 0]",
				"2026-03-03|Bob||bob@y.com||Plant|[0 0]",
				"2026-03-04|Bob||bob@y.com||Plant|[1 0]",
			},
		},
		{
			name: "several projects one day are one row each, by project",
			recs: []record.Record{
				rec("2026-03-02T08:00:00Z", "Tunnel", "scan_upload", 1, bob),
				rec("2026-03-02T09:00:00Z", "bridge", "scan_upload", 4, bob),
				rec("2026-03-02T10:00:00Z", "Plant", "scan_download", 2, bob),
			},
			want: []string{
				"2026-03-02|Bob||bob@y.com||bridge|[4 0]",
				"2026-03-02|Bob||bob@y.com||Plant|[0 2]",
				"2026-03-02|Bob||bob@y.com||Tunnel|[1 0]",
			},
		},
		{
			name: "anonymous mentions and records without a project make no row",
			recs: []record.Record{
				rec("2026-03-02T08:00:00Z", "Plant", "scan_upload", 1, record.User{FirstName: "Shared", Company: "Link"}),
				rec("2026-03-02T08:00:00Z", "Plant", "scan_upload", 1, record.User{Email: "not-an-email"}),
				rec("2026-03-02T08:00:00Z", "Plant", "scan_upload", 1, record.User{}),
				rec("2026-03-02T08:00:00Z", "", "scan_upload", 1, bob),
			},
			want: nil,
		},
		{
			name: "a record without a project still names its user: a username-only row gets her email",
			recs: []record.Record{
				rec("2026-03-05T08:00:00Z", "", "login", 1, alice),
				rec("2026-03-05T09:00:00Z", "Plant", "scan_upload", 1, record.User{Username: "ASmith"}),
			},
			want: []string{"2026-03-05|Alice|Smith|alice@x.com|Acme|Plant|[1 0]"},
		},
		{
			name: "two spellings of one person are one row",
			recs: []record.Record{
				rec("2026-03-06T08:00:00Z", "Plant", "scan_upload", 1, alice),
				rec("2026-03-06T09:00:00Z", "Plant", "scan_upload", 1, record.User{Email: "ALICE@x.com", Username: "alice"}),
				rec("2026-03-06T10:00:00Z", "Plant", "scan_upload", 1, record.User{DisplayName: "alice  SMITH"}),
			},
			want: []string{"2026-03-06|Alice|Smith|alice@x.com|Acme|Plant|[3 0]"},
		},
		{
			name: "days are inclusive and end at the last day's midnight",
			recs: []record.Record{
				rec("2026-02-28T23:59:59Z", "Plant", "scan_upload", 1, bob),
				rec("2026-03-01T00:00:00Z", "Plant", "scan_upload", 1, bob),
				rec("2026-03-31T23:59:59Z", "Plant", "scan_upload", 1, bob),
				rec("2026-04-01T00:00:00Z", "Plant", "scan_upload", 1, bob),
			},
			want: []string{"2026-03-01|Bob||bob@y.com||Plant|[1 0]", "2026-03-31|Bob||bob@y.com||Plant|[1 0]"},
		},
		{
			name: "as-of cuts the range short",
			opts: Options{From: day("2026-03-01"), To: day("2026-03-31"), AsOf: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)},
			recs: []record.Record{
				rec("2026-03-10T11:59:59Z", "Plant", "scan_upload", 1, bob),
				rec("2026-03-10T12:00:00Z", "Plant", "scan_upload", 1, bob),
			},
			want: []string{"2026-03-10|Bob||bob@y.com||Plant|[1 0]"},
		},
		{
			name: "plan keeps only its records, before identities are resolved",
			opts: Options{From: day("2026-03-01"), To: day("2026-03-31"), Plan: "Pro"},
			recs: func() []record.Record {
				a := rec("2026-03-07T08:00:00Z", "Plant", "scan_upload", 1, record.User{Username: "asmith"})
				a.Plan = "Pro"
				// Another plan's record would have given asmith her email.
				b := rec("2026-03-07T09:00:00Z", "", "login", 1, alice)
				b.Plan = "Free"
				c := rec("2026-03-07T10:00:00Z", "Plant", "scan_upload", 5, bob)
				return []record.Record{a, b, c}
			}(),
			want: []string{"2026-03-07|||||Plant|[1 0]"},
		},
		{
			name: "without a profile, every action of the rows' records, sorted by name",
			cols: nil,
			recs: []record.Record{
				rec("2026-03-08T08:00:00Z", "Plant", "view", 2, bob),
				rec("2026-03-08T09:00:00Z", "Plant", "Export", 1, bob),
				rec("2026-03-08T09:00:00Z", "Plant", "", 1, bob),
				rec("2026-03-08T09:00:00Z", "Plant", "anonymous_only", 1, record.User{}),
				rec("2026-03-08T09:00:00Z", "", "no_project", 1, bob),
			},
			want: []string{"2026-03-08|Bob||bob@y.com||Plant|[1 2]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts.From.IsZero() {
				opts = march
			}
			cols := tt.cols
			if cols == nil && !strings.HasPrefix(tt.name, "without a profile") {
				cols = twoCols
			}
			got := lines(feed(t, opts, cols, tt.recs))
			if !slices.Equal(got, tt.want) {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestColumnsWithoutProfile(t *testing.T) {
	rep := feed(t, march, nil, []record.Record{
		rec("2026-03-08T08:00:00Z", "Plant", "view", 2, email("bob@y.com")),
		rec("2026-03-08T09:00:00Z", "Plant", "Export", 1, email("bob@y.com")),
		rec("2026-03-08T09:00:00Z", "Plant", "", 1, email("bob@y.com")),
		rec("2026-03-08T09:00:00Z", "Plant", "anonymous_only", 1, record.User{}),
		rec("2026-03-08T09:00:00Z", "", "no_project", 1, email("bob@y.com")),
	})
	want := []Column{{"Export", "Export"}, {"view", "view"}}
	if !reflect.DeepEqual(rep.Columns, want) {
		t.Errorf("columns = %v, want %v", rep.Columns, want)
	}
	q := rep.Quality
	if q.Records != 5 || q.Anonymous != 1 || q.NoProject != 1 || q.Identities != 1 || rep.Users != 1 {
		t.Errorf("quality = %+v, users %d", q, rep.Users)
	}
}

// TestUsersArray: each element is a user of the record, with its own time
// and project when it has them, the record's action and count otherwise.
func TestUsersArray(t *testing.T) {
	r := rec("2026-03-09T10:00:00Z", "Plant", "scan_upload", 3, record.User{})
	r.Users = []record.UserElem{
		{User: email("ann@x.com"), Time: record.NoTime},
		{User: email("ben@x.com"), Time: ts("2026-03-10T01:00:00Z")},
		{User: email("cat@x.com"), Time: record.NoTime, Project: "Tunnel"},
		{User: record.User{Company: "nobody"}, Time: record.NoTime},
		// Named twice in one place: the record counts once there.
		{User: email("ann@x.com"), Time: record.NoTime},
	}
	own := rec("2026-03-09T11:00:00Z", "Plant", "scan_download", 1, email("dan@x.com"))
	own.Users = []record.UserElem{{User: email("dan@x.com"), Time: record.NoTime, Project: "Tunnel"}}
	got := lines(feed(t, march, twoCols, []record.Record{r, own}))
	want := []string{
		"2026-03-09|||ann@x.com||Plant|[3 0]",
		"2026-03-09|||cat@x.com||Tunnel|[3 0]",
		"2026-03-09|||dan@x.com||Plant|[0 1]",
		"2026-03-09|||dan@x.com||Tunnel|[0 1]",
		"2026-03-10|||ben@x.com||Plant|[3 0]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestOnePersonTwoSpellingsInOneRecord: a record naming one person through
// its own fields and a users[] element that spells them otherwise, with
// the same email, counts its action once for that person; another person
// in the same record still counts.
func TestOnePersonTwoSpellingsInOneRecord(t *testing.T) {
	r := rec("2026-03-09T10:00:00Z", "Plant", "scan_upload", 3, record.User{Email: "Ann@X.com", Username: "ann"})
	r.Users = []record.UserElem{
		{User: record.User{Email: "ann@x.com", DisplayName: "Ann Lee"}, Time: record.NoTime},
		{User: record.User{Email: "ANN@x.com", Username: "ANN"}, Time: record.NoTime},
		{User: email("ben@x.com"), Time: record.NoTime},
		// The same person in another project is another cell.
		{User: email("ann@x.com"), Time: record.NoTime, Project: "Tunnel"},
	}
	got := lines(feed(t, march, twoCols, []record.Record{r}))
	want := []string{
		"2026-03-09|||ann@x.com||Plant|[3 0]",
		"2026-03-09|||ann@x.com||Tunnel|[3 0]",
		"2026-03-09|||ben@x.com||Plant|[3 0]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTimeZones: 2026-03-10T23:30Z is the 11th in Paris (UTC+1) and the
// 10th in New York (UTC-4 after 2026-03-08); 2026-03-11T00:30Z is the
// 11th in UTC but still the 10th in New York.
func TestTimeZones(t *testing.T) {
	recs := []record.Record{
		rec("2026-03-10T23:30:00Z", "Plant", "scan_upload", 1, email("late@x.com")),
		rec("2026-03-11T00:30:00Z", "Plant", "scan_upload", 1, email("early@x.com")),
	}
	for _, tc := range []struct {
		zone string
		want []string
	}{
		{"UTC", []string{"2026-03-10|||late@x.com||Plant|[1 0]", "2026-03-11|||early@x.com||Plant|[1 0]"}},
		{"Europe/Paris", []string{"2026-03-11|||early@x.com||Plant|[1 0]", "2026-03-11|||late@x.com||Plant|[1 0]"}},
		{"America/New_York", []string{"2026-03-10|||early@x.com||Plant|[1 0]", "2026-03-10|||late@x.com||Plant|[1 0]"}},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		opts := march
		opts.Location = loc
		if got := lines(feed(t, opts, twoCols, slices.Clone(recs))); !slices.Equal(got, tc.want) {
			t.Errorf("%s: rows %q, want %q", tc.zone, got, tc.want)
		}
	}
	// The range's edges move with the zone: in Paris, the first minute of
	// 2026-03-01 is 2026-02-28T23:00Z.
	paris, _ := time.LoadLocation("Europe/Paris")
	opts := Options{From: day("2026-03-01"), To: day("2026-03-01"), Location: paris}
	got := lines(feed(t, opts, twoCols, []record.Record{
		rec("2026-02-28T22:59:59Z", "Plant", "scan_upload", 1, email("a@x.com")),
		rec("2026-02-28T23:00:00Z", "Plant", "scan_upload", 1, email("b@x.com")),
		rec("2026-03-01T22:59:59Z", "Plant", "scan_upload", 1, email("c@x.com")),
		rec("2026-03-01T23:00:00Z", "Plant", "scan_upload", 1, email("d@x.com")),
	}))
	want := []string{"2026-03-01|||b@x.com||Plant|[1 0]", "2026-03-01|||c@x.com||Plant|[1 0]"}
	if !slices.Equal(got, want) {
		t.Errorf("Paris edges: rows %q, want %q", got, want)
	}
}

// TestDays checks boundaries on days of 23 and 25 hours and a day a zone
// skipped, and the errors.
func TestDays(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	d, err := newDays(Options{From: day("2026-03-28"), To: day("2026-03-30"), Location: paris})
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-29 has 23 hours in Paris.
	if got := time.Duration(d.start[2] - d.start[1]); got != 23*time.Hour {
		t.Errorf("2026-03-29 in Paris lasts %v, want 23h", got)
	}
	for _, tc := range []struct {
		at   string
		want int32
	}{
		{"2026-03-27T22:59:59Z", -1}, {"2026-03-27T23:00:00Z", 0}, {"2026-03-28T22:59:59Z", 0},
		{"2026-03-28T23:00:00Z", 1}, {"2026-03-29T21:59:59Z", 1}, {"2026-03-29T22:00:00Z", 2},
		{"2026-03-30T21:59:59Z", 2}, {"2026-03-30T22:00:00Z", -1},
	} {
		for _, hint := range []int32{-1, 0, 1, 2} {
			if got := d.index(ts(tc.at), hint); got != tc.want {
				t.Errorf("index(%s, hint %d) = %d, want %d", tc.at, hint, got, tc.want)
			}
		}
	}

	// Samoa skipped 2011-12-30: that day is empty, its neighbours are not.
	apia, err := time.LoadLocation("Pacific/Apia")
	if err != nil {
		t.Fatal(err)
	}
	d, err = newDays(Options{From: day("2011-12-29"), To: day("2011-12-31"), Location: apia})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(d.start); i++ {
		if d.start[i] < d.start[i-1] {
			t.Errorf("boundary %d goes backwards", i)
		}
	}
	if got := d.index(ts("2011-12-30T10:00:00Z"), -1); got != 2 {
		t.Errorf("2011-12-30T10:00Z in Apia is day %d, want 2 (2011-12-31)", got)
	}

	for _, tc := range []Options{
		{From: day("2026-03-02"), To: day("2026-03-01")},
		{From: day("1600-01-01"), To: day("2026-03-01")},
		{From: day("2026-03-01"), To: day("2300-01-01")},
	} {
		if _, err := NewAccumulator(tc); err == nil {
			t.Errorf("NewAccumulator(%v..%v) = nil error", tc.From, tc.To)
		}
	}
}

// TestOrder: rows with the same day and email go by project; users without
// an email come last, still by project first, then by username (folded),
// then display name.
func TestOrder(t *testing.T) {
	at := "2026-03-03T10:00:00Z"
	recs := []record.Record{
		rec(at, "B", "x", 1, record.User{DisplayName: "Zed"}),
		rec(at, "A", "x", 1, record.User{Username: "yan"}),
		rec(at, "B", "x", 1, record.User{Username: "Xia"}),
		rec(at, "A", "x", 1, record.User{Username: "Xia"}),
		rec(at, "B", "x", 1, email("b@x.com")),
		rec(at, "A", "x", 1, email("b@x.com")),
		rec(at, "B", "x", 1, email("a@x.com")),
		rec("2026-03-02T10:00:00Z", "Z", "x", 1, email("z@x.com")),
		rec(at, "A", "x", 1, record.User{DisplayName: "Amy"}),
	}
	rep := feed(t, march, nil, recs)
	var got []string
	for _, r := range rep.Rows {
		got = append(got, r.Date.Format("01-02")+" "+cmpOr(r.User.Email, r.User.Username, r.User.DisplayName)+" "+r.Project)
	}
	want := []string{
		"03-02 z@x.com Z",
		"03-03 a@x.com B", "03-03 b@x.com A", "03-03 b@x.com B",
		"03-03 Xia A", "03-03 yan A", "03-03 Amy A", "03-03 Xia B", "03-03 Zed B",
	}
	if !slices.Equal(got, want) {
		t.Errorf("order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func cmpOr(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func TestCountsSaturate(t *testing.T) {
	u := email("big@x.com")
	recs := []record.Record{
		rec("2026-03-03T10:00:00Z", "P", "scan_upload", math.MaxInt64-1, u),
		rec("2026-03-03T11:00:00Z", "P", "scan_upload", 5, u),
	}
	// Split over two accumulators, so the merge adds too.
	a, _ := NewAccumulator(march)
	b := a.Sibling()
	a.Record(&recs[0])
	b.Record(&recs[1])
	b.Record(&recs[1])
	a.Merge(b)
	rep := Build(a, BuildOptions{Columns: twoCols})
	if len(rep.Rows) != 1 || rep.Rows[0].Counts[0] != math.MaxInt64 {
		t.Errorf("rows = %v, want one with %d", lines(rep), int64(math.MaxInt64))
	}
}

// mixed is a fixture of many users, spellings, projects and days.
func mixed() []record.Record {
	rng := rand.New(rand.NewPCG(7, 7))
	var recs []record.Record
	actions := []string{"scan_upload", "scan_download", "view", "tag_upload", ""}
	for i := range 3000 {
		p := rng.IntN(40)
		var u record.User
		switch rng.IntN(5) {
		case 0:
			u = record.User{Email: fmt.Sprintf("user%d@x.com", p), Username: fmt.Sprintf("u%d", p), FirstName: fmt.Sprintf("F%d", p)}
		case 1:
			u = record.User{Email: fmt.Sprintf("USER%d@x.com", p), Company: fmt.Sprintf("C%d", p%3)}
		case 2:
			u = record.User{Username: fmt.Sprintf("U%d", p)}
		case 3:
			u = record.User{DisplayName: fmt.Sprintf("Person  %d", p)}
		default:
			u = record.User{FirstName: "anon"}
		}
		at := time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(40 * 24 * time.Hour))))
		r := rec(at.Format(time.RFC3339), fmt.Sprintf("P%d", rng.IntN(6)), actions[rng.IntN(len(actions))], rng.Int64N(4), u)
		if i%7 == 0 {
			r.Project = ""
		}
		if i%11 == 0 {
			r.Users = []record.UserElem{{User: record.User{Email: fmt.Sprintf("user%d@x.com", (p+1)%40)}, Time: r.Time + int64(time.Hour)*int64(rng.IntN(30)), Project: "E"}}
		}
		recs = append(recs, r)
	}
	return recs
}

// TestMergeOrderIndependence splits records over several accumulators at
// random, feeds them concurrently, merges in random order: the report is
// the same every time.
func TestMergeOrderIndependence(t *testing.T) {
	recs := mixed()
	paris, _ := time.LoadLocation("Europe/Paris")
	opts := Options{From: day("2026-03-01"), To: day("2026-03-31"), Location: paris}
	want := feed(t, opts, nil, slices.Clone(recs))
	if len(want.Rows) < 500 || len(want.Columns) != 4 {
		t.Fatalf("fixture too small: %d rows, columns %v", len(want.Rows), want.Columns)
	}
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, 1))
		accs := benchrec.Family(rng, func() *Accumulator {
			root, err := NewAccumulator(opts)
			if err != nil {
				t.Fatal(err)
			}
			return root
		})
		got := Build(benchrec.FeedRandomly(rng, accs, recs), BuildOptions{Loc: paris})
		if !reflect.DeepEqual(lines(got), lines(want)) || !reflect.DeepEqual(got.Columns, want.Columns) ||
			got.Quality != want.Quality || got.Users != want.Users {
			t.Fatalf("seed %d: report differs from the single accumulator's", seed)
		}
		for i := range got.Rows {
			if *got.Rows[i].User != *want.Rows[i].User {
				t.Fatalf("seed %d: row %d user %+v, want %+v", seed, i, *got.Rows[i].User, *want.Rows[i].User)
			}
		}
	}
}

// TestFeedAfterStoreMoved: when a merge moved the store an accumulator
// shares, the accumulator may still be fed and merged, and nothing is lost
// or counted twice.
func TestFeedAfterStoreMoved(t *testing.T) {
	recs := []record.Record{
		rec("2026-03-03T10:00:00Z", "P", "scan_upload", 1, email("a@x.com")),
		rec("2026-03-03T11:00:00Z", "P", "scan_upload", 2, email("a@x.com")),
		rec("2026-03-04T11:00:00Z", "Q", "scan_upload", 4, record.User{Username: "b"}),
	}
	want := lines(feed(t, march, twoCols, slices.Clone(recs)))
	x, _ := NewAccumulator(march)
	a, _ := NewAccumulator(march)
	b := a.Sibling()
	a.Record(&recs[0])
	b.Record(&recs[1])
	x.Merge(b) // moves a's store into x's
	a.Record(&recs[2])
	x.Merge(a)
	if got := lines(Build(x, BuildOptions{Columns: twoCols})); !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// TestNoAllocationOnceKeysExist: a record whose observation, project,
// action and cell are known costs no allocation.
func TestNoAllocationOnceKeysExist(t *testing.T) {
	acc, _ := NewAccumulator(march)
	r := rec("2026-03-03T10:00:00Z", "Plant", "scan_upload", 1, record.User{Email: "Alice@X.com", Username: "asmith", DisplayName: "Alice Smith"})
	r.Users = []record.UserElem{{User: email("bob@y.com"), Time: record.NoTime, Project: "Tunnel"}}
	acc.Record(&r)
	if n := testing.AllocsPerRun(100, func() { acc.Record(&r) }); n != 0 {
		t.Errorf("%v allocations per record, want 0", n)
	}
}

func TestValidateColumns(t *testing.T) {
	cols, err := ValidateColumns([]Column{{" a ", ""}, {"b", "B label"}})
	if err != nil || !reflect.DeepEqual(cols, []Column{{"a", "a"}, {"b", "B label"}}) {
		t.Errorf("ValidateColumns = %v, %v", cols, err)
	}
	for _, bad := range [][]Column{
		nil,
		{{"", "x"}},
		{{"a", "x"}, {"a", "y"}},
		{{"a", "x"}, {"b", "X"}},
		{{"a", "email"}},
	} {
		if _, err := ValidateColumns(bad); err == nil {
			t.Errorf("ValidateColumns(%v) = nil error", bad)
		}
	}
	cintoo, ok := BuiltinProfile("cintoo")
	if !ok || len(cintoo) != 7 || cintoo[1] != (Column{"image360_upload", "360 Images uploaded"}) {
		t.Errorf("cintoo = %v", cintoo)
	}
	if _, err := ValidateColumns(cintoo); err != nil {
		t.Errorf("cintoo: %v", err)
	}
	cintoo[0].Label = "changed"
	if again, _ := BuiltinProfile("cintoo"); again[0].Label != "Scans uploaded" {
		t.Error("BuiltinProfile returned the shared slice")
	}
}
