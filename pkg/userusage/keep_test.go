package userusage

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/record"
)

// keepRecords: activity on 2026-03-03 up to 12:00, one users[] element
// of a morning record at 12:00:05, and a record at 12:00:10.
func keepRecords(t *testing.T) []record.Record {
	liz := record.User{Email: "liz@example.com", Username: "lsmith", DisplayName: "Liz Smith"}
	bob := record.User{Email: "bob@example.com"}
	ann := record.User{Username: "ann"}
	recs := []record.Record{
		rec(t, "2026-03-02T09:00:00Z", "Jira", "WEB", liz, "Issues", "comment", 2),
		rec(t, "2026-03-03T08:00:00Z", "Jira", "WEB", bob, "Issues", "create", 1),
		rec(t, "2026-03-03T09:30:00Z", "Git", "api", liz, "", "push", 3),
		rec(t, "2026-03-03T12:00:00Z", "Jira", "OPS", ann, "Issues", "comment", 1),
		rec(t, "2026-03-03T12:00:10Z", "Jira", "OPS", bob, "Issues", "comment", 5),
	}
	r := rec(t, "2026-03-03T07:00:00Z", "Git", "web", bob, "", "review", 1)
	r.Users = []record.UserElem{{User: record.User{Email: "cat@example.com"}, Time: ts(t, "2026-03-03T12:00:05Z")}}
	return append(recs, r)
}

func storeAsOf(t *testing.T, recs []record.Record, asOf string) *Store {
	t.Helper()
	d := day(t, "2026-03-03")
	return Build(accumulate(t, Options{First: d, Last: d, AsOf: time.Unix(0, ts(t, asOf))}, recs), BuildOptions{})
}

// pagesJSON is every page of every report of 2026-03-03, two per page.
func pagesJSON(t *testing.T, s *Store) []byte {
	t.Helper()
	var b []byte
	for _, p := range allPages(t, s, query(t, Request{UserKey: "all", Date: "2026-03-03", MaxResults: "2"})) {
		b = append(AppendJSON(b, p), '\n')
	}
	return b
}

// TestAnswersAsOf: a Store answers for another as-of exactly when no
// time lies between the two, and then its pages are that as-of's bytes.
func TestAnswersAsOf(t *testing.T) {
	recs := keepRecords(t)
	s := storeAsOf(t, recs, "2026-03-03T12:00:01Z")
	for _, c := range []struct {
		asOf string
		same bool
	}{
		{"2026-03-03T12:00:00Z", false}, // leaves out ann's record at 12:00:00
		{"2026-03-03T12:00:00.000000001Z", true},
		{"2026-03-03T12:00:01Z", true},
		{"2026-03-03T12:00:05Z", true}, // cat's element at 12:00:05 is still out
		{"2026-03-03T12:00:05.000000001Z", false},
		{"2026-03-03T12:00:30Z", false}, // cat and bob's record at 12:00:10 count
	} {
		at := time.Unix(0, ts(t, c.asOf))
		if got := s.AnswersAsOf(at); got != c.same {
			t.Errorf("AnswersAsOf(%s) = %v, want %v", c.asOf, got, c.same)
		}
		fresh := pagesJSON(t, storeAsOf(t, recs, c.asOf))
		if same := bytes.Equal(fresh, pagesJSON(t, s)); same != c.same {
			t.Errorf("as of %s: pages equal to those of 12:00:01: %v, want %v\n%s", c.asOf, same, c.same, fresh)
		}
	}

	empty := storeAsOf(t, nil, "2026-03-03T12:00:00Z")
	if !empty.AnswersAsOf(time.Unix(0, ts(t, "2026-03-03T23:00:00Z"))) {
		t.Error("a Store of no records does not answer for a later as-of")
	}
}

// TestBytesCountsWhatAStoreHolds: the estimate is within a factor of two
// of the heap a Store keeps reachable, so it holds none of the scan's
// key blocks (which are several times larger).
func TestBytesCountsWhatAStoreHolds(t *testing.T) {
	// Built in a function, so that nothing of the scan stays reachable
	// from here.
	build := func() *Store {
		d := day(t, "2026-03-03")
		acc, err := NewAccumulator(Options{First: d, Last: d, AsOf: time.Unix(0, ts(t, "2026-03-04T00:00:00Z"))})
		if err != nil {
			t.Fatal(err)
		}
		at := ts(t, "2026-03-03T08:00:00Z")
		for i := range 20000 {
			u := record.User{
				Email: fmt.Sprintf("person.%05d@example.com", i), Username: fmt.Sprintf("p%05d", i),
				DisplayName: fmt.Sprintf("Person %05d", i), FirstName: "Person", LastName: fmt.Sprintf("N%05d", i),
			}
			for k := range 3 {
				r := record.Record{Time: at + int64(k), System: fmt.Sprintf("S%d", k), Project: fmt.Sprintf("P%d", i%50),
					User: u, Category: "c", Action: fmt.Sprintf("a%d", k), Count: 1, IntegrationUpdated: record.NoTime}
				acc.Record(&r)
			}
		}
		return Build(acc, BuildOptions{})
	}
	heap := func() int64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	s := build()
	kept := heap()
	est := s.Bytes()
	runtime.KeepAlive(s)
	s = nil
	held := kept - heap()
	t.Logf("estimate %d bytes, held %d", est, held)
	if held <= 0 || est < held/2 || est > 2*held {
		t.Errorf("Bytes() = %d for a Store that holds %d bytes", est, held)
	}
}
