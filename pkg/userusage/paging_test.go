package userusage

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/record"
)

// pagingStore holds 2,500 users on 2026-03-03: user i has i%5 events, and
// every tenth has no email (username only).
func pagingStore(t *testing.T, workers int) *Store {
	t.Helper()
	opts := Options{First: day(t, "2026-03-02"), Last: day(t, "2026-03-03"), AsOf: time.Unix(0, ts(t, "2026-03-05T00:00:00Z"))}
	acc := accumulate(t, opts, nil)
	accs := []*Accumulator{acc}
	for range workers - 1 {
		accs = append(accs, acc.Sibling())
	}
	for i := range 2500 {
		u := record.User{Email: fmt.Sprintf("user%04d@x.com", (i*7919)%2500)}
		if i%10 == 0 {
			u = record.User{Username: fmt.Sprintf("solo%04d", i)}
		}
		r := rec(t, "2026-03-03T08:00:00Z", "Jira", "P", u, "", "edit", int64(i%5))
		accs[i%workers].Record(&r)
	}
	// The newest record, so that 2026-03-03 has no warning.
	r := rec(t, "2026-03-04T08:00:00Z", "Jira", "P", record.User{Username: "late"}, "", "", 1)
	accs[0].Record(&r)
	for _, o := range accs[1:] {
		acc.Merge(o)
	}
	return Build(acc, BuildOptions{})
}

// TestPagingThrough2500Users pages 7 reports at a time with tokens, as a
// client would, and checks that every user comes exactly once, in order.
func TestPagingThrough2500Users(t *testing.T) {
	s := pagingStore(t, 3)
	for _, tt := range []struct {
		name, filters string
		want          int
	}{
		{"all", "", 2500},
		{"filtered", "usage:num_events>=3", 1000}, // i%5 in {3, 4}
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := Request{UserKey: "all", Date: "2026-03-03", MaxResults: "7", Filters: tt.filters, Parameters: "usage:num_events"}
			seen := map[string]bool{}
			var prev Entity
			pages := 0
			for {
				p, err := s.Page(query(t, r))
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(p.Reports) == 0 || len(p.Reports) > 7 || (p.NextPageToken != "" && len(p.Reports) != 7) {
					t.Fatalf("page %d has %d reports, token %q", pages, len(p.Reports), p.NextPageToken)
				}
				for _, rep := range p.Reports {
					key := rep.Entity.UserEmail + "|" + rep.Entity.ProfileID
					if seen[key] {
						t.Fatalf("page %d repeats %s", pages, key)
					}
					seen[key] = true
					if len(seen) > 1 && compareUsers(prev.UserEmail, prev.ProfileID, rep.Entity.UserEmail, rep.Entity.ProfileID) >= 0 {
						t.Fatalf("page %d: %v after %v", pages, rep.Entity, prev)
					}
					prev = rep.Entity
					if tt.filters != "" && rep.Parameters[0].Int < 3 {
						t.Fatalf("page %d: %v has %d events, filtered for >= 3", pages, rep.Entity, rep.Parameters[0].Int)
					}
				}
				if p.NextPageToken == "" {
					break
				}
				r.PageToken = p.NextPageToken
			}
			if len(seen) != tt.want {
				t.Errorf("%d users over the pages, want %d", len(seen), tt.want)
			}
			if wantPages := (tt.want + 6) / 7; pages != wantPages {
				t.Errorf("%d pages, want %d", pages, wantPages)
			}
			// The users without email come last.
			if tt.filters == "" && prev.UserEmail != "" {
				t.Errorf("the last report is %v, want one without email", prev)
			}
		})
	}
}

