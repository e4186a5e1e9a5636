package userusage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/record"
)

// fixture is a small hand-checked input; the comments give what each
// record is for.
func fixture(t testing.TB) []record.Record {
	alice := record.User{Email: "alice@x.com", Username: "asmith", DisplayName: "Alice Smith", FirstName: "Alice", LastName: "Smith"}
	recs := []record.Record{
		/* 0 */ rec(t, "2026-03-01T09:00:00Z", "Jira", "PROJ", alice, "", "comment", 2), // alice's first mention
		/* 1 */ rec(t, "2026-03-03T10:00:00Z", "Jira", "PROJ", alice, "", "comment", 3),
		/* 2 */ rec(t, "2026-03-03T11:00:00Z", "ADO", "Web", record.User{Email: "ALICE@x.com", Username: "alice"}, "Source Control", "PushEvent", 5),
		/* 3 */ rec(t, "2026-03-03T12:00:00Z", "GitHub", "", record.User{Username: "bob"}, "", "", 1), // no email, no action
		/* 4 */ rec(t, "2026-03-03T23:30:00.123456Z", "Jira", "PROJ", alice, "", "comment", 1),
		/* 5 */ rec(t, "2026-03-04T01:00:00Z", "Jira", "PROJ", record.User{Email: "carol@y.com"}, "", "login", 1), // newest record
		/* 6 */ rec(t, "2026-03-02T08:00:00Z", "Jira", "PROJ", record.User{}, "", "", 1), // a sync naming dave in users[]
		/* 7 */ rec(t, "2026-03-05T00:00:00Z", "Jira", "PROJ", alice, "", "comment", 100), // at as-of: nowhere
		/* 8 */ rec(t, "2026-03-03T09:00:00Z", "", "", record.User{Email: "svc-bot@x.com", ServiceAccount: true}, "Accounts", "Login", 7),
		/* 9 */ rec(t, "2026-03-03T09:30:00Z", "", "", record.User{DisplayName: "nobody"}, "", "", 1), // display name only: class 3
		/* 10 */ rec(t, "2026-03-03T09:45:00Z", "Jira", "", record.User{FirstName: "Anon"}, "", "view", 1), // names nobody
	}
	recs[6].Kind = record.KindSync
	recs[6].Users = []record.UserElem{{User: record.User{Email: "dave@z.com"}, System: "ADO", Time: record.NoTime}}
	return recs
}

func fixtureOptions(t testing.TB) Options {
	return Options{First: day(t, "2026-03-01"), Last: day(t, "2026-03-04"), AsOf: time.Unix(0, ts(t, "2026-03-05T00:00:00Z"))}
}

