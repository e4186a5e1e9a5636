package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManPages checks one page per command, each with its examples, and
// that usage lines keep their placeholders.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "1767225600") // 2026-01-01
	if err := run(dir, "1.2.3"); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"usagerep.1", "usagerep-export.1", "usagerep-inspect.1", "usagerep-schema.1",
		"usagerep-config-show.1", "usagerep-config-init.1", "usagerep-completion.1"} {
		data, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Errorf("%s: %v", page, err)
			continue
		}
		text := string(data)
		if !strings.Contains(text, `.TH "USAGEREP" "1" "Jan 2026" "usagerep 1.2.3"`) {
			t.Errorf("%s: header %q", page, strings.SplitN(text, "\n", 3)[1])
		}
		if page != "usagerep.1" && !strings.Contains(text, ".SH EXAMPLE") {
			t.Errorf("%s has no EXAMPLE section", page)
		}
	}
	inspect, _ := os.ReadFile(filepath.Join(dir, "usagerep-inspect.1"))
	if !strings.Contains(string(inspect), "usagerep inspect [flags] input...") {
		t.Errorf("inspect synopsis lost its placeholder:\n%s", inspect)
	}
}
