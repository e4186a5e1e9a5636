package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	reports "google.golang.org/api/admin/reports/v1"

	"github.com/usagerep/usagerep/pkg/report"
	"github.com/usagerep/usagerep/pkg/userusage"
)

// usersScans is how many times the server scanned its inputs for the
// users report.
func usersScans(s *Server) int {
	return int(testutil.ToFloat64(s.metrics.scans.WithLabelValues("users")))
}

// manyUsers writes n users active on 2026-03-03 (user i has i%5 events;
// every tenth has a username only) and one record on 2026-03-04, so that
// 2026-03-03 has no warning.
func manyUsers(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		who := fmt.Sprintf(`"email":"user%04d@example.com"`, (i*7919)%n)
		if i%10 == 0 {
			who = fmt.Sprintf(`"username":"solo%04d"`, i)
		}
		fmt.Fprintf(&b, `{"time":"2026-03-03T08:00:00Z","system":"Jira","project":"P","action":"edit",%s,"count":%d}`+"\n", who, i%5)
	}
	b.WriteString(`{"time":"2026-03-04T08:00:00Z","system":"Jira","project":"P","username":"late"}` + "\n")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "activity.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// referenceUsers is every page of r as a fresh scan gives it (the path
// the endpoint took before it kept any state): what each page must be.
func referenceUsers(t *testing.T, cfg Config, asOf time.Time, r userusage.Request) []string {
	t.Helper()
	q, err := userusage.ParseRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := userusage.NewAccumulator(userusage.Options{First: q.From, Last: q.To, Location: time.UTC, AsOf: asOf, Customer: q.CustomerID})
	if err != nil {
		t.Fatal(err)
	}
	accs, _, err := report.Scan(context.Background(), cfg.Inputs, cfg.Scan, acc.Sibling)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range accs {
		acc.Merge(o)
	}
	store := userusage.Build(acc, userusage.BuildOptions{ServiceAccountPatterns: cfg.ServiceAccounts})
	var out []string
	err = store.Pages(q, true, func(p *userusage.Page) error {
		out = append(out, string(userusage.AppendJSON(nil, p))+"\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pageThrough follows nextPageToken from the first page of userKey on
// date with query v, as a client does, and returns every page's body.
func pageThrough(t *testing.T, ts *httptest.Server, userKey, date string, v url.Values) []string {
	t.Helper()
	var out []string
	for {
		u := ts.URL + "/admin/reports/v1/usage/users/" + url.PathEscape(userKey) + "/dates/" + date + "?" + v.Encode()
		resp, body := get(t, ts.Client(), u, tokAdmin)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d: status %d: %s", len(out)+1, resp.StatusCode, body)
		}
		out = append(out, string(body))
		var p struct{ NextPageToken string }
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		if p.NextPageToken == "" {
			return out
		}
		v.Set("pageToken", p.NextPageToken)
	}
}

func samePages(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d pages, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("page %d differs from a fresh scan's:\n%s\nwant\n%s", i+1, got[i], want[i])
		}
	}
}

// TestUsersPagingScansOnce: paging through 2,500 users 7 at a time scans
// the inputs once, every page is a fresh scan's bytes, other queries of
// the date (user keys, filters, parameters, page sizes, the official
// client) scan no more, and a change of the inputs scans again.
func TestUsersPagingScansOnce(t *testing.T) {
	dir := manyUsers(t, 2500)
	cfg := testConfig(t, dir)
	cfg.AsOf = "2026-03-05"
	s := newWarm(t, cfg)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	asOf := time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC) // the end of --as-of's day

	got := pageThrough(t, ts, "all", "2026-03-03", url.Values{"maxResults": {"7"}})
	samePages(t, got, referenceUsers(t, cfg, asOf, userusage.Request{UserKey: "all", Date: "2026-03-03", MaxResults: "7"}))
	if len(got) != 358 { // ceil(2500 / 7)
		t.Errorf("%d pages, want 358", len(got))
	}
	if n := usersScans(s); n != 1 {
		t.Fatalf("%d scans for %d pages of one query, want 1", n, len(got))
	}

	// Other queries of the same date are answered from the same state.
	filtered := url.Values{"maxResults": {"50"}, "filters": {"usage:num_events>=3"}, "parameters": {"usage:num_events,accounts:first_activity_time"}}
	samePages(t, pageThrough(t, ts, "all", "2026-03-03", filtered), referenceUsers(t, cfg, asOf, userusage.Request{
		UserKey: "all", Date: "2026-03-03", MaxResults: "50", Filters: "usage:num_events>=3", Parameters: "usage:num_events,accounts:first_activity_time",
	}))
	samePages(t, pageThrough(t, ts, "USER0042@example.com", "2026-03-03", url.Values{}),
		referenceUsers(t, cfg, asOf, userusage.Request{UserKey: "USER0042@example.com", Date: "2026-03-03"}))
	users := 0
	err := usersService(t, ts, tokAdmin).UserUsageReport.Get("all", "2026-03-03").MaxResults(9).Filters("usage:num_events>=3").
		Pages(context.Background(), func(p *reports.UsageReports) error { users += len(p.UsageReports); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if users != 1000 { // i%5 in {3, 4}
		t.Errorf("the official client paged %d users, want 1000", users)
	}
	if n := usersScans(s); n != 1 {
		t.Fatalf("%d scans after other queries of the date, want still 1", n)
	}
	// Another date is other state.
	pageThrough(t, ts, "all", "2026-03-04", url.Values{})
	if n := usersScans(s); n != 2 {
		t.Fatalf("%d scans after another date, want 2", n)
	}

	// A new input: a newcomer on 2026-03-03 (renamed in, so it is never
	// seen half-written).
	tmp := filepath.Join(t.TempDir(), "more.jsonl")
	if err := os.WriteFile(tmp, []byte(`{"time":"2026-03-03T09:00:00Z","system":"Jira","project":"P","email":"aaa@example.com","action":"edit"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "more.jsonl")); err != nil {
		t.Fatal(err)
	}
	if !s.recheck() {
		t.Fatal("the new input was not seen")
	}
	after := pageThrough(t, ts, "all", "2026-03-03", url.Values{"maxResults": {"1000"}})
	if n := usersScans(s); n != 3 {
		t.Fatalf("%d scans after the inputs changed, want 3", n)
	}
	samePages(t, after, referenceUsers(t, cfg, asOf, userusage.Request{UserKey: "all", Date: "2026-03-03", MaxResults: "1000"}))
	if !strings.Contains(after[0], `"userEmail":"aaa@example.com"`) {
		t.Error("the first page after the change lacks the newcomer")
	}
}

// TestUsersStateFollowsAsOf: without --as-of each request is as of now,
// a new second each time; the state answers them all until a record of
// the input lies between, then it is computed again.
func TestUsersStateFollowsAsOf(t *testing.T) {
	cfg := testConfig(t, filepath.Join("..", "..", "testdata", "users", "activity.jsonl"))
	cfg.AsOf = ""
	// The fixture's last record is at 2026-03-05T09:00:00Z.
	var mu sync.Mutex
	now := time.Date(2026, 3, 5, 8, 59, 0, 0, time.UTC)
	var asOfs []time.Time
	cfg.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		asOfs = append(asOfs, now)
		return now
	}
	lastAsOf := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return asOfs[len(asOfs)-1]
	}
	s := newWarm(t, cfg)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	one := url.Values{"maxResults": {"1"}}
	got := pageThrough(t, ts, "all", "2026-03-03", one)
	if len(got) != 4 {
		t.Fatalf("%d pages of one report, want 4", len(got))
	}
	if n := usersScans(s); n != 1 {
		t.Fatalf("%d scans for 4 pages, each as of another second, want 1", n)
	}
	// Each page is what a fresh scan as of its own second gives.
	for i, p := range got {
		mu.Lock()
		at := asOfs[len(asOfs)-len(got)+i]
		mu.Unlock()
		want := referenceUsers(t, cfg, at, userusage.Request{UserKey: "all", Date: "2026-03-03", MaxResults: "1"})
		if p != want[i] {
			t.Errorf("page %d as of %s:\n%s\nwant\n%s", i+1, at, p, want[i])
		}
	}

	day5 := func() string {
		pages := pageThrough(t, ts, "all", "2026-03-05", url.Values{})
		want := referenceUsers(t, cfg, lastAsOf(), userusage.Request{UserKey: "all", Date: "2026-03-05"})
		samePages(t, pages, want)
		return pages[0]
	}
	if p := day5(); !strings.Contains(p, "DATA_NOT_AVAILABLE") {
		t.Fatalf("2026-03-05 before its record: %s", p)
	}
	day5()
	if n := usersScans(s); n != 2 {
		t.Fatalf("%d scans, want 2: one per date", n)
	}
	mu.Lock()
	now = time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC) // the next request is as of 09:00:01
	mu.Unlock()
	if p := day5(); !strings.Contains(p, "PARTIAL_DATA_AVAILABLE") || !strings.Contains(p, "liz@example.com") {
		t.Fatalf("2026-03-05 after its record: %s", p)
	}
	if n := usersScans(s); n != 3 {
		t.Fatalf("%d scans, want 3: the record at 09:00 needs a new state", n)
	}
}

// TestUsersStateSharedByConcurrentPages: requests for different pages and
// filters of one date, arriving while its state is computed, wait for that
// one computation.
func TestUsersStateSharedByConcurrentPages(t *testing.T) {
	cfg := testConfig(t, filepath.Join("..", "..", "testdata", "users", "activity.jsonl"))
	cfg.AsOf = "2026-03-04"
	started, release := make(chan struct{}, 10), make(chan struct{})
	cfg.usersScanHook = func() {
		started <- struct{}{}
		<-release
	}
	s := newWarm(t, cfg)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	queries := []string{"", "maxResults=1", "maxResults=2", "filters=usage:num_events%3E1", "parameters=usage:num_events"}
	bodies := make([]string, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() {
			resp, body := get(t, ts.Client(), ts.URL+"/admin/reports/v1/usage/users/all/dates/2026-03-03?"+q, tokAdmin)
			if resp.StatusCode != 200 {
				t.Errorf("%s: status %d: %s", q, resp.StatusCode, body)
			}
			bodies[i] = string(body)
		})
	}
	<-started
	// Every request is waiting: one page computation per query, each
	// joined to the one state computation.
	waitFor(t, "every page to wait for the state", func() bool {
		s.flights.mu.Lock()
		defer s.flights.mu.Unlock()
		return len(s.flights.calls) == len(queries)
	})
	close(release)
	wg.Wait()
	if n := usersScans(s); n != 1 {
		t.Fatalf("%d scans, want 1", n)
	}
	if len(started) != 0 {
		t.Fatalf("%d more scans started", len(started))
	}
	asOf := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	for i, q := range queries {
		v, _ := url.ParseQuery(q)
		want := referenceUsers(t, cfg, asOf, userusage.Request{UserKey: "all", Date: "2026-03-03",
			MaxResults: v.Get("maxResults"), Filters: v.Get("filters"), Parameters: v.Get("parameters")})
		if bodies[i] != want[0] {
			t.Errorf("%s:\n%s\nwant\n%s", q, bodies[i], want[0])
		}
	}
}

// TestUsersStateBeyondTheCache: a state larger than --cache-bytes is not
// kept (it is said once in the log), and each page scans as before; with
// no cache at all, the same, silently.
func TestUsersStateBeyondTheCache(t *testing.T) {
	for _, c := range []struct {
		name  string
		bytes int64
		warn  int
	}{{"small", 2 << 10, 1}, {"none", -1, 0}} {
		t.Run(c.name, func(t *testing.T) {
			var logs syncBuffer
			cfg := testConfig(t, filepath.Join("..", "..", "testdata", "users", "activity.jsonl"))
			cfg.AsOf = "2026-03-04"
			cfg.CacheBytes = c.bytes
			cfg.Log = newJSONLogger(&logs)
			s := newWarm(t, cfg)
			ts := httptest.NewServer(s.Handler())
			defer ts.Close()
			pages := pageThrough(t, ts, "all", "2026-03-03", url.Values{"maxResults": {"1"}})
			samePages(t, pages, referenceUsers(t, cfg, time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
				userusage.Request{UserKey: "all", Date: "2026-03-03", MaxResults: "1"}))
			if n := usersScans(s); n != len(pages) {
				t.Errorf("%d scans for %d pages, want one each", n, len(pages))
			}
			if n := strings.Count(logs.String(), "larger than the cache"); n != c.warn {
				t.Errorf("the log says %d times that the state does not fit, want %d:\n%s", n, c.warn, logs.String())
			}
		})
	}
}
