package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"

	reports "google.golang.org/api/admin/reports/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
)

// bearer adds the token to every request of the official client.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// usersService is the official Reports API client pointed at ts.
func usersService(t *testing.T, ts *httptest.Server, token string) *reports.Service {
	t.Helper()
	hc := &http.Client{Transport: bearer{token: token, next: ts.Client().Transport}}
	svc, err := reports.NewService(context.Background(), option.WithEndpoint(ts.URL+"/"), option.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func usersServer(t *testing.T) *httptest.Server {
	t.Helper()
	cfg := testConfig(t, filepath.Join("..", "..", "testdata", "users", "activity.jsonl"))
	cfg.AsOf = "2026-03-04"
	ts := httptest.NewServer(newWarm(t, cfg).Handler())
	t.Cleanup(ts.Close)
	return ts
}

// TestUserUsagePagesWithTheOfficialClient: the client's Pages walks every
// page of one report per page; together they are the one-page answer,
// no user lost or repeated.
func TestUserUsagePagesWithTheOfficialClient(t *testing.T) {
	ts := usersServer(t)
	svc := usersService(t, ts, tokAdmin)
	ctx := context.Background()

	whole, err := svc.UserUsageReport.Get("all", "2026-03-03").Do()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range whole.UsageReports {
		want = append(want, r.Entity.ProfileId)
	}
	if len(want) < 3 || whole.NextPageToken != "" {
		t.Fatalf("one page holds %d reports, next token %q; want at least 3 and none", len(want), whole.NextPageToken)
	}

	var got []string
	pages := 0
	err = svc.UserUsageReport.Get("all", "2026-03-03").MaxResults(1).Pages(ctx, func(p *reports.UsageReports) error {
		pages++
		for _, r := range p.UsageReports {
			if r.Date != "2026-03-03" || r.Entity.Type != "USER" {
				t.Errorf("report %+v", r)
			}
			got = append(got, r.Entity.ProfileId)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != len(want) {
		t.Errorf("%d pages of one report, want %d", pages, len(want))
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged users %q, want %q", got, want)
	}
	seen := map[string]bool{}
	for _, id := range got {
		if seen[id] {
			t.Errorf("user %s repeated", id)
		}
		seen[id] = true
	}

	// The query parameters reach the report.
	one, err := svc.UserUsageReport.Get("all", "2026-03-03").Parameters("accounts:num_systems").Do()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range one.UsageReports {
		if len(r.Parameters) != 1 || r.Parameters[0].Name != "accounts:num_systems" {
			t.Errorf("parameters %+v", r.Parameters)
		}
	}
}

// TestUserUsageErrors: the client reads the envelope as a googleapi.Error
// with the right code; every auth case holds.
func TestUserUsageErrors(t *testing.T) {
	ts := usersServer(t)
	ctx := context.Background()
	for name, c := range map[string]struct {
		token string
		call  func(*reports.Service) error
		code  int
	}{
		"bad date": {tokAdmin, func(s *reports.Service) error {
			_, err := s.UserUsageReport.Get("all", "2026-3-3").Context(ctx).Do()
			return err
		}, 400},
		"future date": {tokAdmin, func(s *reports.Service) error {
			_, err := s.UserUsageReport.Get("all", "2026-03-09").Context(ctx).Do()
			return err
		}, 400},
		"bad maxResults": {tokAdmin, func(s *reports.Service) error {
			_, err := s.UserUsageReport.Get("all", "2026-03-03").MaxResults(5000).Do()
			return err
		}, 400},
		"bad filters": {tokAdmin, func(s *reports.Service) error {
			_, err := s.UserUsageReport.Get("all", "2026-03-03").Filters("usage:num_events~~1").Do()
			return err
		}, 400},
		"bad pageToken": {tokAdmin, func(s *reports.Service) error {
			_, err := s.UserUsageReport.Get("all", "2026-03-03").PageToken("nope").Do()
			return err
		}, 400},
		"unknown user": {tokAdmin, func(s *reports.Service) error {
			_, err := s.UserUsageReport.Get("nobody@nowhere.example", "2026-03-03").Do()
			return err
		}, 404},
		"no token":      {"", func(s *reports.Service) error { _, err := s.UserUsageReport.Get("all", "2026-03-03").Do(); return err }, 401},
		"wrong token":   {tokWrong, func(s *reports.Service) error { _, err := s.UserUsageReport.Get("all", "2026-03-03").Do(); return err }, 401},
		"no role":       {tokNoRole, func(s *reports.Service) error { _, err := s.UserUsageReport.Get("all", "2026-03-03").Do(); return err }, 403},
		"no permission": {tokNoPerm, func(s *reports.Service) error { _, err := s.UserUsageReport.Get("all", "2026-03-03").Do(); return err }, 403},
	} {
		t.Run(name, func(t *testing.T) {
			err := c.call(usersService(t, ts, c.token))
			var ge *googleapi.Error
			if !errors.As(err, &ge) || ge.Code != c.code || ge.Message == "" {
				t.Fatalf("error %v, want a googleapi.Error %d", err, c.code)
			}
		})
	}
}