// TestPagingRange: a range pages date by date; all pages of it are those
// of each date in turn, and a token resumes inside its date and goes on
// with the next.
func TestPagingRange(t *testing.T) {
	s := pagingStore(t, 1)
	r := Request{UserKey: "all", From: "2026-03-02", To: "2026-03-03", MaxResults: "1000", Parameters: "usage:num_events"}
	pages := allPages(t, s, query(t, r))
	// Nobody was seen on the 2nd: one empty page; then 3 pages of the 3rd.
	if len(pages) != 4 || len(pages[0].Reports) != 0 || pages[0].Date.String() != "2026-03-02" ||
		len(pages[1].Reports) != 1000 || len(pages[3].Reports) != 500 || pages[3].NextPageToken != "" {
		t.Fatalf("%d pages: %v", len(pages), counts(pages))
	}
	// Without all pages: the first page of each date.
	var first []*Page
	if err := s.Pages(query(t, r), false, func(p *Page) error { first = append(first, p); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || first[1].NextPageToken != pages[1].NextPageToken {
		t.Fatalf("first pages: %v", counts(first))
	}
	// Resuming from the token of the 3rd's first page.
	r.PageToken = pages[1].NextPageToken
	p, err := s.Page(query(t, r))
	if err != nil {
		t.Fatal(err)
	}
	if p.Date.String() != "2026-03-03" || p.Reports[0].Entity != pages[2].Reports[0].Entity {
		t.Errorf("resumed at %s %v, want %v", p.Date, p.Reports[0].Entity, pages[2].Reports[0].Entity)
	}
}

func counts(pages []*Page) []string {
	var out []string
	for _, p := range pages {
		out = append(out, p.Date.String()+":"+strconv.Itoa(len(p.Reports))+":"+strconv.FormatBool(p.NextPageToken != ""))
	}
	return out
}

// TestUserKey: any email of a user, in any case, or the profile id.
func TestUserKey(t *testing.T) {
	s := Build(accumulate(t, fixtureOptions(t), fixture(t)), BuildOptions{})
	alice := profileOf(t, s, "alice@x.com")
	for _, key := range []string{"alice@x.com", "ALICE@X.COM", alice} {
		p, err := s.Page(query(t, Request{UserKey: key, Date: "2026-03-03"}))
		if err != nil || len(p.Reports) != 1 || p.Reports[0].Entity.ProfileID != alice {
			t.Errorf("user key %q: %v %s", key, err, dumpPage(p))
		}
	}
	bob := profileOf(t, s, "bob")
	if p, err := s.Page(query(t, Request{UserKey: bob, Date: "2026-03-03"})); err != nil || len(p.Reports) != 1 || p.Reports[0].Entity.UserEmail != "" {
		t.Errorf("bob by profile id: %v", err)
	}
	// Beyond the API, for data without emails: a username, in any case;
	// one that two users share names neither.
	for key, want := range map[string]string{"BOB": bob, "asmith": alice, "Alice": alice} {
		if p, err := s.Page(query(t, Request{UserKey: key, Date: "2026-03-03"})); err != nil || len(p.Reports) != 1 || p.Reports[0].Entity.ProfileID != want {
			t.Errorf("user key %q: %v", key, err)
		}
	}
	_, err := s.Page(query(t, Request{UserKey: "zed@x.com", Date: "2026-03-03"}))
	if qe, ok := err.(*Error); !ok || qe.Status != 404 || qe.Message != `no user has the email, profile id or username "zed@x.com"` {
		t.Errorf("unknown user: %v", err)
	}
	// "sam" owns a class-1 key, and "Sam Lee" is another user's display
	// name: the third observation is an ambiguous user of its own, also
	// named sam.
	recs := []record.Record{
		rec(t, "2026-03-03T10:00:00Z", "Jira", "", record.User{Email: "a@x.com", Username: "sam"}, "", "", 1),
		rec(t, "2026-03-03T10:00:00Z", "Jira", "", record.User{Email: "b@x.com", Username: "bee", DisplayName: "Sam Lee"}, "", "", 1),
		rec(t, "2026-03-03T10:00:00Z", "SNOW", "", record.User{Username: "Sam", DisplayName: "Sam Lee"}, "", "", 1),
	}
	s = Build(accumulate(t, fixtureOptions(t), recs), BuildOptions{})
	if s.Users() != 3 {
		t.Fatalf("%d users, want 3", s.Users())
	}
	if _, err := s.Page(query(t, Request{UserKey: "sam", Date: "2026-03-03"})); err == nil {
		t.Error("sam, a username of two users, names one")
	}
	if p, err := s.Page(query(t, Request{UserKey: "bee", Date: "2026-03-03"})); err != nil || len(p.Reports) != 1 || p.Reports[0].Entity.UserEmail != "b@x.com" {
		t.Errorf("bee: %v", err)
	}
}

// TestParameterSelection: only what is asked for, in report order;
// unknown names are listed and left out.
func TestParameterSelection(t *testing.T) {
	s := Build(accumulate(t, fixtureOptions(t), fixture(t)), BuildOptions{})
	q := query(t, Request{UserKey: "alice@x.com", Date: "2026-03-03", Parameters: "usage:num_comment,accounts:creation_time,accounts:num_systems,gmail:num_emails_sent,usage:num_view"})
	if u := s.Unknown(q); fmt.Sprint(u) != "[accounts:creation_time gmail:num_emails_sent usage:num_view]" {
		t.Errorf("unknown: %v (usage:num_view is only an anonymous record's)", u)
	}
	p, err := s.Page(q)
	if err != nil {
		t.Fatal(err)
	}
	if got := dumpPage(p); got != "alice@x.com "+profileOf(t, s, "alice@x.com")+": accounts:num_systems=2 usage:num_comment=4" {
		t.Errorf("selected: %s", got)
	}
}
