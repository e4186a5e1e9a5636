package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRawExportAndList(t *testing.T) {
	in := analyticsFixture(t)
	dir := isolate(t)
	code, _, stderr := run(t, "", "raw", "export", "--as-of", "2026-03-14", "--from", "2026-03-01", "-o", "out", in)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// testdata/analytics/README.md: from 03-01, 17 records in 11 days.
	if !strings.Contains(stderr, "wrote 17 records in 11 files to out") {
		t.Errorf("stderr %q", stderr)
	}
	code, stdout, stderr := run(t, "", "raw", "list", "out")
	if code != ExitOK {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 12 || !strings.HasPrefix(lines[1], "events-2026-03-01.csv.gz  2026-03-01") || !strings.HasSuffix(lines[1], "ok") {
		t.Errorf("list:\n%s", stdout)
	}
	if !strings.Contains(stderr, "11 files, 17 records in out; 0 differ") {
		t.Errorf("list stderr %q", stderr)
	}

	// A damaged file: exit status 3, the problem named.
	p := filepath.Join(dir, "out", "events-2026-03-09.csv.gz")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(b, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(t, "", "raw", "list", "--format", "json", "out")
	if code != ExitInput || !strings.Contains(stderr, "1 file of 11 differ") {
		t.Errorf("damaged: exit %d, %q", code, stderr)
	}
	var doc struct {
		Files []struct {
			File    string `json:"file"`
			OK      bool   `json:"ok"`
			Problem string `json:"problem"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout)
	}
	bad := 0
	for _, f := range doc.Files {
		if !f.OK {
			bad++
			if f.File != "events-2026-03-09.csv.gz" || f.Problem == "" {
				t.Errorf("problem %+v", f)
			}
		}
	}
	if bad != 1 {
		t.Errorf("%d files not ok, want 1", bad)
	}

	for _, tt := range []struct {
		args []string
		code int
		has  string
	}{
		{[]string{"raw", "export", in}, ExitUsage, "-o must name a directory"},
		{[]string{"raw", "export", "--split", "week", "-o", "x", in}, ExitUsage, "--split"},
		{[]string{"raw", "export", "--filter", "nope", "-o", "x", in}, ExitUsage, "--filter"},
		{[]string{"raw", "list", "nowhere"}, ExitInput, "no manifest.json"},
		{[]string{"raw", "list", "--format", "xml", "out"}, ExitUsage, "--format"},
	} {
		code, _, stderr := run(t, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.has) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tt.args, code, stderr, tt.code, tt.has)
		}
	}
}
