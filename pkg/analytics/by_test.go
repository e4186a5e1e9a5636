package analytics

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/record"
	"github.com/usagerep/usagerep/pkg/source"
)

// by.jsonl's settings (testdata/analytics/README.md, "by.jsonl").
const byPath = "../../testdata/analytics/by.jsonl"

var (
	byFrom = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	byTo   = time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC)
	byAsOf = time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)
)

func byOptions(by ClientBy) Options {
	return Options{From: byFrom, To: byTo, AsOf: byAsOf, Events: true, AllProps: true, By: by}
}

// readRecords decodes path into owned records.
func readRecords(t testing.TB, path string) []record.Record {
	t.Helper()
	var recs []record.Record
	sink := sinkFunc(func(r *record.Record) {
		c := *r
		c.Props = slices.Clone(r.Props)
		c.Users = slices.Clone(r.Users)
		recs = append(recs, c)
	})
	_, err := source.Scan(context.Background(), []string{path},
		source.ScanOptions{Workers: 1, Decode: source.DecodeOptions{KeepProps: true}}, []source.Sink{sink},
		func(r source.Reject) error { t.Errorf("reject: %v", r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

type sinkFunc func(*record.Record)

func (f sinkFunc) Record(r *record.Record) { f(r) }

type clientFigures struct {
	days, sessions, events int64
	runtime                time.Duration
}

func figuresOf(u *User) clientFigures {
	var f clientFigures
	for _, d := range u.Days {
		f.days++
		f.sessions += d.Sessions
		f.events += d.Events
		f.runtime += time.Duration(d.Runtime)
	}
	return f
}

func TestByUserID(t *testing.T) {
	recs := readRecords(t, byPath)
	ds := build(t, byOptions(ByUserID), recs)
	// README, "--by user_id".
	if q := ds.Quality; q.Records != 11 || q.AfterAsOf != 1 || q.NoUserID != 1 || q.Anonymous != 0 {
		t.Errorf("quality %+v, want 11 records, 1 after as-of, 1 without a user id, none anonymous", q)
	}
	want := []struct {
		system, id  string
		first, last string
		clientFigures
	}{
		{"GitHub", "u1", "2026-03-02T09:00:00Z", "2026-03-02T09:50:00Z", clientFigures{1, 1, 3, 50 * time.Minute}},
		{"Jira", "u1", "2026-03-01T10:00:00Z", "2026-03-01T10:10:00Z", clientFigures{1, 1, 3, 10 * time.Minute}},
		{"Jira", "u2", "2026-03-03T12:00:00Z", "2026-03-05T08:00:00Z", clientFigures{2, 2, 2, 0}},
		{"Jira", "u3", "2026-02-20T11:00:00Z", "2026-03-06T11:00:00Z", clientFigures{1, 1, 1, 2 * time.Minute}},
	}
	if len(ds.Users) != len(want) {
		t.Fatalf("%d clients, want %d", len(ds.Users), len(want))
	}
	for i, w := range want {
		u := &ds.Users[i]
		first, _ := time.Parse(time.RFC3339, w.first)
		last, _ := time.Parse(time.RFC3339, w.last)
		if !slices.Equal(u.Systems, []string{w.system}) || u.UserID != w.id || u.Email != "" ||
			u.First != first.UnixNano() || u.Last != last.UnixNano() {
			t.Errorf("client %d: %v %q %v..%v, want %s/%s %s..%s", i, u.Systems, u.UserID,
				time.Unix(0, u.First).UTC(), time.Unix(0, u.Last).UTC(), w.system, w.id, w.first, w.last)
		}
		if got := figuresOf(u); got != w.clientFigures {
			t.Errorf("client %s/%s: %+v, want %+v", w.system, w.id, got, w.clientFigures)
		}
	}
	tl, err := BuildTimeline(ds, TimelineOptions{LostAfter: 3 * 24 * time.Hour, Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	wantTotals := Figures{New: 3, Active: 4, Lost: 2, Sessions: 5, Runtime: int64(62 * time.Minute), Events: 9}
	if got := tl.Figures[0][0]; got != wantTotals {
		t.Errorf("timeline %+v, want %+v", got, wantTotals)
	}
	c, err := BuildClients(ds, ClientsOptions{Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	tab := c.Report()[0]
	if tab.Columns[0].Key != "system" || tab.Columns[1].Key != "user_id" || tab.Len != 4 {
		t.Errorf("clients columns %+v, %d rows", tab.Columns, tab.Len)
	}
	row := make([]Value, len(tab.Columns))
	tab.Row(2, row)
	if row[0].Text != "Jira" || row[1].Text != "u2" || row[4].Int != 2 || row[5].Int != 2 {
		t.Errorf("clients row 3 %+v", row)
	}
}

func TestBySession(t *testing.T) {
	recs := readRecords(t, byPath)
	ds := build(t, byOptions(BySession), recs)
	// README, "--by session".
	if q := ds.Quality; q.Anonymous != 2 || q.NoUserID != 0 || q.OutOfDays != 1 {
		t.Errorf("quality %+v, want u2's 2 anonymous mentions and cy's 02-20 outside the days", q)
	}
	want := []struct {
		session, user string
		start, end    string
		clientFigures
	}{
		{"s1", "ann@x.com", "2026-03-01T10:00:00Z", "2026-03-01T10:10:00Z", clientFigures{1, 1, 3, 10 * time.Minute}},
		{"", "ann@x.com", "2026-03-02T09:00:00Z", "2026-03-02T09:50:00Z", clientFigures{1, 1, 3, 50 * time.Minute}},
		{"", "bob@x.com", "2026-03-04T15:00:00Z", "2026-03-04T15:00:00Z", clientFigures{1, 1, 1, 0}},
		{"", "cy", "2026-03-06T11:00:00Z", "2026-03-06T11:00:00Z", clientFigures{1, 1, 1, 2 * time.Minute}},
	}
	if len(ds.Users) != len(want) {
		t.Fatalf("%d sessions, want %d", len(ds.Users), len(want))
	}
	for i, w := range want {
		u := &ds.Users[i]
		start, _ := time.Parse(time.RFC3339, w.start)
		end, _ := time.Parse(time.RFC3339, w.end)
		if u.Session != w.session || cmpOr(u.Email, u.Username) != w.user || u.First != start.UnixNano() || u.Last != end.UnixNano() {
			t.Errorf("session %d: %q of %q %v..%v, want %+v", i, u.Session, cmpOr(u.Email, u.Username),
				time.Unix(0, u.First).UTC(), time.Unix(0, u.Last).UTC(), w)
		}
		if got := figuresOf(u); got != w.clientFigures {
			t.Errorf("session %d: %+v, want %+v", i, got, w.clientFigures)
		}
	}
	// s1's events by name, through the dataset's ids.
	got := map[string]int64{}
	for _, e := range ds.Users[0].Events {
		got[ds.Events[e.Event].Name()] += e.N
	}
	if !reflect.DeepEqual(got, map[string]int64{"auth/login": 1, "code/push": 2}) {
		t.Errorf("s1's events %v", got)
	}
	// A session has its user's latest values: ann's plan of 03-01.
	if p := ds.Users[1].Props; !slices.Equal(p, []Prop{{Field: "plan", Value: "Pro"}}) {
		t.Errorf("ann's 03-02 session props %v, want her plan", p)
	}
	tl, err := BuildTimeline(ds, TimelineOptions{LostAfter: 3 * 24 * time.Hour, Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	wantTotals := Figures{New: 4, Active: 4, Lost: 3, Sessions: 4, Runtime: int64(62 * time.Minute), Events: 8}
	if got := tl.Figures[0][0]; got != wantTotals {
		t.Errorf("timeline %+v, want %+v", got, wantTotals)
	}
	et, err := BuildEventsTable(ds, EventsOptions{Segment: SegmentOptions{By: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(et.Rows) != 4 || et.Rows[0].Event != "code/push" {
		t.Fatalf("events %+v", et.Rows)
	}
	if f := et.Rows[0].Total; f.Occurrences != 4 || f.Users != 3 || f.Active != 4 || f.Sessions != 4 {
		t.Errorf("code/push %+v, want 4 occurrences in 3 of 4 sessions", f)
	}
}

// On the main fixture, bob's session of 03-03 23:50 to 03-04 00:10 is one
// client active on two days, counted once on the day it starts.
func TestBySessionAcrossMidnight(t *testing.T) {
	opts := fixtureOptions(t)
	opts.By = BySession
	ds := loadFixture(t, opts)
	if len(ds.Users) != 11 {
		t.Fatalf("%d sessions, want the README's 11", len(ds.Users))
	}
	for _, u := range ds.Users {
		if u.Email == "bob@x.com" && u.First == time.Date(2026, 3, 3, 23, 50, 0, 0, time.UTC).UnixNano() {
			if len(u.Days) != 2 || u.Days[0].Sessions != 1 || u.Days[1].Sessions != 0 ||
				u.Days[0].Runtime != int64(20*time.Minute) || u.Days[0].Events != 1 || u.Days[1].Events != 1 {
				t.Errorf("bob's night session %+v", u.Days)
			}
			return
		}
	}
	t.Error("no session of bob's starting 03-03 23:50")
}

// Any split of the input between workers, merged in any order, gives the
// same clients in every mode.
func TestByMergeOrderFree(t *testing.T) {
	recs := append(readRecords(t, byPath), readRecords(t, fixturePath)...)
	for _, by := range []ClientBy{ByUserID, BySession} {
		opts := byOptions(by)
		opts.From = fixFrom
		opts.To = fixTo
		opts.AsOf = fixAsOf
		want := build(t, opts, recs)
		rng := rand.New(rand.NewPCG(5, uint64(by)))
		for trial := range 20 {
			shuffled := slices.Clone(recs)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			root, err := NewAccumulator(opts)
			if err != nil {
				t.Fatal(err)
			}
			accs := []*Accumulator{root, root.Sibling(), root.Sibling()}
			for i := range shuffled {
				accs[rng.IntN(len(accs))].Record(&shuffled[i])
			}
			rng.Shuffle(len(accs), func(i, j int) { accs[i], accs[j] = accs[j], accs[i] })
			for _, o := range accs[1:] {
				accs[0].Merge(o)
			}
			got := Build(accs[0], BuildOptions{})
			if !reflect.DeepEqual(got.Users, want.Users) || got.Quality != want.Quality {
				t.Fatalf("%s, trial %d: the dataset differs\n got %+v\nwant %+v", by, trial, got.Users, want.Users)
			}
		}
	}
}

// Once its keys exist, a record costs no allocation in either mode.
func TestByRecordAllocs(t *testing.T) {
	recs := readRecords(t, byPath)
	for _, by := range []ClientBy{ByUserID, BySession} {
		acc, err := NewAccumulator(byOptions(by))
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			acc.Record(&recs[i])
		}
		n := testing.AllocsPerRun(20, func() {
			for i := range recs {
				acc.Record(&recs[i])
			}
		})
		if n != 0 {
			t.Errorf("%s: %v allocations per pass over known keys, want 0", by, n)
		}
	}
}

func TestParseClientBy(t *testing.T) {
	for i, n := range ClientByNames {
		if b, err := ParseClientBy(n); err != nil || b != ClientBy(i) || b.String() != n {
			t.Errorf("%q: %v %v", n, b, err)
		}
	}
	if _, err := ParseClientBy("email"); err == nil {
		t.Error("email parsed")
	}
}
