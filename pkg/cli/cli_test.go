package cli

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// run executes usagerep in-process with args and returns its exit status,
// stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}
	code := Main(args, ios, BuildInfo{Version: "1.2.3"})
	return code, out.String(), errOut.String()
}

func TestExitStatuses(t *testing.T) {
	mini := fixturePath(t, "mini.jsonl")
	isolate(t)
	tests := []struct {
		name      string
		args      []string
		code      int
		stderrHas string
		stdoutHas string
	}{
		{name: "version", args: []string{"--version"}, code: 0, stdoutHas: "usagerep 1.2.3"},
		{name: "help has examples", args: []string{"export", "--help"}, code: 0, stdoutHas: "Examples:"},
		{name: "no input", args: []string{"export"}, code: 2, stderrHas: "requires at least 1 arg"},
		{name: "unknown flag", args: []string{"export", "--nope", mini}, code: 2, stderrHas: "unknown flag: --nope"},
		{name: "unknown command", args: []string{"exprot"}, code: 2, stderrHas: "unknown command"},
		{name: "bad period", args: []string{"export", "--period", "6x", mini}, code: 2, stderrHas: "invalid period"},
		{name: "bad tz", args: []string{"export", "--tz", "Mars/Olympus", mini}, code: 2, stderrHas: "--tz"},
		{name: "bad as-of", args: []string{"export", "--as-of", "soon", mini}, code: 2, stderrHas: "--as-of"},
		{name: "bad profile", args: []string{"export", "--profile", "nope", mini}, code: 2, stderrHas: "github-events"},
		{name: "bad mapping", args: []string{"export", "--map", "colour=x", mini}, code: 2, stderrHas: "colour"},
		{name: "missing input", args: []string{"export", "does-not-exist.jsonl"}, code: 2, stderrHas: "does-not-exist.jsonl"},
		{name: "strict stops at first reject", args: []string{"export", "--strict", "--as-of", "2026-11-22", mini}, code: 3, stderrHas: "mini.jsonl:5"},
		{name: "max-errors", args: []string{"export", "--max-errors", "1", "--as-of", "2026-11-22", mini}, code: 3, stderrHas: "--max-errors 1"},
		{name: "unwritable output", args: []string{"export", "--as-of", "2026-11-22", "-o", "no/such/dir/out.zip", mini}, code: 4, stderrHas: "no/such/dir/out.zip"},
		{name: "default skips bad records", args: []string{"export", "--as-of", "2026-11-22", "-o", "ok.zip", mini}, code: 0, stderrHas: "(1 rejected)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d\nstderr: %s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderrHas) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderrHas)
			}
			if !strings.Contains(stdout, tt.stdoutHas) {
				t.Errorf("stdout %q does not contain %q", stdout, tt.stdoutHas)
			}
			if tt.code != 0 && strings.Contains(stderr, "goroutine ") {
				t.Errorf("stderr has a stack trace: %s", stderr)
			}
		})
	}
}

// isolate runs the test in a fresh directory with no config file in reach,
// and returns that directory (where outputs land).
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	return dir
}

