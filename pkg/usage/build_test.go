package usage

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/record"
)

var fixtureAsOf = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func ts(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

// syncRec builds a sync record "sys/proj/type/id -> peer...".
func syncRec(at string, a, b [4]string, outcome record.Outcome, status record.Status) record.Record {
	r := record.Record{Time: ts(at), Kind: record.KindSync, Count: 1, IntegrationUpdated: record.NoTime,
		System: a[0], Project: a[1], EntityType: a[2], EntityID: a[3],
		PeerSystem: b[0], PeerProject: b[1], PeerEntityType: b[2], PeerEntityID: b[3],
		Outcome: outcome, IntegrationStatus: status, Source: "syncs.jsonl"}
	return r
}

func activity(at, system string, u record.User, interaction string) record.Record {
	return record.Record{Time: ts(at), System: system, User: u, Interaction: interaction, Count: 1,
		IntegrationUpdated: record.NoTime, Source: "activity.jsonl"}
}

// fixture is a small hand-checked data set; the expected figures are
// worked out in the comments of TestBuildFixture.
func fixture() []record.Record {
	ok, fail := record.OutcomeSuccess, record.OutcomeFailure
	none := record.StatusUnknown
	rs := []record.Record{
		/* 0 */ syncRec("2026-10-01T10:00:00Z", [4]string{"Jira", "PROJ", "Bug", "PROJ-1"}, [4]string{"ADO", "Web", "Bug", "7"}, ok, record.StatusActive),
		/* 1 */ syncRec("2026-10-02T10:00:00Z", [4]string{"ADO", "Web", "Bug", "7"}, [4]string{"Jira", "PROJ", "Bug", "PROJ-1"}, ok, none),
		/* 2 */ syncRec("2026-10-03T10:00:00Z", [4]string{"Jira", "PROJ", "Bug", "PROJ-1"}, [4]string{"ServiceNow", "", "Incident", "INC1"}, ok, none),
		/* 3 */ syncRec("2026-10-04T10:00:00Z", [4]string{"Jira", "PROJ", "Story", "PROJ-2"}, [4]string{"ADO", "Web", "User Story", ""}, ok, none),
		/* 4 */ syncRec("2026-10-05T10:00:00Z", [4]string{"Jira", "PROJ", "Story", "PROJ-2"}, [4]string{"ADO", "Web", "User Story", ""}, ok, none),
		/* 5 */ syncRec("2026-10-06T10:00:00Z", [4]string{"Jira", "PROJ", "Task", ""}, [4]string{"ADO", "Web", "Task", ""}, ok, none),
		/* 6 */ syncRec("2026-10-07T10:00:00Z", [4]string{"Jira", "PROJ", "Task", ""}, [4]string{"ADO", "Web", "Task", ""}, ok, none),
		/* 7 */ syncRec("2026-10-08T10:00:00Z", [4]string{"Jira", "PROJ", "Bug", "PROJ-3"}, [4]string{"ADO", "Web", "Bug", "8"}, fail, record.StatusInactive),
		/* 8 */ syncRec("2025-12-01T10:00:00Z", [4]string{"Jira", "OLD", "Epic", "OLD-1"}, [4]string{"ADO", "Legacy", "Epic", "100"}, ok, none),
		/* 9 */ syncRec("2024-01-01T10:00:00Z", [4]string{"Jira", "PROJ", "Bug", "X"}, [4]string{"ADO", "Web", "Bug", "Y"}, ok, record.StatusActive),
		/* 10 */ syncRec("2026-11-23T00:00:00Z", [4]string{"Jira", "PROJ", "Bug", "LATE"}, [4]string{"ADO", "Web", "Bug", "9"}, ok, none),
		/* 11 */ syncRec("2026-10-09T10:00:00Z", [4]string{"Jira", "PROJ", "Bug", "PROJ-4"}, [4]string{"", "", "", ""}, ok, none),

		/* 12 */ activity("2026-09-01T10:00:00Z", "Jira", record.User{Email: "alice@x.com", Username: "asmith"}, "comment"),
		/* 13 */ activity("2026-09-02T10:00:00Z", "ADO", record.User{Email: "ALICE@x.com", Username: "alice"}, "update"),
		/* 14 */ activity("2026-09-03T10:00:00Z", "ServiceNow", record.User{Email: "bob@x.com"}, ""),
		/* 15 */ activity("2026-09-04T10:00:00Z", "GitHub", record.User{Username: "erin"}, ""),
		/* 16 */ activity("2026-09-05T10:00:00Z", "GitLab", record.User{Username: "ERIN"}, ""),
		/* 17 */ activity("2026-09-06T10:00:00Z", "Jira", record.User{FirstName: "Zed"}, ""),
		/* 18 */ activity("2026-09-07T10:00:00Z", "Jira", record.User{Email: "not-an-email", Username: "carl"}, ""),
		/* 19 */ activity("2025-12-15T10:00:00Z", "Jira", record.User{Email: "frank@x.com", Username: "frank"}, ""),
		/* 20 */ activity("2026-11-23T00:00:00Z", "Jira", record.User{Email: "gina@x.com"}, ""),
		/* 21 */ activity("2026-12-01T00:00:00Z", "Jira", record.User{}, ""),
		/* 22 */ activity("2026-06-01T00:00:00Z", "Jira", record.User{Email: "svc-sync@x.com", Username: "svc-sync"}, "mapped_field"),
	}
	rs[0].Users = []record.UserElem{{User: record.User{Email: "dave@x.com", Username: "dave"}, Time: record.NoTime}}
	rs[8].IntegrationUpdated = ts("2025-11-30T09:00:00Z")
	rs[21].Users = []record.UserElem{{User: record.User{Email: "helen@x.com"}, Time: ts("2026-11-01T00:00:00Z")}}
	return rs
}

func buildFixture(t *testing.T, recs []record.Record, workers int, rng *rand.Rand, activeWithin time.Duration) *Report {
	t.Helper()
	periods, err := ParsePeriods("6m,1y")
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewConfig(fixtureAsOf, periods)
	accs := make([]*Accumulator, workers)
	for i := range accs {
		accs[i] = NewAccumulator(cfg)
	}
	for i := range recs {
		w := 0
		if rng != nil {
			w = rng.IntN(workers)
		}
		accs[w].Record(&recs[i])
	}
	if rng != nil {
		rng.Shuffle(len(accs), func(i, j int) { accs[i], accs[j] = accs[j], accs[i] })
	}
	acc := accs[0]
	for _, o := range accs[1:] {
		acc.Merge(o)
	}
	return Build(acc, BuildOptions{
		AsOf: fixtureAsOf, Periods: periods, Location: time.UTC, ActiveWithin: activeWithin,
		ServiceAccountPatterns: []string{"svc-*"},
		Inputs: []InputStats{
			{Name: "syncs.jsonl", Read: 13, Rejected: 1, Reasons: map[string]int64{"invalid JSON": 1}},
			{Name: "activity.jsonl", Read: 11},
		},
	})
}

func TestBuildFixture(t *testing.T) {
	rep := buildFixture(t, fixture(), 1, nil, 30*24*time.Hour)
	if len(rep.Workbooks) != 2 {
		t.Fatalf("%d workbooks, want 2", len(rep.Workbooks))
	}
	six, year := rep.Workbooks[0], rep.Workbooks[1]
	if six.Period.Label != "Last 6 Months" || !six.Period.From.Equal(time.Date(2026, 5, 23, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("6m period = %+v", six.Period)
	}

	t.Run("synced entities", func(t *testing.T) {
		// 6m, ADO<->Jira: {Jira:PROJ-1, ADO:7} synced both ways is one
		// entity (records 0, 1); Jira:PROJ-2 with an id on one end only is
		// one (3, 4); two syncs without ids count once each (5, 6); the
		// failure (7), the one at as-of (10) and the one of 2024 (9) do not
		// count. Jira<->ServiceNow: {Jira:PROJ-1, ServiceNow:INC1} (2).
		wantPairs(t, six.SystemPairs, []SystemPairRow{
			{System1: "ADO", System2: "Jira", Entities: 4, LastSynced: time.Unix(0, ts("2026-10-07T10:00:00Z")).UTC()},
			{System1: "Jira", System2: "ServiceNow", Entities: 1, LastSynced: time.Unix(0, ts("2026-10-03T10:00:00Z")).UTC()},
		})
		if got := six.Summary.TotalEntitiesSynced; got != 5 {
			t.Errorf("6m total entities = %d, want 5", got)
		}
		// 1y adds {Jira:OLD-1, ADO:100} (8).
		if got := year.Summary.TotalEntitiesSynced; got != 6 {
			t.Errorf("1y total entities = %d, want 6", got)
		}
		if got := year.SystemPairs[0].Entities; got != 5 {
			t.Errorf("1y ADO<->Jira entities = %d, want 5", got)
		}
	})

	t.Run("projects", func(t *testing.T) {
		// ServiceNow's end has no project: the pair is listed, the end is
		// not a project.
		if got := six.Summary.TotalProjects; got != 2 {
			t.Errorf("6m projects = %d, want 2", got)
		}
		if got := year.Summary.TotalProjects; got != 4 {
			t.Errorf("1y projects = %d, want 4", got)
		}
		want := []ProjectPairRow{
			// Latest status is record 7's Inactive (a failure still carries status).
			{System1: "ADO", Project1: "Web", System2: "Jira", Project2: "PROJ", Status: "Inactive",
				LastSynced: time.Unix(0, ts("2026-10-07T10:00:00Z")).UTC()},
			// No status data; last sync 51 days before as-of > 30 days.
			{System1: "Jira", Project1: "PROJ", System2: "ServiceNow", Project2: "", Status: "Inactive",
				LastSynced: time.Unix(0, ts("2026-10-03T10:00:00Z")).UTC()},
		}
		if !reflect.DeepEqual(six.ProjectPairs, want) {
			t.Errorf("6m project pairs:\n got %+v\nwant %+v", six.ProjectPairs, want)
		}
		legacy := year.ProjectPairs[0]
		if legacy.Project1 != "Legacy" || !legacy.LastUpdated.Equal(time.Unix(0, ts("2025-11-30T09:00:00Z"))) {
			t.Errorf("1y first project pair = %+v, want ADO/Legacy with Last Updated 2025-11-30 09:00", legacy)
		}
	})

	t.Run("entity types", func(t *testing.T) {
		// ADO: Bug, Task, User Story; Jira: Bug, Story, Task; ServiceNow:
		// Incident. Jira's Bug shows in two pairs but is one type.
		if got := six.Summary.TotalEntityTypes; got != 7 {
			t.Errorf("6m entity types = %d, want 7", got)
		}
		if len(six.EntityTypes) != 8 {
			t.Errorf("6m entity type rows = %d, want 8: %+v", len(six.EntityTypes), six.EntityTypes)
		}
		first := six.EntityTypes[0]
		if first.SystemPair != "ADO <-> Jira" || first.EndSystem != "ADO" || first.EntityType != "Bug" || first.Status != "Inactive" {
			t.Errorf("first entity type row = %+v", first)
		}
		if got := year.Summary.TotalEntityTypes; got != 9 {
			t.Errorf("1y entity types = %d, want 9", got)
		}
	})

	t.Run("users", func(t *testing.T) {
		// alice (class 1, Jira+ADO), dave (class 1, users[] of record 0),
		// svc-sync (class 1, service account by glob), bob (class 2),
		// helen (class 2: users[] element dated inside the window of a
		// record after as-of), erin (class 4, GitHub+GitLab), carl (class
		// 4: his email is invalid). Zed names nobody: anonymous.
		s := six.Summary
		want := ClassCounts{UsernamesOrEmails: 3, Emails: 2, DisplayNames: 0, Usernames: 2}
		if s.TotalUsers != 7 || s.ByClass != want {
			t.Errorf("6m users = %d %+v, want 7 %+v", s.TotalUsers, s.ByClass, want)
		}
		if s.ServiceAccounts != 1 {
			t.Errorf("service accounts = %d, want 1", s.ServiceAccounts)
		}
		if year.Summary.TotalUsers != 8 {
			t.Errorf("1y users = %d, want 8 (frank added)", year.Summary.TotalUsers)
		}
		wantCounts := []SystemUserCount{
			{System: "ADO", Count: 1, ClassCounts: ClassCounts{UsernamesOrEmails: 1}},
			{System: "GitHub", Count: 1, ClassCounts: ClassCounts{Usernames: 1}},
			{System: "GitLab", Count: 1, ClassCounts: ClassCounts{Usernames: 1}},
			{System: "Jira", Count: 5, ClassCounts: ClassCounts{UsernamesOrEmails: 3, Emails: 1, Usernames: 1}},
			{System: "ServiceNow", Count: 1, ClassCounts: ClassCounts{Emails: 1}},
		}
		if !reflect.DeepEqual(six.UserCounts, wantCounts) {
			t.Errorf("6m per-system counts:\n got %+v\nwant %+v", six.UserCounts, wantCounts)
		}
		if six.UserTotal.System != TotalRowLabel || six.UserTotal.Count != 7 {
			t.Errorf("total row = %+v", six.UserTotal)
		}
		var alice *UserRow
		for i := range six.Users {
			if six.Users[i].Email == "alice@x.com" {
				alice = &six.Users[i]
			}
		}
		if alice == nil {
			t.Fatal("no alice row")
		}
		if alice.IdentifiedBy != identity.ClassUsernameOrEmail || len(alice.ObservedIn) != 2 ||
			!reflect.DeepEqual(alice.Interactions, []string{"comment", "update"}) || len(alice.Duplicates) != 2 {
			t.Errorf("alice = %+v", *alice)
		}
	})

	t.Run("quality", func(t *testing.T) {
		q := six.Summary.Quality
		if q.Anonymous != 1 {
			t.Errorf("anonymous = %d, want 1", q.Anonymous)
		}
		if q.RecordsRead != 24 || q.RecordsRejected != 1 {
			t.Errorf("read/rejected = %d/%d, want 24/1", q.RecordsRead, q.RecordsRejected)
		}
		// In 6m: records 0-7, 11-18, 22 = 17; 1y adds 8 and 19.
		if q.RecordsInWindow != 17 || year.Summary.Quality.RecordsInWindow != 19 {
			t.Errorf("in window = %d / %d, want 17 / 19", q.RecordsInWindow, year.Summary.Quality.RecordsInWindow)
		}
		bySource := map[string]SourceQuality{}
		for _, s := range q.Sources {
			bySource[s.Source] = s
		}
		if bySource["activity.jsonl"].InvalidEmails != 1 || bySource["syncs.jsonl"].SyncsWithoutPeer != 1 {
			t.Errorf("sources = %+v", q.Sources)
		}
		if r := bySource["syncs.jsonl"].RejectReasons; len(r) != 1 || r[0] != (ReasonCount{"invalid JSON", 1}) {
			t.Errorf("reject reasons = %+v", r)
		}
	})
}

func TestStatusFallsBackToActiveWithin(t *testing.T) {
	rep := buildFixture(t, fixture(), 1, nil, 60*24*time.Hour)
	if got := rep.Workbooks[0].ProjectPairs[1].Status; got != "Active" {
		t.Errorf("Jira<->ServiceNow status with --active-within 60d = %q, want Active", got)
	}
}

func wantPairs(t *testing.T, got, want []SystemPairRow) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("system pairs:\n got %+v\nwant %+v", got, want)
	}
}

