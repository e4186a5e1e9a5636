package server_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyticsEndpointsAreTheCommandsJSON: for each analytics report,
// /v1/analytics/... answers exactly what `usagerep analytics ... --format
// json` writes with the same flags on testdata/analytics.
func TestAnalyticsEndpointsAreTheCommandsJSON(t *testing.T) {
	fixture, err := filepath.Abs(filepath.Join("..", "..", "testdata", "analytics", "activity.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := writeServeConfig(t, "")
	addr := startServe(t, cfgFile, fixture)

	// The fixture's settings (its README): March 1 to 14, as of the 14th.
	rng := []string{"--from", "2026-03-01", "--to", "2026-03-14", "--as-of", "2026-03-14"}
	rngQ := "from=2026-03-01&to=2026-03-14&as_of=2026-03-14&"
	cases := []struct {
		name, path, query string
		cmd, flags        []string
		table             string // a table the report must have, with rows
	}{
		{"timeline by week and OS", "timeline", rngQ + "split=week&lost_after=7d&segment_by=props.os&top=2",
			[]string{"timeline"}, append([]string{"--split", "week", "--lost-after", "7d", "--segment-by", "props.os", "--top", "2"}, rng...), "timeline"},
		{"timeline levels", "timeline", rngQ + "levels=plan,props.os&status=active&metrics=",
			[]string{"timeline"}, append([]string{"--levels", "plan,props.os", "--status", "active", "--metrics", ""}, rng...), ""},
		{"current", "current", "as_of=2026-03-14&from=2026-03-01&windows=7&segment_by=props.os",
			[]string{"current"}, []string{"--as-of", "2026-03-14", "--from", "2026-03-01", "--windows", "7", "--segment-by", "props.os"}, ""},
		{"distribution", "distribution", rngQ + "session_buckets=1,2&runtime_buckets=0:10,1:00&tz=Europe/Paris",
			[]string{"distribution"}, append([]string{"--session-buckets", "1,2", "--runtime-buckets", "0:10,1:00", "--tz", "Europe/Paris"}, rng...), "distribution"},
		{"events table", "events/table", rngQ + "hierarchy=true&sort=users&limit=3&offset=0",
			[]string{"events", "table"}, append([]string{"--hierarchy", "--sort", "users", "--limit", "3"}, rng...), "events"},
		{"events timeline", "events/timeline", rngQ + "events=push,auth/login&split=week&per=users",
			[]string{"events", "timeline"}, append([]string{"--events", "push,auth/login", "--split", "week", "--per", "users"}, rng...), ""},
		{"events lifetime", "events/lifetime", rngQ + "limit=2&buckets=1,3&average_buckets=0.5,2",
			[]string{"events", "lifetime"}, append([]string{"--limit", "2", "--buckets", "1,3", "--average-buckets", "0.5,2"}, rng...), ""},
		{"churn, two filters", "churn", rngQ + "split=week&lost_after=7d&filter=" + url.QueryEscape("props.os != Mac") + "&filter=" + url.QueryEscape("system != ServiceNow"),
			[]string{"churn"}, append([]string{"--split", "week", "--lost-after", "7d", "--filter", "props.os != Mac", "--filter", "system != ServiceNow"}, rng...), "cohorts"},
		{"clients paged", "clients", rngQ + "limit=2&offset=1&session_gap=1h",
			[]string{"clients"}, append([]string{"--limit", "2", "--offset", "1", "--session-gap", "1h"}, rng...), "clients"},
		{"clients defaults", "clients", "as_of=2026-03-14",
			[]string{"clients"}, []string{"--as-of", "2026-03-14"}, "clients"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string{"analytics"}, c.cmd...), "--config", cfgFile, "-q", "--format", "json", "-o", "-")
			want := runCommand(t, append(append(args, c.flags...), fixture)...)
			got := fetch(t, addr+"/v1/analytics/"+c.path+"?"+c.query)
			if !bytes.Equal(got, want) {
				t.Fatalf("serve's answer (%d bytes) differs from the command's (%d bytes):\n%s\nwant\n%s", len(got), len(want), got, want)
			}
			var doc struct {
				Report string `json:"report"`
				Tables map[string]struct {
					Rows []any `json:"rows"`
				} `json:"tables"`
			}
			if err := json.Unmarshal(got, &doc); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if doc.Report != "analytics "+strings.Join(c.cmd, " ") || len(doc.Tables) == 0 {
				t.Fatalf("report %q with %d tables", doc.Report, len(doc.Tables))
			}
			if c.table != "" && len(doc.Tables[c.table].Rows) == 0 {
				t.Errorf("table %s has no rows (tables: %v)", c.table, doc.Tables)
			}
		})
	}
}
