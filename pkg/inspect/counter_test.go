package inspect

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/usagerep/usagerep/pkg/record"
	"github.com/usagerep/usagerep/pkg/source"
)

// bit returns the Present bit of a canonical field.
func bit(t *testing.T, name string) uint64 {
	t.Helper()
	for i, f := range source.Fields() {
		if f.Name == name {
			return 1 << i
		}
	}
	t.Fatalf("no field %s", name)
	return 0
}

// fixture is six hand-made records:
//
//	1  t=100 Jira  PROJ  comment  alice@x.com+asmith        props os
//	2  t=300 Jira  PROJ  comment  ALICE@x.com+asmith        props os, v
//	3  t=200 ADO   Web   sync     (no user) users[]: bob (ADO), "Carol K" (own system SNOW)
//	4  t=50  ""    ""    ""       not-an-email only           -> names nobody
//	5  t=400 ADO   Web   login    "Dave" display name only
//	6  t=150 Jira  PROJ  comment  user_id only               -> names nobody
func fixture(t *testing.T) []*record.Record {
	t.Helper()
	rec := func(tm int64, system, project, action string, u record.User) *record.Record {
		r := &record.Record{Time: tm, System: system, Project: project, Action: action, User: u, Count: 1, IntegrationUpdated: record.NoTime}
		r.Present = bit(t, "time")
		if system != "" {
			r.Present |= bit(t, "system")
		}
		if u.Email != "" {
			r.Present |= bit(t, "email")
		}
		return r
	}
	r1 := rec(100, "Jira", "PROJ", "comment", record.User{Email: "alice@x.com", Username: "asmith"})
	r1.Props = []record.Prop{{Key: "os", Value: "linux"}}
	r2 := rec(300, "Jira", "PROJ", "comment", record.User{Email: "ALICE@x.com", Username: "asmith"})
	r2.Props = []record.Prop{{Key: "os", Value: "mac"}, {Key: "v", Value: "2"}}
	r3 := rec(200, "ADO", "Web", "sync", record.User{})
	r3.Kind = record.KindSync
	r3.Outcome = record.OutcomeFailure
	r3.Users = []record.UserElem{
		{User: record.User{Username: "bob"}, Time: record.NoTime},
		{User: record.User{DisplayName: "Carol K"}, System: "SNOW", Time: 250},
	}
	r4 := rec(50, "", "", "", record.User{Email: "not-an-email"})
	r5 := rec(400, "ADO", "Web", "login", record.User{DisplayName: "Dave"})
	r6 := rec(150, "Jira", "PROJ", "comment", record.User{UserID: "u-9"})
	return []*record.Record{r1, r2, r3, r4, r5, r6}
}

func TestCounterHandChecked(t *testing.T) {
	c := NewCounter(Limits{})
	for _, r := range fixture(t) {
		c.Record(r)
	}
	if c.records != 6 || c.syncs != 1 || c.failures != 1 {
		t.Errorf("records %d syncs %d failures %d", c.records, c.syncs, c.failures)
	}
	if got := c.present[0]; got != 6 {
		t.Errorf("time present in %d records, want 6", got)
	}
	// Records 4 (invalid email only) and 6 (user_id only) name nobody.
	if c.withoutWho != 2 || c.withUsers != 1 || c.withProps != 2 {
		t.Errorf("without user %d, with users %d, with props %d", c.withoutWho, c.withUsers, c.withProps)
	}
	o := c.obs
	// Observations: r1, r2 (class 1), bob (4), Carol (3), r4 and r6 (0), Dave (3).
	if want := [5]int64{2, 2, 0, 2, 1}; o.byClass != want {
		t.Errorf("by class %v, want %v", o.byClass, want)
	}
	// r1 and r2 are one distinct observation (the email is lower-cased).
	if len(o.set) != 6 || o.invalid != 1 {
		t.Errorf("%d distinct observations (want 6), %d invalid emails (want 1)", len(o.set), o.invalid)
	}
	sys := values(c.systems, 10)
	if want := []Count{{"Jira", 3}, {"ADO", 2}}; !reflect.DeepEqual(sys.Top, want) || sys.Missing != 1 || sys.More {
		t.Errorf("systems %+v", sys)
	}
	props := values(c.props, 10)
	if want := []Count{{"os", 2}, {"v", 1}}; !reflect.DeepEqual(props.Top, want) {
		t.Errorf("props %+v", props.Top)
	}
	u := buildUsers(c, nil)
	// alice; bob; Carol K; Dave: 4 identities, one per class but Emails.
	if !u.Resolved || u.Identities != 4 {
		t.Fatalf("users %+v", u)
	}
	want := []ClassCount{{"Usernames or Emails", 1, 2}, {"Emails", 0, 0}, {"Display Names", 2, 2}, {"Usernames", 1, 1}}
	if !reflect.DeepEqual(u.ByClass, want) {
		t.Errorf("by class %+v, want %+v", u.ByClass, want)
	}
}