func fixturePath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExportReadBack writes the zip and reads every workbook back, checking
// sheet names, header rows and hand-checked figures.
func TestExportReadBack(t *testing.T) {
	jsonl, csv := fixturePath(t, "mini.jsonl"), fixturePath(t, "mini.csv")
	dir := isolate(t)
	rejects := filepath.Join(dir, "rejects.jsonl")
	code, _, stderr := run(t, "", "export", "--as-of", "2026-11-22", "--rejects", rejects, jsonl, csv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	books := readZip(t, filepath.Join(dir, "Usage Reports.zip"))
	names := []string{"Usage Report (Last 6 Months).xlsx", "Usage Report (Last 1 Year).xlsx"}
	for _, n := range names {
		if books[n] == nil {
			t.Fatalf("zip has no %q (has %v)", n, keys(books))
		}
	}
	six := books[names[0]]
	wantSheets := []string{"Summary", "Unique User Count", "Entity Type Count", "Integrated Project Count", "Synced Data Count", "Detailed User Report"}
	if got := six.GetSheetList(); strings.Join(got, "|") != strings.Join(wantSheets, "|") {
		t.Fatalf("sheets = %v, want %v", got, wantSheets)
	}
	headers := map[string][]string{
		"Unique User Count":        {"System / Source", "Count", "Usernames or Emails", "Emails", "Display Names", "Usernames"},
		"Entity Type Count":        {"System Pairs", "End System", "Entity Types", "Status", "Last Synced"},
		"Integrated Project Count": {"End System 1", "End System 2", "End System 1 Project", "End System 2 Project", "Status", "Last Updated", "Last Synced"},
		"Synced Data Count":        {"End System 1", "End System 2", "Counts Based on System Pair", "Last Synced"},
		"Detailed User Report":     {"Email", "Username", "Display Name", "Interaction Types", "Observed In", "Service Account", "Last Seen", "Duplicates"},
	}
	for sheet, want := range headers {
		rows, err := six.GetRows(sheet)
		if err != nil || len(rows) == 0 {
			t.Fatalf("%s: %v", sheet, err)
		}
		if len(rows[0]) < len(want) || strings.Join(rows[0][:len(want)], "|") != strings.Join(want, "|") {
			t.Errorf("%s header = %v, want %v", sheet, rows[0], want)
		}
	}

	// Users in 6 months: alice (class 1: asmith/alice share her email),
	// carol (class 1; "Carol  King" in ServiceNow joins her by display
	// name), erin (class 4, two spellings), bob (class 2). old-timer is
	// from 2025-01 (neither window); zed's record was rejected.
	uuc := rowsOf(t, six, "Unique User Count")
	total := uuc[len(uuc)-1]
	if want := []string{"Total (all systems)", "4", "2", "1", "0", "1"}; strings.Join(total, "|") != strings.Join(want, "|") {
		t.Errorf("total row = %v, want %v", total, want)
	}
	// Per system: Azure DevOps 1 (alice), GitHub 2 (erin, bob), Jira Cloud
	// 2 (alice, carol), ServiceNow 1 (carol).
	wantSystems := map[string]string{"Azure DevOps": "1", "GitHub": "2", "Jira Cloud": "2", "ServiceNow": "1"}
	for _, r := range uuc[1 : len(uuc)-1] {
		if wantSystems[r[0]] != r[1] {
			t.Errorf("system %s count %s, want %s", r[0], r[1], wantSystems[r[0]])
		}
	}
	// One entity synced both ways; the failed sync does not count.
	sdc := rowsOf(t, six, "Synced Data Count")
	if len(sdc) != 2 || strings.Join(sdc[1][:3], "|") != "Azure DevOps|Jira Cloud|1" {
		t.Errorf("Synced Data Count = %v", sdc)
	}
	etc := rowsOf(t, six, "Entity Type Count")
	if len(etc) != 3 || etc[1][3] != "Active" {
		t.Errorf("Entity Type Count = %v, want two Bug rows, Active", etc)
	}
	ipc := rowsOf(t, six, "Integrated Project Count")
	if len(ipc) != 2 || strings.Join(ipc[1][:4], "|") != "Azure DevOps|Jira Cloud|Web|PROJ" {
		t.Errorf("Integrated Project Count = %v", ipc)
	}
	dur := rowsOf(t, six, "Detailed User Report")
	if len(dur) != 5 {
		t.Errorf("Detailed User Report has %d rows, want header + 4", len(dur))
	}
	summary := strings.Join(flatten(rowsOf(t, six, "Summary")), "|")
	for _, want := range []string{"Total Unique Users|4", "Total Entities Synced|1"} {
		if !strings.Contains(summary, want) {
			t.Errorf("Summary lacks %q: %s", want, summary)
		}
	}
	// The year adds old-timer? No: 2025-01-01 is before 2025-11-23.
	year := rowsOf(t, books[names[1]], "Unique User Count")
	if got := year[len(year)-1][1]; got != "4" {
		t.Errorf("1y total users = %s, want 4", got)
	}

	rej, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"line":5`, `"reason":"invalid JSON"`, `this line is not JSON`, `"line":5,"reason":"invalid time"`} {
		if !strings.Contains(string(rej), want) {
			t.Errorf("rejects file lacks %s:\n%s", want, rej)
		}
	}
}

func readZip(t *testing.T, path string) map[string]*excelize.File {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]*excelize.File{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = x
	}
	return out
}

func rowsOf(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
