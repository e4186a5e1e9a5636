package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/report"
	"github.com/usagerep/usagerep/pkg/usage"
)

// analyticsFixture is a server over testdata/analytics, whose README
// works out every figure.
func analyticsFixture(t *testing.T) (Config, *httptest.Server) {
	t.Helper()
	cfg := testConfig(t, filepath.Join("..", "..", "testdata", "analytics", "activity.jsonl"))
	cfg.AsOf = "2026-03-14"
	ts := httptest.NewServer(newWarm(t, cfg).Handler())
	t.Cleanup(ts.Close)
	return cfg, ts
}

// TestAnalyticsEndpointIsReportAnalytics: the answer is
// report.AnalyticsReport's bytes (the CLI's path), as JSON.
func TestAnalyticsEndpointIsReportAnalytics(t *testing.T) {
	cfg, ts := analyticsFixture(t)
	asOf, err := usage.ParseAsOf("2026-03-14", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range report.AnalyticsReports {
		t.Run(name, func(t *testing.T) {
			query := "from=2026-03-01&to=2026-03-14&segment_by=plan"
			resp, body := get(t, ts.Client(), ts.URL+analyticsPrefix+strings.ReplaceAll(name, " ", "/")+"?"+query, tokAdmin)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			v, _ := url.ParseQuery(query)
			var want bytes.Buffer
			if _, err := report.AnalyticsReport(context.Background(), &want, cfg.Inputs, cfg.Scan, report.AnalyticsQuery{
				Report: name, Location: time.UTC, AsOf: asOf, Values: v, ServiceAccounts: cfg.ServiceAccounts,
			}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, want.Bytes()) {
				t.Fatalf("the answer differs from report.AnalyticsReport's:\n%s\nwant\n%s", body, want.Bytes())
			}
			var doc struct {
				Report string         `json:"report"`
				AsOf   string         `json:"as_of"`
				Tables map[string]any `json:"tables"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if doc.Report != "analytics "+name || doc.AsOf != "2026-03-15T00:00:00Z" || len(doc.Tables) == 0 {
				t.Fatalf("report %q as of %q, %d tables", doc.Report, doc.AsOf, len(doc.Tables))
			}
		})
	}
}

func TestAnalyticsQueryValidation(t *testing.T) {
	_, ts := analyticsFixture(t)
	for name, c := range map[string]struct{ path, query, param string }{
		"bad from":             {"timeline", "from=2026-3-1", "from"},
		"bad to":               {"churn", "to=yesterday", "to"},
		"to before from":       {"timeline", "from=2026-03-10&to=2026-03-01", "to"},
		"bad tz":               {"current", "tz=Mars/Olympus", "tz"},
		"bad as_of":            {"clients", "as_of=soon", "as_of"},
		"bad filter":           {"timeline", "filter=" + url.QueryEscape("props.os ?? x"), "filter"},
		"second filter bad":    {"timeline", "filter=" + url.QueryEscape("plan == Pro") + "&filter=nope", "filter"},
		"bad segment_by":       {"distribution", "segment_by=nosuch", "segment_by"},
		"bad top":              {"timeline", "segment_by=plan&top=0", "top"},
		"top not a number":     {"timeline", "top=many", "top"},
		"bad session_gap":      {"clients", "session_gap=-1m", "session_gap"},
		"bad split":            {"timeline", "split=year", "split"},
		"split none for churn": {"churn", "split=none", "split"},
		"bad status":           {"timeline", "status=gone", "status"},
		"bad metrics":          {"timeline", "metrics=clicks", "metrics"},
		"nothing to show":      {"timeline", "status=&metrics=", "status"},
		"bad lost_after":       {"churn", "lost_after=0d", "lost_after"},
		"bad levels":           {"timeline", "levels=a,b,c,d", "levels"},
		"levels with split":    {"timeline", "levels=plan&split=week", "levels"},
		"bad windows":          {"current", "windows=0", "windows"},
		"bad session_buckets":  {"distribution", "session_buckets=3,1", "session_buckets"},
		"bad runtime_buckets":  {"churn", "runtime_buckets=soon", "runtime_buckets"},
		"bad sort":             {"events/table", "sort=colour", "sort"},
		"bad hierarchy":        {"events/table", "hierarchy=maybe", "hierarchy"},
		"negative limit":       {"clients", "limit=-1", "limit"},
		"negative offset":      {"events/table", "offset=-1", "offset"},
		"limit not a number":   {"churn", "limit=ten", "limit"},
		"timeline limit 0":     {"events/timeline", "limit=0", "limit"},
		"bad per":              {"events/timeline", "per=day", "per"},
		"bad buckets":          {"events/lifetime", "buckets=x", "buckets"},
		"bad average_buckets":  {"events/lifetime", "average_buckets=2,1", "average_buckets"},
		"another's parameter":  {"current", "split=week", "split"},
		"format is not served": {"clients", "format=csv", "format"},
		"repeated":             {"timeline", "split=week&split=day", "split"},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := get(t, ts.Client(), ts.URL+analyticsPrefix+c.path+"?"+c.query, tokAdmin)
			if resp.StatusCode != 400 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			e := wantEnvelope(t, body, 400, "invalid")
			if !strings.Contains(e.Error.Message, c.param) {
				t.Errorf("message %q does not name %s", e.Error.Message, c.param)
			}
			if strings.Contains(e.Error.Message, "--") {
				t.Errorf("message %q names a flag, not a parameter", e.Error.Message)
			}
		})
	}
	t.Run("events alone is no report", func(t *testing.T) {
		resp, body := get(t, ts.Client(), ts.URL+analyticsPrefix+"events", tokAdmin)
		if resp.StatusCode != 404 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		wantEnvelope(t, body, 404, "notFound")
	})
}
