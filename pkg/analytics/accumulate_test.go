package analytics

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/internal/benchrec"
	"github.com/usagerep/usagerep/pkg/record"
)

// rec is a record of user u at time ts (RFC 3339) with the given options.
func rec(t testing.TB, ts string, u record.User, opts ...func(*record.Record)) record.Record {
	t.Helper()
	r := record.Record{Time: mustTime(t, ts), Count: 1, IntegrationUpdated: record.NoTime, User: u, System: "Jira"}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func sess(id string) func(*record.Record) { return func(r *record.Record) { r.Session = id } }
func dur(s float64) func(*record.Record) {
	return func(r *record.Record) { r.Duration, r.HasDuration = s, true }
}
func sys(s string) func(*record.Record) { return func(r *record.Record) { r.System = s } }
func cnt(n int64) func(*record.Record)  { return func(r *record.Record) { r.Count = n } }
func act(c, a string) func(*record.Record) {
	return func(r *record.Record) { r.Category, r.Action = c, a }
}
func prop(k, v string) func(*record.Record) {
	return func(r *record.Record) { r.Props = append(r.Props, record.Prop{Key: k, Value: v}) }
}

func email(e string) record.User { return record.User{Email: e} }

// sessionRecords exercise both session rules. The figures each gives are
// worked out in TestSessions.
func sessionRecords(t testing.TB) []record.Record {
	bob, carol, dan := email("bob@x.com"), email("carol@x.com"), email("dan@x.com")
	return []record.Record{
		// bob, gap rule: 10:00, 10:20, 10:45 are one session (gaps 20m and
		// 25m); 12:00 is 75m later, a second one. 14:00 and 14:30 are
		// exactly 30m apart: one session.
		rec(t, "2026-03-02T10:00:00Z", bob), rec(t, "2026-03-02T10:20:00Z", bob, cnt(4)),
		rec(t, "2026-03-02T10:45:00Z", bob), rec(t, "2026-03-02T12:00:00Z", bob),
		rec(t, "2026-03-02T14:00:00Z", bob), rec(t, "2026-03-02T14:30:00Z", bob),
		// bob again: 23:50 and 00:10 the next day are one session, started
		// on the 2nd; the 3rd is an active day without a session of its own.
		rec(t, "2026-03-02T23:50:00Z", bob), rec(t, "2026-03-03T00:10:00Z", bob),
		// carol: 09:00 and 09:50, then 09:25 bridges them.
		rec(t, "2026-03-02T09:00:00Z", carol), rec(t, "2026-03-02T09:50:00Z", carol), rec(t, "2026-03-02T09:25:00Z", carol, dur(20)),
		// dan, session ids: s1 twice with durations 60 and 30 seconds; s2
		// from 23:00 to 01:00 the next day, no durations; s3 on the 4th.
		rec(t, "2026-03-02T09:00:00Z", dan, sess("s1"), dur(60)), rec(t, "2026-03-02T09:30:00Z", dan, sess("s1"), dur(30)),
		rec(t, "2026-03-02T23:00:00Z", dan, sess("s2")), rec(t, "2026-03-03T01:00:00Z", dan, sess("s2")),
		rec(t, "2026-03-04T08:00:00Z", dan, sess("s3")),
		// dan without a session id at 08:10: a gap-rule session of its
		// own, beside s3.
		rec(t, "2026-03-04T08:10:00Z", dan),
	}
}

func testOptions(t testing.TB) Options {
	return Options{
		From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC),
		AsOf: time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC),
	}
}

func build(t testing.TB, opts Options, recs []record.Record) *Dataset {
	t.Helper()
	acc, err := NewAccumulator(opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		acc.Record(&recs[i])
	}
	return Build(acc, BuildOptions{})
}

func userByEmail(t testing.TB, ds *Dataset, e string) *User {
	t.Helper()
	for i := range ds.Users {
		if ds.Users[i].Email == e {
			return &ds.Users[i]
		}
	}
	t.Fatalf("no user %s", e)
	return nil
}

func day(s string) Day {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return DayOfDate(d)
}