// TestFixtureNumbers checks every parameter of every report of
// 2026-03-03 against the figures worked out by hand.
func TestFixtureNumbers(t *testing.T) {
	s := Build(accumulate(t, fixtureOptions(t), fixture(t)), BuildOptions{})
	p, err := s.Page(query(t, Request{UserKey: "all", Date: "2026-03-03"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 0 || p.NextPageToken != "" {
		t.Errorf("warnings %v, token %q; want none", p.Warnings, p.NextPageToken)
	}
	got := dumpPage(p)
	want := strings.Join([]string{
		// alice: two spellings, one user; asmith is on more records.
		"alice@x.com " + profileOf(t, s, "alice@x.com") + ": accounts:first_name=Alice accounts:last_name=Smith accounts:display_name=Alice Smith accounts:username=asmith" +
			" accounts:is_service_account=false accounts:first_activity_time=2026-03-01T09:00:00.000Z accounts:last_activity_time=2026-03-03T23:30:00.123Z" +
			" accounts:num_systems=2 accounts:num_projects=2 usage:num_events=9 source_control:num_push_event=5 usage:num_comment=4",
		// dave: seen on 2026-03-02 only, still listed, with 0 events.
		"dave@z.com " + profileOf(t, s, "dave@z.com") + ": accounts:is_service_account=false accounts:first_activity_time=2026-03-02T08:00:00.000Z accounts:last_activity_time=2026-03-02T08:00:00.000Z" +
			" accounts:num_systems=0 accounts:num_projects=0 usage:num_events=0",
		// svc-bot: no system counts for no system.
		"svc-bot@x.com " + profileOf(t, s, "svc-bot@x.com") + ": accounts:is_service_account=true accounts:first_activity_time=2026-03-03T09:00:00.000Z accounts:last_activity_time=2026-03-03T09:00:00.000Z" +
			" accounts:num_systems=0 accounts:num_projects=0 usage:num_events=7 accounts:num_login=7",
		// No email: after everyone with one, by profile id.
		noEmail(t, s),
	}, "\n")
	if got != want {
		t.Errorf("reports of 2026-03-03:\n got:\n%s\nwant:\n%s", got, want)
	}

	// carol is first seen on 2026-03-04, the newest record's date.
	p, err = s.Page(query(t, Request{UserKey: "carol@Y.com", Date: "2026-03-04"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || p.Warnings[0].Code != WarnPartialDataAvailable ||
		p.Warnings[0].Message != `Data for date 2026-03-04 for application "usage" is not available right now, please try again after a few hours.` {
		t.Errorf("warnings of the newest date: %+v", p.Warnings)
	}
	if len(p.Reports) != 1 || p.Reports[0].Entity.UserEmail != "carol@y.com" {
		t.Fatalf("carol on 2026-03-04: %s", dumpPage(p))
	}
	if v, _ := param(&p.Reports[0], "usage:num_login"); v.Int != 1 {
		t.Errorf("carol's usage:num_login = %d, want 1", v.Int)
	}
	// Not yet seen on 2026-03-03: no report, and no error.
	p, err = s.Page(query(t, Request{UserKey: "carol@y.com", Date: "2026-03-03"}))
	if err != nil || len(p.Reports) != 0 {
		t.Errorf("carol on 2026-03-03: %v %s", err, dumpPage(p))
	}
	if st := s.Users(); st != 6 {
		t.Errorf("%d users, want 6 (alice, bob, carol, dave, svc-bot, nobody)", st)
	}
}

// noEmail is the two users without email, in profile id order.
func noEmail(t *testing.T, s *Store) string {
	bob := " " + profileOf(t, s, "bob") + ": accounts:username=bob accounts:is_service_account=false accounts:first_activity_time=2026-03-03T12:00:00.000Z accounts:last_activity_time=2026-03-03T12:00:00.000Z" +
		" accounts:num_systems=1 accounts:num_projects=0 usage:num_events=1"
	nobody := " " + profileOf(t, s, "nobody") + ": accounts:display_name=nobody accounts:is_service_account=false accounts:first_activity_time=2026-03-03T09:30:00.000Z accounts:last_activity_time=2026-03-03T09:30:00.000Z" +
		" accounts:num_systems=0 accounts:num_projects=0 usage:num_events=1"
	if profileOf(t, s, "nobody") < profileOf(t, s, "bob") {
		return nobody + "\n" + bob
	}
	return bob + "\n" + nobody
}

// profileOf finds a user's profile id by email, username or display name.
func profileOf(t *testing.T, s *Store, key string) string {
	t.Helper()
	for _, u := range s.users {
		if u.email == key || u.username == key || u.displayName == key {
			return u.profileID
		}
	}
	t.Fatalf("no user %q", key)
	return ""
}

// dumpPage writes a page's reports one per line: email, profile id, then
// each parameter as name=value.
func dumpPage(p *Page) string {
	var b strings.Builder
	for i, r := range p.Reports {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s %s:", r.Entity.UserEmail, r.Entity.ProfileID)
		for _, prm := range r.Parameters {
			fmt.Fprintf(&b, " %s=%s", prm.Name, value(prm))
		}
	}
	return b.String()
}

func value(p Parameter) string {
	switch p.Type {
	case TypeInt:
		return fmt.Sprint(p.Int)
	case TypeBool:
		return fmt.Sprint(p.Bool)
	case TypeDatetime:
		return p.Time.Format("2006-01-02T15:04:05.000Z")
	}
	return p.String
}

// TestTimeZone: days are drawn in the accumulator's zone.
func TestTimeZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	opts := fixtureOptions(t)
	opts.Location = ny
	s := Build(accumulate(t, opts, fixture(t)), BuildOptions{})
	p, err := s.Page(query(t, Request{UserKey: "all", Date: "2026-03-03", Parameters: "usage:num_events,accounts:last_activity_time"}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range p.Reports {
		got[r.Entity.UserEmail] = dumpPage(&Page{Reports: []Report{{Parameters: r.Parameters}}})
	}
	// In New York (UTC-5) carol's 01:00Z is 20:00 on the 3rd; alice's
	// 23:30Z is 18:30 the same day, and her 09:00Z on the 1st is not.
	want := map[string]string{
		"alice@x.com": " : accounts:last_activity_time=2026-03-03T23:30:00.123Z usage:num_events=9",
		"carol@y.com": " : accounts:last_activity_time=2026-03-04T01:00:00.000Z usage:num_events=1",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s in New York: %q, want %q", k, got[k], w)
		}
	}
}

// TestMergeOrder: records split at random across accumulators, siblings
// or not, merged in any order, give the same pages as one accumulator.
func TestMergeOrder(t *testing.T) {
	recs := fixture(t)
	// More users and days, so the split matters.
	for i := range 60 {
		u := record.User{Email: fmt.Sprintf("user%d@x.com", i%17), Username: fmt.Sprintf("u%d", i%23)}
		at := time.Unix(0, ts(t, "2026-03-01T00:00:00Z")).Add(time.Duration(i) * 83 * time.Minute).Format(time.RFC3339)
		recs = append(recs, rec(t, at, []string{"Jira", "ADO", "GitHub"}[i%3], fmt.Sprintf("P%d", i%5), u, []string{"", "Docs"}[i%2], []string{"edit", "view", "Edit"}[i%3], int64(i%4)))
	}
	opts := fixtureOptions(t)
	q := query(t, Request{UserKey: "all", From: "2026-03-01", To: "2026-03-04", MaxResults: "5"})
	want := render(allPages(t, Build(accumulate(t, opts, recs), BuildOptions{}), q))

	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		k := 1 + rng.IntN(5)
		accs := make([]*Accumulator, k)
		accs[0] = accumulate(t, opts, nil)
		for i := 1; i < k; i++ {
			if rng.IntN(2) == 0 {
				accs[i] = accs[0].Sibling()
			} else {
				accs[i] = accumulate(t, opts, nil)
			}
		}
		for i := range recs {
			accs[rng.IntN(k)].Record(&recs[i])
		}
		rng.Shuffle(k, func(i, j int) { accs[i], accs[j] = accs[j], accs[i] })
		for len(accs) > 1 {
			i, j := rng.IntN(len(accs)), rng.IntN(len(accs)-1)
			if j >= i {
				j++
			}
			accs[i].Merge(accs[j])
			accs = slices.Delete(accs, j, j+1)
		}
		if got := render(allPages(t, Build(accs[0], BuildOptions{}), q)); got != want {
			t.Fatalf("round %d (%d accumulators): pages differ\n got:\n%s\nwant:\n%s", round, k, got, want)
		}
	}
}

func render(pages []*Page) string {
	var b []byte
	for _, p := range pages {
		b = append(AppendJSON(b, p), '\n')
	}
	return string(b)
}

// TestNoAllocationPerRecord: once its keys exist, a record costs nothing.
func TestNoAllocationPerRecord(t *testing.T) {
	recs := fixture(t)
	acc := accumulate(t, fixtureOptions(t), recs)
	allocs := testing.AllocsPerRun(100, func() {
		for i := range recs {
			acc.Record(&recs[i])
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per pass over known records, want 0", allocs)
	}
}

// TestCustomer keeps the customer's records and those naming none.
func TestCustomer(t *testing.T) {
	recs := fixture(t)
	recs[1].Customer = "acme"
	recs[2].Customer = "other" // alice's ADO push is another customer's
	opts := fixtureOptions(t)
	opts.Customer = "acme"
	acc := accumulate(t, opts, recs)
	if acc.Stats().OtherCustomer != 1 {
		t.Errorf("OtherCustomer = %d, want 1", acc.Stats().OtherCustomer)
	}
	s := Build(acc, BuildOptions{})
	p, err := s.Page(query(t, Request{UserKey: "alice@x.com", Date: "2026-03-03", CustomerID: "acme", Parameters: "usage:num_events"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Reports) != 1 || p.Reports[0].Entity.CustomerID != "acme" || p.Reports[0].Parameters[0].Int != 4 {
		t.Errorf("alice for acme: %+v", p.Reports)
	}
	if _, err := s.Page(query(t, Request{UserKey: "all", Date: "2026-03-03"})); err == nil || !strings.Contains(err.Error(), `customer id "acme"`) {
		t.Errorf("a query without the store's customer: %v", err)
	}
}

// TestOnePersonTwoSpellingsInOneRecord: a record naming one person through
// its own fields and a users[] element with the same email, in another
// system and project, counts its events once for that person's day; both
// systems and projects count.
func TestOnePersonTwoSpellingsInOneRecord(t *testing.T) {
	r := rec(t, "2026-03-03T10:00:00Z", "Jira", "PROJ", record.User{Email: "Alice@x.com", Username: "asmith"}, "", "comment", 3)
	r.Users = []record.UserElem{
		{User: record.User{Email: "alice@x.com", DisplayName: "Alice Smith"}, System: "ADO", Project: "Web", Time: record.NoTime},
		{User: record.User{Email: "bob@x.com"}, Time: record.NoTime},
	}
	s := Build(accumulate(t, fixtureOptions(t), []record.Record{r}), BuildOptions{})
	p, err := s.Page(query(t, Request{UserKey: "all", Date: "2026-03-03", Parameters: "usage:num_events,accounts:num_systems,accounts:num_projects"}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rep := range p.Reports {
		got[rep.Entity.UserEmail] = dumpPage(&Page{Reports: []Report{{Parameters: rep.Parameters}}})
	}
	want := map[string]string{
		"alice@x.com": " : accounts:num_systems=2 accounts:num_projects=2 usage:num_events=3",
		"bob@x.com":   " : accounts:num_systems=1 accounts:num_projects=1 usage:num_events=3",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
}
