package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

type shownSettings struct {
	ConfigFile string    `json:"config_file"`
	Settings   []setting `json:"settings"`
}

func (s shownSettings) get(key string) (setting, bool) {
	for _, st := range s.Settings {
		if st.Key == key {
			return st, true
		}
	}
	return setting{}, false
}

// showConfig runs config show --json and decodes what it prints.
func showConfig(t *testing.T) shownSettings {
	t.Helper()
	code, stdout, stderr := run(t, "", "config", "show", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got shownSettings
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestConfigShowOrigins(t *testing.T) {
	dir := isolate(t)
	cfg := "period: 1d,1w\ntz: Europe/Berlin\nfields:\n  time: created_at\nidentity:\n  service_accounts: [\"svc-*\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "usagerep.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("USAGEREP_TZ", "Asia/Tokyo")
	got := showConfig(t)
	if got.ConfigFile != "usagerep.yaml" {
		t.Errorf("config file %q", got.ConfigFile)
	}
	for _, want := range []struct{ key, value, source string }{
		{"period", "1d,1w", "config file usagerep.yaml"},
		{"tz", "Asia/Tokyo", "environment USAGEREP_TZ"}, // the environment beats the file
		{"max-errors", "0", "default"},
		{"fields.time", "created_at", "config file usagerep.yaml"},
	} {
		s, ok := got.get(want.key)
		if !ok || showValue(s.Value) != want.value || s.Source != want.source || s.Problem != "" {
			t.Errorf("%s: %+v, want value %s from %s", want.key, s, want.value, want.source)
		}
	}
	if s, _ := got.get("identity.service_accounts"); showValue(s.Value) != "[svc-*]" {
		t.Errorf("service accounts %+v", s)
	}
	// The text form says the same, in a table.
	code, text, _ := run(t, "", "config", "show")
	if code != 0 || !strings.Contains(text, "Config file: usagerep.yaml") || !strings.Contains(text, "environment USAGEREP_TZ") {
		t.Errorf("exit %d, text:\n%s", code, text)
	}
}

func TestConfigShowInvalidValues(t *testing.T) {
	isolate(t)
	t.Setenv("USAGEREP_MAX_ERRORS", "lots")
	code, stdout, stderr := run(t, "", "config", "show")
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(stdout, "invalid:") || !strings.Contains(stderr, "max-errors (from environment USAGEREP_MAX_ERRORS)") {
		t.Errorf("stdout:\n%s\nstderr: %s", stdout, stderr)
	}
}

func TestConfigInit(t *testing.T) {
	mini := fixturePath(t, "mini.jsonl")
	dir := isolate(t)
	code, _, stderr := run(t, "", "config", "init", "--profile", "github-events")
	if code != 0 || !strings.Contains(stderr, "wrote usagerep.yaml") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "usagerep.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{"# period: 6m,1y", "# tz: UTC", "# max-errors: 0", "fields:\n  action: type\n", "  system: GitHub\n", "#   service_accounts:",
		// Each command's own keys, nested as they must be written.
		"\n# export:\n#   # zip (one zip of workbooks) or xlsx (workbooks into the -o directory)\n#   format: zip\n",
		"\n# access:\n#   # csv, xlsx or json",
		"\n# analytics:\n#   churn:\n#     # json, csv or xlsx",
		"\n#   events:\n#     lifetime:\n",
		"\n# raw:\n#   export:\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("starter has no %q:\n%s", want, text)
		}
	}
	for _, shared := range []string{"\n# format:", "\n# output:", "\n# split:"} {
		if strings.Contains(text, shared) {
			t.Errorf("starter has a top-level %q", shared)
		}
	}
	// It never replaces a file unasked.
	if code, _, stderr := run(t, "", "config", "init"); code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("second init: exit %d, %s", code, stderr)
	}
	if code, _, _ := run(t, "", "config", "init", "--force", "-q"); code != 0 {
		t.Errorf("--force: exit %d", code)
	}
	// Every command reads it: uncommenting every setting still loads, the
	// nested per-command ones included.
	uncommented := uncommentSettings(t, filepath.Join(dir, "usagerep.yaml"))
	code, out, stderr := run(t, "", "--config", uncommented, "config", "show", "--json")
	if code != 0 || !strings.Contains(out, "config file "+uncommented) {
		t.Errorf("config show of the uncommented starter: exit %d: %s\n%s", code, stderr, out)
	}
	var shown shownSettings
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"export.format", "access.output", "analytics.events.timeline.split", "raw.list.format", "tz", "identity.service_accounts"} {
		if s, _ := shown.get(key); s.Source != "config file "+uncommented {
			t.Errorf("uncommented %s: %+v", key, s)
		}
	}
	if code, stderr := exportMini(t, mini, "--config", uncommented); code != 0 || !fileExists(DefaultZipName) {
		t.Errorf("export with the uncommented starter: exit %d: %s", code, stderr)
	}
	// To standard output, nothing on stderr.
	code, out, stderr = run(t, "", "config", "init", "-o", "-")
	if code != 0 || stderr != "" || !strings.HasPrefix(out, "# usagerep configuration") {
		t.Errorf("-o -: exit %d, stderr %q", code, stderr)
	}
}

// uncommentSettings writes a copy of a starter file with every
// "# key: value" line, and every commented section ("# export:", "#
// identity:") with its indented lines, made live.
func uncommentSettings(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	inSection := false
	for _, line := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(line, "# ")
		switch {
		case !ok:
			inSection = false
		case inSection && strings.HasPrefix(rest, " "):
			line = rest
		case sectionHeader.MatchString(rest):
			line, inSection = rest, true
		default:
			inSection = false
			if !strings.HasPrefix(rest, " ") && strings.Contains(rest, ": ") && !strings.Contains(rest, "(") &&
				!strings.HasPrefix(rest, "fields") && !strings.HasPrefix(rest, "constants") && !strings.HasPrefix(rest, "---") {
				// the commented defaults, "key: value"
				if k, _, _ := strings.Cut(rest, ":"); !strings.Contains(k, " ") {
					line = rest
				}
			}
		}
		out = append(out, line)
	}
	p := filepath.Join(t.TempDir(), "all.yaml")
	if err := os.WriteFile(p, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var sectionHeader = regexp.MustCompile(`^[a-z][a-z-]*:$`)
