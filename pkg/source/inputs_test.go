package source

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		forced Format
		comps  []compression
		bundle bundle
		format Format
	}{
		{"a.jsonl", FormatAuto, nil, notBundle, FormatJSONL},
		{"a.NDJSON", FormatAuto, nil, notBundle, FormatJSONL},
		{"dir.v2/a.json", FormatAuto, nil, notBundle, FormatJSONL},
		{"a.csv", FormatAuto, nil, notBundle, FormatCSV},
		{"a.csv.gz", FormatAuto, []compression{compGzip}, notBundle, FormatCSV},
		{"a.jsonl.zst", FormatAuto, []compression{compZstd}, notBundle, FormatJSONL},
		{"a.jsonl.zstd", FormatAuto, []compression{compZstd}, notBundle, FormatJSONL},
		{"a.jsonl.gz.zst", FormatAuto, []compression{compZstd, compGzip}, notBundle, FormatJSONL},
		{"logs.tar", FormatAuto, nil, bundleTar, FormatAuto},
		{"logs.tar.gz", FormatAuto, []compression{compGzip}, bundleTar, FormatAuto},
		{"logs.TGZ", FormatAuto, []compression{compGzip}, bundleTar, FormatAuto},
		{"logs.tar.zst", FormatAuto, []compression{compZstd}, bundleTar, FormatAuto},
		{"logs.zip", FormatAuto, nil, bundleZip, FormatAuto},
		{"logs.zip", FormatCSV, nil, bundleZip, FormatAuto},
		{"events.log", FormatAuto, nil, notBundle, FormatAuto},
		{"events.log", FormatJSONL, nil, notBundle, FormatJSONL},
		{"events.log.gz", FormatCSV, []compression{compGzip}, notBundle, FormatCSV},
		{"a.jsonl", FormatCSV, nil, notBundle, FormatCSV},
		{".gz", FormatAuto, []compression{compGzip}, notBundle, FormatAuto},
		{"README", FormatAuto, nil, notBundle, FormatAuto},
	} {
		k := classify(tc.name, tc.forced)
		if !slices.Equal(k.comps, tc.comps) || k.bundle != tc.bundle || k.format != tc.format {
			t.Errorf("classify(%q, %v) = %+v, want comps %v bundle %v format %v", tc.name, tc.forced, k, tc.comps, tc.bundle, tc.format)
		}
	}
}

func TestPlanWalksSortedAndSkipsHidden(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"b.jsonl":          "12345",
		"a/x.jsonl":        "1",
		"a.jsonl":          "12",
		"a/y.csv.gz":       "123",
		".hidden.jsonl":    "hidden",
		".git/x.jsonl":     "hidden",
		"a/.cache/z.jsonl": "hidden",
		"notes.txt":        "not data",
		"bundle.tgz":       "1234",
	} {
		writeFile(t, dir, name, []byte(data))
	}
	if err := os.Symlink(filepath.Join(dir, "b.jsonl"), filepath.Join(dir, "link.jsonl")); err != nil {
		t.Fatal(err)
	}
	files, total, err := Plan([]string{dir}, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(dir, "a.jsonl"),
		filepath.Join(dir, "a/x.jsonl"),
		filepath.Join(dir, "a/y.csv.gz"),
		filepath.Join(dir, "b.jsonl"),
		filepath.Join(dir, "bundle.tgz"),
	}
	if !slices.Equal(files, want) {
		t.Errorf("files = %q\nwant %q", files, want)
	}
	if total != 2+1+3+5+4 {
		t.Errorf("total = %d, want 15", total)
	}

	p, err := makePlan([]string{dir}, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	wantSkipped := []SkippedInput{
		{Name: filepath.Join(dir, "link.jsonl"), Reason: "symbolic link (not followed)"},
		{Name: filepath.Join(dir, "notes.txt"), Reason: "unrecognised file type"},
	}
	if !slices.Equal(p.skipped, wantSkipped) {
		t.Errorf("skipped = %v, want %v", p.skipped, wantSkipped)
	}

	// With a forced format every visible regular file is data.
	files, _, err = Plan([]string{dir}, ScanOptions{Format: FormatJSONL})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(files, filepath.Join(dir, "notes.txt")) {
		t.Errorf("forced format: files = %q, want notes.txt among them", files)
	}
}

func TestPlanExplicitPaths(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.jsonl", []byte("123"))
	log := writeFile(t, dir, "events.log", []byte("1"))
	hidden := writeFile(t, dir, ".explicit.jsonl", []byte("12"))

	files, total, err := Plan([]string{a, "-", hidden, a, dir}, ScanOptions{Format: FormatJSONL})
	if err != nil {
		t.Fatal(err)
	}
	// a twice and a again inside dir are read once; an explicit hidden
	// file is read; the walk adds the rest.
	want := []string{a, "-", hidden, log}
	if !slices.Equal(files, want) || total != 3+2+1 {
		t.Errorf("files = %q total %d, want %q total 6", files, total, want)
	}

	for _, tc := range []struct {
		name  string
		paths []string
		want  string
		is    error
	}{
		{"missing", []string{filepath.Join(dir, "missing.jsonl")}, "missing.jsonl: no such file", fs.ErrNotExist},
		{"unknown extension", []string{log}, "events.log: unrecognised file type", nil},
		{"stdin without format", []string{"-"}, "standard input needs an input format", nil},
	} {
		_, _, err := Plan(tc.paths, ScanOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: err = %v, want errors.Is %v", tc.name, err, tc.is)
		}
	}
}

func TestPlanUnreadablePath(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "file.jsonl", nil)
	// A path through a regular file cannot be read by anyone, root included.
	_, _, err := Plan([]string{filepath.Join(p, "x.jsonl")}, ScanOptions{})
	if err == nil || !strings.Contains(err.Error(), "x.jsonl: not a directory") {
		t.Errorf("err = %v, want not a directory", err)
	}
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"logs/a.jsonl":        "logs/a.jsonl",
		"../../etc/x.jsonl":   "../../etc/x.jsonl",
		"with space.jsonl":    "with space.jsonl",
		"bell\a.jsonl":        `bell\a.jsonl`,
		"esc\x1b[31m.jsonl":   `esc\x1b[31m.jsonl`,
		"bad\xffutf8.jsonl":   `bad\xffutf8.jsonl`,
		"naïve.jsonl":         "naïve.jsonl",
		"new\nline.jsonl":     `new\nline.jsonl`,
		"rtl\u202egnp.jsonl":  `rtl\u202egnp.jsonl`,
		"/abs/path/file.json": "/abs/path/file.json",
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}