func TestSessions(t *testing.T) {
	ds := build(t, testOptions(t), sessionRecords(t))
	min := int64(time.Minute)
	tests := []struct {
		email string
		want  []UserDay
	}{
		// 3 sessions on the 2nd: 10:00-10:45 (45m), 12:00 (0), 14:00-14:30
		// (30m); the 23:50-00:10 one (20m) started on the 2nd too. Events:
		// 1+4+1+1+1+1+1 on the 2nd, 1 on the 3rd.
		{"bob@x.com", []UserDay{{Day: day("2026-03-02"), Events: 10, Sessions: 4, Runtime: 95 * min}, {Day: day("2026-03-03"), Events: 1}}},
		// One session 09:00-09:50; a record gave a duration (20s), so the
		// runtime is that, not the span.
		{"carol@x.com", []UserDay{{Day: day("2026-03-02"), Events: 3, Sessions: 1, Runtime: 20 * int64(time.Second)}}},
		// s1: 90s of durations; s2: 23:00-01:00, 2h, started on the 2nd;
		// the 4th: s3 (0, one record) and the 08:10 gap session (0).
		{"dan@x.com", []UserDay{
			{Day: day("2026-03-02"), Events: 3, Sessions: 2, Runtime: 90*int64(time.Second) + 120*min},
			{Day: day("2026-03-03"), Events: 1},
			{Day: day("2026-03-04"), Events: 2, Sessions: 2},
		}},
	}
	for _, tt := range tests {
		u := userByEmail(t, ds, tt.email)
		if !reflect.DeepEqual(u.Days, tt.want) {
			t.Errorf("%s: days\n%+v\nwant\n%+v", tt.email, u.Days, tt.want)
		}
	}
}

// TestPersonNamedTwiceInOneRecord: a record naming one person again at
// the same instant (the same observation, or another spelling with the
// same email) counts its events and duration once for them; at another
// instant the person is active again; another person counts on their own.
func TestPersonNamedTwiceInOneRecord(t *testing.T) {
	r := rec(t, "2026-03-02T10:00:00Z", record.User{Email: "Ann@X.com", Username: "ann"}, cnt(3), dur(60))
	r.Users = []record.UserElem{
		{User: record.User{Email: "Ann@X.com", Username: "ann"}, Time: record.NoTime},
		{User: record.User{Email: "ann@x.com", DisplayName: "Ann Lee"}, Time: record.NoTime},
		{User: email("ben@x.com"), Time: record.NoTime},
	}
	later := rec(t, "2026-03-03T10:00:00Z", email("cat@x.com"), cnt(2))
	later.Users = []record.UserElem{{User: email("cat@x.com"), Time: mustTime(t, "2026-03-03T11:00:00Z")}}
	ds := build(t, testOptions(t), []record.Record{r, later})
	tests := []struct {
		email string
		want  []UserDay
	}{
		{"ann@x.com", []UserDay{{Day: day("2026-03-02"), Events: 3, Sessions: 1, Runtime: int64(time.Minute)}}},
		{"ben@x.com", []UserDay{{Day: day("2026-03-02"), Events: 3, Sessions: 1, Runtime: int64(time.Minute)}}},
		// 10:00 and 11:00 are two activities, 60 minutes apart: two
		// sessions, the record's count for each.
		{"cat@x.com", []UserDay{{Day: day("2026-03-03"), Events: 4, Sessions: 2}}},
	}
	for _, tt := range tests {
		u := userByEmail(t, ds, tt.email)
		if !reflect.DeepEqual(u.Days, tt.want) {
			t.Errorf("%s: days\n%+v\nwant\n%+v", tt.email, u.Days, tt.want)
		}
	}
}

// However the records are ordered and split among workers, the dataset
// is the same.
func TestMergeOrderFree(t *testing.T) {
	recs := append(sessionRecords(t), identityRecords(t)...)
	opts := testOptions(t)
	opts.Events = true
	opts.AllProps = true
	f, _ := ParseField("props.os")
	opts.Latest = []Field{f}
	want := build(t, opts, recs)
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		shuffled := append([]record.Record(nil), recs...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		root, err := NewAccumulator(opts)
		if err != nil {
			t.Fatal(err)
		}
		accs := []*Accumulator{root, root.Sibling(), root.Sibling()}
		for i := range shuffled {
			accs[rng.IntN(len(accs))].Record(&shuffled[i])
		}
		// Merge in a random order too.
		rng.Shuffle(len(accs), func(i, j int) { accs[i], accs[j] = accs[j], accs[i] })
		for _, o := range accs[1:] {
			accs[0].Merge(o)
		}
		got := Build(accs[0], BuildOptions{})
		if !reflect.DeepEqual(got.Users, want.Users) || got.Quality != want.Quality || !reflect.DeepEqual(got.Events, want.Events) {
			t.Fatalf("trial %d: the dataset differs\n got %+v\nwant %+v", trial, got.Users, want.Users)
		}
	}
}

