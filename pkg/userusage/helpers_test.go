package userusage

import (
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/record"
)

// ts parses an RFC 3339 time into Unix ns.
func ts(t testing.TB, s string) int64 {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UnixNano()
}

func day(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// rec is a record with the usual defaults.
func rec(t testing.TB, at, system, project string, u record.User, category, action string, count int64) record.Record {
	t.Helper()
	return record.Record{Time: ts(t, at), System: system, Project: project, User: u, Category: category, Action: action, Count: count, IntegrationUpdated: record.NoTime}
}

// accumulate feeds recs to one accumulator.
func accumulate(t testing.TB, opts Options, recs []record.Record) *Accumulator {
	t.Helper()
	acc, err := NewAccumulator(opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		acc.Record(&recs[i])
	}
	return acc
}

func query(t testing.TB, r Request) *Query {
	t.Helper()
	q, err := ParseRequest(r)
	if err != nil {
		t.Fatalf("ParseRequest(%+v): %v", r, err)
	}
	return q
}

// allPages collects every page of q.
func allPages(t testing.TB, s *Store, q *Query) []*Page {
	t.Helper()
	var out []*Page
	if err := s.Pages(q, true, func(p *Page) error { out = append(out, p); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// param finds a report's parameter by name.
func param(r *Report, name string) (Parameter, bool) {
	for _, p := range r.Parameters {
		if p.Name == name {
			return p, true
		}
	}
	return Parameter{}, false
}
