package cli

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// byArgs are by.jsonl's settings (testdata/analytics/README.md).
var byFixture string

func init() {
	byFixture, _ = filepath.Abs("../../testdata/analytics/by.jsonl") // before a test leaves the directory
}

func byArgs(t *testing.T, cmd string, extra ...string) []string {
	t.Helper()
	p := byFixture
	args := append(strings.Fields("analytics "+cmd), "-q", "--from", "2026-03-01", "--to", "2026-03-07", "--as-of", "2026-03-07")
	return append(append(args, extra...), p)
}

func TestAnalyticsByUserID(t *testing.T) {
	isolate(t)
	doc := runAnalyticsJSON(t, byArgs(t, "timeline", "--by", "user_id", "--lost-after", "3d")...)
	// README, "--by user_id": totals over the four (system, id) clients.
	if got := rowsText(doc.Tables["timeline"].Rows, "new", "active", "lost", "sessions", "runtime_hours", "events"); !slices.Equal(got, []string{"3,4,2,5,1.0333,9"}) {
		t.Errorf("timeline %v", got)
	}
	if !slices.ContainsFunc(doc.Params, func(p struct{ Key, Value string }) bool { return p.Key == "by" && p.Value == "user_id" }) {
		t.Errorf("params %v lack by", doc.Params)
	}
	// The mention without a user id is counted as left out.
	_, stdout, _ := run(t, "", byArgs(t, "clients", "--by", "user_id")...)
	var raw struct {
		DataQuality map[string]any `json:"data_quality"`
	}
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatal(err)
	}
	if raw.DataQuality["no_user_id"] != 1.0 || raw.DataQuality["anonymous"] != 0.0 {
		t.Errorf("data quality %v, want no_user_id 1", raw.DataQuality)
	}
	doc = runAnalyticsJSON(t, byArgs(t, "clients", "--by", "user_id")...)
	if got := rowsText(doc.Tables["clients"].Rows, "system", "user_id", "active_days", "sessions", "events", "plan"); !slices.Equal(got, []string{
		"GitHub,u1,1,1,3,null", "Jira,u1,1,1,3,Pro", "Jira,u2,2,2,2,null", "Jira,u3,1,1,1,null",
	}) {
		t.Errorf("clients %v", got)
	}
}

func TestAnalyticsBySession(t *testing.T) {
	isolate(t)
	doc := runAnalyticsJSON(t, byArgs(t, "timeline", "--by", "session", "--lost-after", "3d")...)
	// README, "--by session".
	if got := rowsText(doc.Tables["timeline"].Rows, "new", "active", "lost", "sessions", "runtime_hours", "events"); !slices.Equal(got, []string{"4,4,3,4,1.0333,8"}) {
		t.Errorf("timeline %v", got)
	}
	doc = runAnalyticsJSON(t, byArgs(t, "clients", "--by", "session")...)
	if got := rowsText(doc.Tables["clients"].Rows, "session", "user", "start", "end", "runtime_hours", "events"); !slices.Equal(got, []string{
		"s1,ann@x.com,2026-03-01T10:00:00Z,2026-03-01T10:10:00Z,0.1667,3",
		",ann@x.com,2026-03-02T09:00:00Z,2026-03-02T09:50:00Z,0.8333,3",
		",bob@x.com,2026-03-04T15:00:00Z,2026-03-04T15:00:00Z,0,1",
		",cy,2026-03-06T11:00:00Z,2026-03-06T11:00:00Z,0.0333,1",
	}) {
		t.Errorf("clients %v", got)
	}
	doc = runAnalyticsJSON(t, byArgs(t, "events table", "--by", "session")...)
	if got := rowsText(doc.Tables["events"].Rows, "event", "occurrences", "users", "per_active_user", "share"); len(got) != 4 || got[0] != "code/push,4,3,1,75" {
		t.Errorf("events %v", got)
	}
	// Every command takes --by; a bad one is a usage error.
	for _, cmd := range []string{"current", "distribution", "events timeline", "events lifetime", "churn"} {
		runAnalyticsJSON(t, byArgs(t, cmd, "--by", "session")...)
	}
	if code, _, stderr := run(t, "", byArgs(t, "timeline", "--by", "email")...); code != ExitUsage || !strings.Contains(stderr, "--by") {
		t.Errorf("--by email: exit %d: %s", code, stderr)
	}
}

// The workbook's About sheet says how many mentions had no user id.
func TestAnalyticsByUserIDWorkbook(t *testing.T) {
	dir := isolate(t)
	code, _, stderr := run(t, "", byArgs(t, "current", "--by", "user_id", "-o", "c.xlsx")...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if all := sheetText(t, filepath.Join(dir, "c.xlsx"), "About"); !strings.Contains(all, "Without a user_id|1") {
		t.Errorf("About lacks the mentions without a user_id:\n%s", all)
	}
}