// mixedRecords are many users under several spellings over the days kept
// and around them, with session ids, durations, events, users[] elements
// and props, so that every kind of state meets in merges.
func mixedRecords(t testing.TB) []record.Record {
	rng := rand.New(rand.NewPCG(3, 4))
	start := time.Date(2026, 2, 26, 0, 0, 0, 0, time.UTC)
	oses := []string{"Linux", "Mac", "Windows"}
	var recs []record.Record
	for i := range 3000 {
		p := rng.IntN(60)
		var u record.User
		switch rng.IntN(4) {
		case 0:
			u = record.User{Email: fmt.Sprintf("user%d@x.com", p), Username: fmt.Sprintf("u%d", p)}
		case 1:
			u = record.User{Email: fmt.Sprintf("USER%d@x.com", p), Company: fmt.Sprintf("C%d", p%3)}
		case 2:
			u = record.User{Username: fmt.Sprintf("u%d", p), DisplayName: fmt.Sprintf("User %d", p)}
		default:
			u = record.User{FirstName: "anon"} // names nobody
		}
		at := start.Add(time.Duration(rng.Int64N(int64(12 * 24 * time.Hour))))
		opts := []func(*record.Record){
			act([]string{"", "code", "auth"}[rng.IntN(3)], []string{"push", "login", ""}[rng.IntN(3)]),
			cnt(rng.Int64N(4)), sys([]string{"Jira", "GitHub"}[rng.IntN(2)]),
			prop("os", oses[(p+rng.IntN(2))%3]),
		}
		if rng.IntN(3) == 0 {
			opts = append(opts, sess(fmt.Sprintf("s%d", rng.IntN(20))))
		}
		if rng.IntN(4) == 0 {
			opts = append(opts, dur(float64(rng.IntN(600))))
		}
		r := rec(t, at.Format(time.RFC3339), u, opts...)
		if i%9 == 0 {
			r.Users = []record.UserElem{{User: email(fmt.Sprintf("user%d@x.com", (p+1)%60)), Time: r.Time + int64(rng.IntN(90))*int64(time.Minute)}}
		}
		recs = append(recs, r)
	}
	return recs
}

func mergeOptions(t testing.TB) Options {
	opts := testOptions(t)
	opts.Events = true
	opts.AllProps = true
	f, _ := ParseField("props.os")
	opts.Latest = []Field{f}
	return opts
}

// Siblings fed concurrently, and any mix of siblings and independent
// accumulators merged in any order, as a tree, give the dataset of one
// accumulator.
func TestSiblingsMatchOneAccumulator(t *testing.T) {
	recs := append(mixedRecords(t), sessionRecords(t)...)
	opts := mergeOptions(t)
	want := build(t, opts, recs)
	if len(want.Users) < 50 || len(want.Events) < 5 || want.Quality.Anonymous == 0 {
		t.Fatalf("fixture too small: %d users, %d events, quality %+v", len(want.Users), len(want.Events), want.Quality)
	}
	for seed := range uint64(12) {
		rng := rand.New(rand.NewPCG(seed, 5))
		accs := benchrec.Family(rng, func() *Accumulator {
			root, err := NewAccumulator(opts)
			if err != nil {
				t.Fatal(err)
			}
			return root
		})
		got := Build(benchrec.FeedRandomly(rng, accs, recs), BuildOptions{})
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: the dataset differs from one accumulator's", seed)
		}
	}
}