// Splitting the records over workers in any way and merging in any order
// must give the same report as one worker.
func TestMergeIsOrderFree(t *testing.T) {
	want := buildFixture(t, fixture(), 1, nil, 30*24*time.Hour)
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		recs := fixture()
		rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		got := buildFixture(t, recs, 1+rng.IntN(5), rng, 30*24*time.Hour)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: report differs from the single-worker report", seed)
		}
	}
}

// fixtureBuilder is a builder of the fixture's workbooks for periods.
func fixtureBuilder(periods []PeriodSpec) *Builder {
	acc := NewAccumulator(NewConfig(fixtureAsOf, periods))
	recs := fixture()
	for i := range recs {
		acc.Record(&recs[i])
	}
	return NewBuilder(acc, BuildOptions{AsOf: fixtureAsOf, Periods: periods, Location: time.UTC, ServiceAccountPatterns: []string{"svc-*"}})
}

// A builder lets the prepared observations go with the last window, and a
// window asked for again is refused rather than built from what is gone.
func TestBuilderWorkbookOnce(t *testing.T) {
	periods, err := ParsePeriods("6m,1y")
	if err != nil {
		t.Fatal(err)
	}
	builder := func() *Builder { return fixtureBuilder(periods) }
	forward := builder()
	want := []Workbook{forward.Workbook(0), forward.Workbook(1)}
	// In reverse: the windows do not depend on their order.
	bld := builder()
	year, half := bld.Workbook(1), bld.Workbook(0)
	if bld.prepared != nil {
		t.Fatal("the prepared observations outlived the last window")
	}
	if len(year.Users) == 0 || !reflect.DeepEqual(half, want[0]) || !reflect.DeepEqual(year, want[1]) {
		t.Fatalf("built in reverse, the workbooks differ (%d and %d users, want %d and %d)",
			len(half.Users), len(year.Users), len(want[0].Users), len(want[1].Users))
	}
	defer func() {
		if recover() == nil {
			t.Error("period 0 was built twice")
		}
	}()
	bld.Workbook(0)
}

