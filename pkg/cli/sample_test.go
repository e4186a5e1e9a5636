package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSampleExport runs the README's command on the bundled sample and
// checks the figures worked out by hand in testdata/sample/README.md.
func TestSampleExport(t *testing.T) {
	sample := samplePath(t)
	dir := isolate(t)
	code, _, stderr := run(t, "", "export", "--as-of", "2026-11-22", "--service-account", "svc-*", sample)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "291 records read (3 rejected) from 5 inputs") {
		t.Errorf("summary line = %q", stderr)
	}
	if !strings.Contains(stderr, "skipped "+filepath.Join(sample, "README.md")+": ") {
		t.Errorf("stderr does not say the sample's README.md was skipped: %q", stderr)
	}
	books := readZip(t, filepath.Join(dir, "Usage Reports.zip"))

	type figures struct {
		total                      string // Total row: count and the four classes
		perSystem                  map[string]string
		pairs                      map[string]string
		entities, projects, types  string
		serviceAccounts, ambiguous string
		anonymous                  string
	}
	want := map[string]figures{
		"Usage Report (Last 6 Months).xlsx": {
			total:     "34|20|5|5|4",
			perSystem: map[string]string{"Azure DevOps": "12", "GitHub": "12", "Jira Cloud": "17", "ServiceNow": "15"},
			pairs:     map[string]string{"Azure DevOps|Jira Cloud": "16", "GitHub|Jira Cloud": "3", "Jira Cloud|ServiceNow": "9"},
			entities:  "28", projects: "8", types: "9", serviceAccounts: "2", ambiguous: "1", anonymous: "2",
		},
		"Usage Report (Last 1 Year).xlsx": {
			total:     "38|23|5|5|5",
			perSystem: map[string]string{"Azure DevOps": "13", "GitHub": "13", "Jira Cloud": "21", "ServiceNow": "15"},
			pairs:     map[string]string{"Azure DevOps|Jira Cloud": "25", "GitHub|Jira Cloud": "3", "Jira Cloud|ServiceNow": "12"},
			entities:  "40", projects: "10", types: "11", serviceAccounts: "2", ambiguous: "1", anonymous: "3",
		},
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			f := books[name]
			if f == nil {
				t.Fatalf("zip has no %s", name)
			}
			uuc := rowsOf(t, f, "Unique User Count")
			last := uuc[len(uuc)-1]
			if got := strings.Join(last[1:6], "|"); last[0] != "Total (all systems)" || got != w.total {
				t.Errorf("total row = %v, want %s", last, w.total)
			}
			for _, r := range uuc[1 : len(uuc)-1] {
				if w.perSystem[r[0]] != r[1] {
					t.Errorf("%s: %s users, want %s", r[0], r[1], w.perSystem[r[0]])
				}
			}
			if len(uuc) != len(w.perSystem)+2 {
				t.Errorf("Unique User Count has %d rows, want %d", len(uuc), len(w.perSystem)+2)
			}
			sdc := rowsOf(t, f, "Synced Data Count")
			for _, r := range sdc[1:] {
				if w.pairs[r[0]+"|"+r[1]] != r[2] {
					t.Errorf("pair %s <-> %s: %s entities, want %s", r[0], r[1], r[2], w.pairs[r[0]+"|"+r[1]])
				}
			}
			if len(sdc) != len(w.pairs)+1 {
				t.Errorf("Synced Data Count has %d rows, want %d", len(sdc), len(w.pairs)+1)
			}
			summary := summaryValues(rowsOf(t, f, "Summary"))
			for label, v := range map[string]string{
				"Total Entities Synced": w.entities, "Total Unique Projects": w.projects,
				"Total Unique Entity Types": w.types, "Service accounts": w.serviceAccounts,
				"Ambiguous identities": w.ambiguous, "Anonymous observations": w.anonymous,
				"Records read": "291", "Records rejected": "3",
			} {
				if summary[label] != v {
					t.Errorf("Summary %s = %q, want %s", label, summary[label], v)
				}
			}
		})
	}
}

// summaryValues reads the Summary sheet's label/value rows.
func summaryValues(rows [][]string) map[string]string {
	out := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 && r[0] != "" {
			out[r[0]] = r[1]
		}
	}
	return out
}

// The zip must not depend on how many workers decoded the input, nor on
// the run: same input and --as-of, same bytes.
func TestExportBytesIndependentOfWorkers(t *testing.T) {
	sample := samplePath(t)
	dir := isolate(t)
	var first []byte
	for _, workers := range []string{"1", "2", "16", "1"} {
		code, _, stderr := run(t, "", "export", "-q", "--workers", workers, "--as-of", "2026-11-22", "-o", "out.zip", sample)
		if code != 0 {
			t.Fatalf("workers %s: exit %d: %s", workers, code, stderr)
		}
		got, err := os.ReadFile(filepath.Join(dir, "out.zip"))
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = got
		} else if !bytes.Equal(got, first) {
			t.Fatalf("workers %s: zip differs from the first run", workers)
		}
	}
}

// samplePath is the bundled sample the README's command reads.
func samplePath(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../testdata/sample")
	if err != nil {
		t.Fatal(err)
	}
	return p
}