// A store shared by siblings, merged, holds each observation once with
// every mention counted once; so does one that another store absorbed.
func TestMergedStoreCountsOnce(t *testing.T) {
	opts := testOptions(t)
	r := rec(t, "2026-03-02T10:00:00Z", email("a@x.com"))
	other := rec(t, "2026-03-02T11:00:00Z", email("b@x.com"))
	a, _ := NewAccumulator(opts)
	b := a.Sibling()
	x, _ := NewAccumulator(opts)
	a.Record(&r)
	b.Record(&r)
	b.Record(&other)
	x.Record(&r)
	a.Merge(b)
	a.Merge(x)
	a.Merge(a) // no-op
	store := a.obs.Live()
	counts := map[string]int64{}
	for i := range 1 << 6 {
		sh := store.Shard(i)
		for row, k := range sh.Keys() {
			o, _ := identity.ParseKey(k)
			counts[o.Email] += sh.States[row].Count
		}
	}
	if want := map[string]int64{"a@x.com": 3, "b@x.com": 1}; !reflect.DeepEqual(counts, want) || store.Len() != 2 {
		t.Errorf("%d observations, counts %v; want 2, %v", store.Len(), counts, want)
	}
	ds := Build(a, BuildOptions{})
	if len(ds.Users) != 2 || ds.Users[0].Days[0].Events != 3 || ds.Quality.Records != 4 {
		t.Errorf("users %+v quality %+v, want a@x.com with 3 events of 4 records", ds.Users, ds.Quality)
	}
}

// When a merge moved the store an accumulator shares, the accumulator may
// still be fed and merged, and nothing is lost or counted twice.
func TestFeedAfterStoreMoved(t *testing.T) {
	recs := append(sessionRecords(t), identityRecords(t)...)
	opts := mergeOptions(t)
	want := build(t, opts, recs)
	x, _ := NewAccumulator(opts)
	a, _ := NewAccumulator(opts)
	b := a.Sibling()
	half := len(recs) / 2
	for i := range recs[:half] {
		[]*Accumulator{a, b}[i%2].Record(&recs[i])
	}
	x.Merge(b) // moves a's store into x's
	for i := range recs[half:] {
		a.Record(&recs[half+i])
	}
	x.Merge(a)
	if got := Build(x, BuildOptions{}); !reflect.DeepEqual(got, want) {
		t.Errorf("dataset differs\n got %+v\nwant %+v", got.Users, want.Users)
	}
}

// identityRecords are one person in two systems under two spellings, and
// the latest value of a property.
func identityRecords(t testing.TB) []record.Record {
	a1 := record.User{Email: "alice@x.com", Username: "alice"}
	a2 := record.User{Email: "ALICE@x.com", Username: "asmith"}
	return []record.Record{
		rec(t, "2026-03-05T10:00:00Z", a1, act("code", "push"), prop("os", "Linux")),
		rec(t, "2026-03-05T10:10:00Z", a2, sys("ADO"), act("code", "push"), cnt(2), prop("os", "Windows")),
		rec(t, "2026-03-05T11:00:00Z", a2, sys("ADO"), act("", "login")),
		// Before the days kept: only first seen moves.
		rec(t, "2026-02-20T10:00:00Z", a1, prop("os", "Mac")),
		// At as-of: counts nowhere.
		rec(t, "2026-03-08T00:00:00Z", a1, prop("os", "BeOS")),
	}
}