// Four windows give the same workbooks in whatever order they are asked
// for, and the prepared observations go with the last.
func TestBuilderAnyOrder(t *testing.T) {
	periods, err := ParsePeriods("1m,3m,6m,1y")
	if err != nil {
		t.Fatal(err)
	}
	builder := func() *Builder { return fixtureBuilder(periods) }
	var want []Workbook
	forward := builder()
	for i := range periods {
		want = append(want, forward.Workbook(i))
	}
	if len(want[0].Users) == len(want[3].Users) {
		t.Fatal("the fixture's month and year have as many users: the test would not tell them apart")
	}
	var permute func(order, rest []int)
	permute = func(order, rest []int) {
		if len(rest) == 0 {
			bld := builder()
			for _, i := range order {
				if got := bld.Workbook(i); !reflect.DeepEqual(got, want[i]) {
					t.Fatalf("built in order %v, workbook %d differs", order, i)
				}
			}
			if bld.prepared != nil {
				t.Fatalf("built in order %v, the prepared observations outlived the last window", order)
			}
			return
		}
		for k := range rest {
			next := append(slices.Clone(rest[:k]), rest[k+1:]...)
			permute(append(slices.Clone(order), rest[k]), next)
		}
	}
	permute(nil, []int{0, 1, 2, 3})
}

// BetweenStages is called before each workbook, after sealing and after
// preparing, and after each window's rows, and changes nothing built.
func TestBuilderBetweenStages(t *testing.T) {
	periods, err := ParsePeriods("6m,1y")
	if err != nil {
		t.Fatal(err)
	}
	build := func(between func()) []Workbook {
		acc := NewAccumulator(NewConfig(fixtureAsOf, periods))
		recs := fixture()
		for i := range recs {
			acc.Record(&recs[i])
		}
		bld := NewBuilder(acc, BuildOptions{AsOf: fixtureAsOf, Periods: periods, Location: time.UTC, BetweenStages: between})
		return []Workbook{bld.Workbook(0), bld.Workbook(1)}
	}
	calls := 0
	got := build(func() { calls++ })
	if want := 2*len(periods) + 2; calls != want {
		t.Errorf("BetweenStages called %d times, want %d", calls, want)
	}
	if want := build(nil); !reflect.DeepEqual(got, want) {
		t.Error("the workbooks differ with BetweenStages set")
	}
}
