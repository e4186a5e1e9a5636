package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, text string) {
	t.Helper()
	if err := os.WriteFile("usagerep.yaml", []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// accessDay runs access over one day of input (accessFixture) with args.
func accessDay(t *testing.T, input string, args ...string) (int, string) {
	t.Helper()
	all := append([]string{"access", "-q", "--from", "2026-03-02", "--to", "2026-03-02"}, args...)
	code, _, stderr := run(t, "", append(all, input)...)
	return code, stderr
}

// exportMini runs export over input (mini.jsonl) with args.
func exportMini(t *testing.T, input string, args ...string) (int, string) {
	t.Helper()
	all := append([]string{"export", "-q", "--as-of", "2026-11-22"}, args...)
	code, _, stderr := run(t, "", append(all, input)...)
	return code, stderr
}

// TestPerCommandConfig: one file gives export, access and an analytics
// command each their own format and output, and every command reads its
// own; export's zip settings no longer reach access (docs/access.md used
// to list that as a limitation).
func TestPerCommandConfig(t *testing.T) {
	mini, act := fixturePath(t, "mini.jsonl"), accessFixture(t)
	dir := isolate(t)
	if err := os.Mkdir("reports", 0o755); err != nil {
		t.Fatal(err)
	}
	writeConfig(t, `tz: UTC
export:
  format: zip
  output: reports/usage.zip
access:
  format: json
  output: access-report.out
  columns:
    uploads: [scan_upload]
analytics:
  current:
    output: current.csv
`)
	if code, stderr := exportMini(t, mini); code != ExitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if books := readZip(t, filepath.Join(dir, "reports", "usage.zip")); len(books) != 2 {
		t.Errorf("reports/usage.zip has %d workbooks, want 2", len(books))
	}
	if code, stderr := accessDay(t, act, "--columns", "uploads"); code != ExitOK {
		t.Fatalf("access: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile("access-report.out")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(data, &rows); err != nil || len(rows) == 0 {
		t.Errorf("access-report.out is not the JSON rows (%v):\n%.200s", err, data)
	} else if _, view := rows[0]["view"]; view {
		t.Errorf("the profile of access.columns, beside access.format, was not used: %v", rows[0])
	}
	if code, _, stderr := run(t, "", "analytics", "current", "-q", "--as-of", "2026-11-22", mini); code != ExitOK {
		t.Fatalf("analytics current: exit %d: %s", code, stderr)
	}
	if data, err := os.ReadFile("current.csv"); err != nil || !strings.HasPrefix(string(data), "Segment,Known users,") {
		t.Errorf("analytics.current.output: %v\n%.200s", err, data)
	}
	for _, stray := range []string{DefaultZipName, "access.json", "access.csv"} {
		if fileExists(stray) {
			t.Errorf("%s was written", stray)
		}
	}
}

// TestPerCommandPrecedence: for a command's own key, a flag beats
// USAGEREP_<COMMAND>_<NAME>, which beats the file, which beats the
// default; another command's variable changes nothing.
func TestPerCommandPrecedence(t *testing.T) {
	mini, act := fixturePath(t, "mini.jsonl"), accessFixture(t)
	isolate(t)
	if code, stderr := accessDay(t, act); code != ExitOK || !fileExists("access.csv") {
		t.Fatalf("default: exit %d, access.csv written: %v: %s", code, fileExists("access.csv"), stderr)
	}
	writeConfig(t, "access:\n  output: from-file.csv\n")
	t.Setenv("USAGEREP_EXPORT_OUTPUT", "export-only.zip")
	t.Setenv("USAGEREP_EXPORT_FORMAT", "xlsx")
	if code, stderr := accessDay(t, act); code != ExitOK || !fileExists("from-file.csv") {
		t.Fatalf("file: exit %d, from-file.csv written: %v: %s", code, fileExists("from-file.csv"), stderr)
	}
	if fileExists("export-only.zip") {
		t.Error("access read USAGEREP_EXPORT_OUTPUT")
	}

	t.Setenv("USAGEREP_ACCESS_OUTPUT", "from-env.out")
	t.Setenv("USAGEREP_ACCESS_FORMAT", "json")
	if code, stderr := accessDay(t, act); code != ExitOK {
		t.Fatalf("env: exit %d: %s", code, stderr)
	}
	if data, err := os.ReadFile("from-env.out"); err != nil || !json.Valid(data) {
		t.Errorf("USAGEREP_ACCESS_OUTPUT/FORMAT: %v, JSON %v", err, json.Valid(data))
	}

	if code, stderr := accessDay(t, act, "-o", "from-flag.csv", "--format", "csv"); code != ExitOK {
		t.Fatalf("flag: exit %d: %s", code, stderr)
	}
	if data, err := os.ReadFile("from-flag.csv"); err != nil || !strings.HasPrefix(string(data), "Date,") {
		t.Errorf("-o and --format over the environment: %v\n%.100s", err, data)
	}

	// export reads its own variables: workbooks into export-only.zip/.
	if code, stderr := exportMini(t, mini); code != ExitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if !fileExists(filepath.Join("export-only.zip", "Usage Report (Last 1 Year).xlsx")) {
		t.Error("export did not read USAGEREP_EXPORT_OUTPUT and USAGEREP_EXPORT_FORMAT")
	}
}

// TestSharedPerCommandKeysRefused: the top-level format, output and split
// every command used to read are errors naming the key and its new place,
// in the file and in the environment, before anything is written.
func TestSharedPerCommandKeysRefused(t *testing.T) {
	mini := fixturePath(t, "mini.jsonl")
	for _, tc := range []struct {
		name, cfg, env string
		args           []string
		stderrHas      []string
	}{
		{name: "export", cfg: "format: zip\noutput: reports.zip\n", args: []string{"export", "--as-of", "2026-11-22"},
			stderrHas: []string{"config file usagerep.yaml: top-level format, output are no longer read", `"export: {format: zip, output: reports.zip}"`}},
		{name: "access", cfg: "output: reports.zip\n", args: []string{"access", "--from", "2026-10-01", "--to", "2026-10-01"},
			stderrHas: []string{"top-level output is no longer read", `"access: {output: reports.zip}"`}},
		{name: "a command without the key", cfg: "output: reports.zip\n", args: []string{"inspect"},
			stderrHas: []string{"top-level output is no longer read", `"export: {output: reports.zip}"`}},
		{name: "nested", cfg: "split: month\n", args: []string{"analytics", "churn"},
			stderrHas: []string{"top-level split is no longer read", `"analytics: {churn: {split: month}}"`}},
		{name: "config show", cfg: "format: zip\n", args: []string{"config", "show"},
			stderrHas: []string{"top-level format is no longer read"}},
		{name: "environment", env: "USAGEREP_OUTPUT", args: []string{"export", "--as-of", "2026-11-22"},
			stderrHas: []string{"environment USAGEREP_OUTPUT is no longer read", "set USAGEREP_EXPORT_OUTPUT instead"}},
		{name: "environment, nested", env: "USAGEREP_FORMAT", args: []string{"analytics", "events", "table"},
			stderrHas: []string{"environment USAGEREP_FORMAT", "USAGEREP_ANALYTICS_EVENTS_TABLE_FORMAT"}},
		{name: "not a key of that command", cfg: "inspect:\n  output: x\nserve:\n  output: y\n", args: []string{"export"},
			stderrHas: []string{"unknown setting inspect.output, serve.output"}},
		{name: "only format, output and split are per command", cfg: "export:\n  period: 30d\n", args: []string{"export"},
			stderrHas: []string{"unknown setting export.period"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			if tc.cfg != "" {
				writeConfig(t, tc.cfg)
			}
			if tc.env != "" {
				t.Setenv(tc.env, "reports.zip")
			}
			args := tc.args
			if args[0] != "config" {
				args = append(args, mini)
			}
			code, _, stderr := run(t, "", args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d: %s", code, ExitUsage, stderr)
			}
			for _, want := range tc.stderrHas {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q does not say %q", stderr, want)
				}
			}
			if fileExists("reports.zip") || fileExists(DefaultZipName) {
				t.Error("a report was written")
			}
		})
	}
	// help still works, to read how to fix it.
	isolate(t)
	writeConfig(t, "format: zip\n")
	if code, stdout, stderr := run(t, "", "help", "config"); code != ExitOK || !strings.Contains(stdout, "USAGEREP_<COMMAND>_<NAME>") {
		t.Errorf("help config with a top-level format: exit %d: %s", code, stderr)
	}
	// An empty variable is unset, as viper treats every other one.
	isolate(t)
	t.Setenv("USAGEREP_OUTPUT", "")
	if code, stderr := exportMini(t, mini); code != ExitOK {
		t.Errorf("USAGEREP_OUTPUT=\"\": exit %d: %s", code, stderr)
	}
}

// TestConfigShowPerCommand: show lists each command's own keys with their
// value, source and the one command that reads them, and no shared ones.
func TestConfigShowPerCommand(t *testing.T) {
	isolate(t)
	writeConfig(t, "export:\n  output: /srv/reports/usage.zip\nraw:\n  list:\n    format: json\n")
	t.Setenv("USAGEREP_ACCESS_FORMAT", "json")
	got := showConfig(t)
	for _, want := range []struct{ key, value, source, usedBy string }{
		{"export.output", "/srv/reports/usage.zip", "config file usagerep.yaml", "export"},
		{"export.format", "zip", "default", "export"},
		{"access.format", "json", "environment USAGEREP_ACCESS_FORMAT", "access"},
		{"access.output", `""`, "default", "access"},
		{"raw.list.format", "json", "config file usagerep.yaml", "raw list"},
		{"analytics.churn.split", "week", "default", "analytics churn"},
		{"analytics.events.timeline.split", "day", "default", "analytics events timeline"},
		{"users.output", "-", "default", "users"},
	} {
		s, ok := got.get(want.key)
		if !ok || showValue(s.Value) != want.value || s.Source != want.source || strings.Join(s.UsedBy, ",") != want.usedBy {
			t.Errorf("%s: %+v, want %s from %s, used by %s", want.key, s, want.value, want.source, want.usedBy)
		}
	}
	for _, key := range []string{"format", "output", "split", "serve.output", "inspect.format"} {
		if s, ok := got.get(key); ok {
			t.Errorf("shows %s: %+v", key, s)
		}
	}
	// Shared keys name their commands by path, once each.
	if s, _ := got.get("as-of"); !strings.Contains(strings.Join(s.UsedBy, ","), "export,raw export,") {
		t.Errorf("as-of used by %q", s.UsedBy)
	}
}

// TestConfigShowChecksSubcommands: a value is tried on the flag of every
// command that reads it, subcommands too (limit is analytics' only).
func TestConfigShowChecksSubcommands(t *testing.T) {
	isolate(t)
	writeConfig(t, "limit: lots\n")
	code, stdout, stderr := run(t, "", "config", "show")
	if code != ExitUsage || !strings.Contains(stderr, "limit (from config file usagerep.yaml)") || !strings.Contains(stdout, "invalid:") {
		t.Errorf("exit %d, stderr %q\n%s", code, stderr, stdout)
	}
}