func TestIdentityAcrossObservations(t *testing.T) {
	opts := testOptions(t)
	opts.Events = true
	opts.AllProps = true
	f, _ := ParseField("props.os")
	opts.Latest = []Field{f}
	ds := build(t, opts, identityRecords(t))
	if len(ds.Users) != 1 {
		t.Fatalf("%d users, want 1", len(ds.Users))
	}
	u := &ds.Users[0]
	// The two observations' cells of the 5th are one day: 1+2+1 events.
	// 10:00 and 10:10 are one session (10m); 11:00 comes 50m later, a
	// second one (0).
	want := []UserDay{{Day: day("2026-03-05"), Events: 4, Sessions: 2, Runtime: 10 * int64(time.Minute)}}
	if !reflect.DeepEqual(u.Days, want) {
		t.Errorf("days %+v, want %+v", u.Days, want)
	}
	if got, want := time.Unix(0, u.First).UTC(), time.Date(2026, 2, 20, 10, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("first seen %v, want %v", got, want)
	}
	if got, want := u.Latest, []string{"Windows"}; !reflect.DeepEqual(got, want) {
		t.Errorf("latest os %q, want %q (BeOS is at as-of)", got, want)
	}
	if got, want := u.Props, []Prop{{"props.os", "Windows"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("props %+v, want %+v", got, want)
	}
	if got, want := u.Systems, []string{"ADO", "Jira"}; !reflect.DeepEqual(got, want) {
		t.Errorf("systems %q, want %q", got, want)
	}
	// Events: code/push 1+2 and login 1, on the 5th.
	names := map[string]int64{}
	for _, e := range u.Events {
		names[ds.Events[e.Event].Name()] += e.N
	}
	if want := map[string]int64{"code/push": 3, "login": 1}; !reflect.DeepEqual(names, want) {
		t.Errorf("events %v, want %v", names, want)
	}
	if q := ds.Quality; q.Records != 5 || q.AfterAsOf != 1 || q.OutOfDays != 1 {
		t.Errorf("quality %+v, want 5 records, 1 after as-of, 1 outside the days", q)
	}
}

func TestFiltersAndAnonymous(t *testing.T) {
	opts := testOptions(t)
	f, err := ParseFilter("system != ADO", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	opts.Filters = []*Filter{f}
	recs := identityRecords(t)
	recs = append(recs, rec(t, "2026-03-05T12:00:00Z", record.User{Company: "Acme"})) // names nobody
	ds := build(t, opts, recs)
	u := &ds.Users[0]
	if len(u.Days) != 1 || u.Days[0].Events != 1 {
		t.Errorf("days %+v, want the 5th with 1 event (the ADO records are filtered out)", u.Days)
	}
	if q := ds.Quality; q.Filtered != 2 || q.Anonymous != 1 {
		t.Errorf("quality %+v, want 2 filtered, 1 anonymous", q)
	}
}

// Once its keys exist, a record costs no allocation.
func TestRecordAllocs(t *testing.T) {
	opts := testOptions(t)
	opts.Events = true
	opts.AllProps = true
	f, _ := ParseField("props.os")
	expr := "props.os ~ i"
	if raceEnabled {
		expr = "props.os != Mac" // see raceEnabled
	}
	fl, _ := ParseFilter(expr, time.UTC)
	opts.Latest = []Field{f}
	opts.Filters = []*Filter{fl}
	acc, err := NewAccumulator(opts)
	if err != nil {
		t.Fatal(err)
	}
	recs := append(sessionRecords(t), identityRecords(t)...)
	for i := range recs {
		recs[i].Props = append(recs[i].Props, record.Prop{Key: "os", Value: "Linux"})
		acc.Record(&recs[i])
	}
	n := testing.AllocsPerRun(20, func() {
		for i := range recs {
			acc.Record(&recs[i])
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per pass over known keys, want 0", n)
	}
}

func TestSpanArena(t *testing.T) {
	var a spanArena
	head := int32(-1)
	gap := int64(10)
	for _, p := range []int64{100, 50, 130, 115, 5, 62, 120, 108} {
		a.add(&head, span{first: p, last: p}, gap)
	}
	// 5 | 50 | 62 (12 after 50) | 100..130: 120 joins 115 and 130 (a gap
	// of exactly 10 keeps a session), then 108 bridges 100 and 115.
	var got [][2]int64
	for s := head; s >= 0; s = a.s[s].next {
		got = append(got, [2]int64{a.s[s].first, a.s[s].last})
	}
	want := [][2]int64{{5, 5}, {50, 50}, {62, 62}, {100, 130}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("spans %v, want %v", got, want)
	}
	// 52..60 bridges 50 and 62: one span, and the freed span is reused.
	n := len(a.s)
	a.add(&head, span{first: 52, last: 60}, gap)
	a.add(&head, span{first: 300, last: 300}, gap)
	if len(a.s) != n {
		t.Errorf("%d spans allocated, want %d (one reused)", len(a.s), n)
	}
	got = got[:0]
	for s := head; s >= 0; s = a.s[s].next {
		got = append(got, [2]int64{a.s[s].first, a.s[s].last})
	}
	want = [][2]int64{{5, 5}, {50, 62}, {100, 130}, {300, 300}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("spans %v, want %v", got, want)
	}
}