// TestCounterMergeIsSplitFree checks that any split of the records over
// workers gives the counts of one worker.
func TestCounterMergeIsSplitFree(t *testing.T) {
	recs := fixture(t)
	one := NewCounter(Limits{})
	for _, r := range recs {
		one.Record(r)
	}
	for split := 0; split <= len(recs); split++ {
		a, b := NewCounter(Limits{}), NewCounter(Limits{})
		for i, r := range recs {
			if i < split {
				a.Record(r)
			} else {
				b.Record(r)
			}
		}
		a.Merge(b)
		if a.records != one.records || a.present != one.present ||
			a.withoutWho != one.withoutWho || a.obs.byClass != one.obs.byClass || len(a.obs.set) != len(one.obs.set) {
			t.Errorf("split %d: merged counts differ", split)
		}
		if !reflect.DeepEqual(values(a.projects, 10), values(one.projects, 10)) {
			t.Errorf("split %d: projects %+v, want %+v", split, values(a.projects, 10), values(one.projects, 10))
		}
		if !reflect.DeepEqual(buildUsers(a, nil), buildUsers(one, nil)) {
			t.Errorf("split %d: users differ", split)
		}
	}
}

func TestDistinctCap(t *testing.T) {
	d := newDistinct(2)
	for _, v := range []string{"b", "a", "", "c", "a", "c", "b"} {
		d.add(v)
	}
	// a and b fit; both c records are past the cap.
	v := values(d, 10)
	want := Values{Distinct: 2, More: true, OtherRecords: 2, Missing: 1, Top: []Count{{"a", 2}, {"b", 2}}}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("%+v, want %+v", v, want)
	}
	// Merging keeps the cap, and the values it keeps do not depend on order.
	x, y := newDistinct(2), newDistinct(2)
	x.add("z")
	y.add("m")
	y.add("a")
	x.merge(y)
	if got := values(x, 10); got.Distinct != 2 || !got.More || got.OtherRecords != 1 || got.Top[0].Value != "a" {
		t.Errorf("merged %+v", got)
	}
}

func TestObservationCap(t *testing.T) {
	c := NewCounter(Limits{Observations: 3})
	for i := range 5 {
		c.Record(&record.Record{Time: 1, System: "S", User: record.User{Username: fmt.Sprint("u", i)}})
	}
	u := buildUsers(c, nil)
	if u.Resolved || !u.MoreObservations || u.Observations != 3 || u.ByClass[3].Observations != 5 {
		t.Errorf("over the cap: %+v", u)
	}
}

// TestRecordDoesNotAllocate guards the per-record path: once values are
// known, counting a record allocates nothing.
func TestRecordDoesNotAllocate(t *testing.T) {
	c := NewCounter(Limits{})
	recs := fixture(t)
	for _, r := range recs {
		c.Record(r)
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, r := range recs {
			c.Record(r)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run of known records", allocs)
	}
}

func TestRejectLogKeepsEarliest(t *testing.T) {
	l := NewRejectLog(2)
	for _, r := range []source.Reject{
		{Source: "b", Line: 1, Reason: "x"}, {Source: "a", Line: 9, Reason: "x"},
		{Source: "a", Line: 3, Reason: "x", Detail: strings.Repeat("d", 200)}, {Source: "a", Line: 1, Reason: "y"},
	} {
		l.Add(r)
	}
	got := l.Examples("x")
	if len(got) != 2 || got[0].Source != "a" || got[0].Line != 3 || got[1].Line != 9 {
		t.Errorf("examples %+v", got)
	}
	if n := len([]rune(got[0].Detail)); n != 120 {
		t.Errorf("detail of %d runes, want it cut to 120", n)
	}
	if len(l.Examples("y")) != 1 || len(l.Examples("z")) != 0 {
		t.Errorf("y %v, z %v", l.Examples("y"), l.Examples("z"))
	}
}
