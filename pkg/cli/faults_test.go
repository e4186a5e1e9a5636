package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// outputFault is a run whose output cannot be written.
type outputFault struct {
	name  string
	args  []string
	out   func(t *testing.T) io.Writer // standard output; nil: a buffer
	says  string                       // how stderr's one line starts
	check []string                     // files that must hold "previous" afterwards
}

// TestOutputFaults: when the output cannot be written, export exits with
// status 4 and one line naming the output and the reason, and leaves any
// previous file as it was, with no temporary file beside it.
func TestOutputFaults(t *testing.T) {
	runOutputFaults(t, []outputFault{
		{name: "missing directory", args: []string{"-o", "missing/out.zip"},
			says: "usagerep: cannot create missing/out.zip: no such file or directory"},
		{name: "parent is a file", args: []string{"-o", "previous.zip/out.zip"},
			says: "usagerep: cannot create previous.zip/out.zip: not a directory", check: []string{"previous.zip"}},
		{name: "xlsx into a file", args: []string{"--format", "xlsx", "-o", "previous.zip"},
			says: "usagerep: output directory: mkdir previous.zip: not a directory", check: []string{"previous.zip"}},
		{name: "rejects file in a missing directory", args: []string{"-o", "previous.zip", "--rejects", "missing/r.jsonl"},
			says: "usagerep: --rejects: cannot create missing/r.jsonl: no such file or directory", check: []string{"previous.zip"}},
		{name: "stdout full after 1000 bytes", args: []string{"-o", "-"},
			out:  func(*testing.T) io.Writer { return &fullWriter{room: 1000} },
			says: "usagerep: cannot write stdout: no space left on device"},
	})
}

func runOutputFaults(t *testing.T, faults []outputFault) {
	mini := fixturePath(t, "mini.jsonl")
	for _, tc := range faults {
		t.Run(tc.name, func(t *testing.T) {
			dir := isolate(t)
			if err := os.WriteFile("previous.zip", []byte("previous"), 0o644); err != nil {
				t.Fatal(err)
			}
			var out io.Writer = &bytes.Buffer{}
			if tc.out != nil {
				out = tc.out(t)
			}
			var stderr bytes.Buffer
			ios := &IOStreams{In: strings.NewReader(""), Out: out, ErrOut: &stderr}
			args := append(append([]string{"export", "--as-of", "2026-11-22"}, tc.args...), mini)
			code := Main(args, ios, BuildInfo{})
			if code != ExitOutput || !strings.HasPrefix(stderr.String(), tc.says) || strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 4 and one line starting %q", code, stderr.String(), tc.says)
			}
			for _, name := range tc.check {
				if got, err := os.ReadFile(name); err != nil || string(got) != "previous" {
					t.Errorf("%s holds %q (%v), want the previous content", name, got, err)
				}
			}
			if names := listNames(t, dir); !slices.Equal(names, []string{"previous.zip"}) {
				t.Errorf("directory holds %q, want only previous.zip", names)
			}
		})
	}
}

// fullWriter takes room bytes, then fails as a full disk does.
type fullWriter struct{ room int }

func (w *fullWriter) Write(p []byte) (int, error) {
	n := min(len(p), w.room)
	w.room -= n
	if n < len(p) {
		return n, &os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.ENOSPC}
	}
	return n, nil
}

// listNames lists a directory's entries.
func listNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// writeManyUsers writes n records of distinct users, whose report is a zip
// of about n*150 bytes.
func writeManyUsers(t *testing.T, path string, n int) {
	t.Helper()
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"time":"2026-10-%02dT10:00:00Z","system":"System %d","email":"user%d.%x@example%d.com","display_name":"User %d %x"}`+"\n",
			i%28+1, i%5, i, i*7919, i%50, i, i*104729)
	}
	if err := os.WriteFile(filepath.Clean(path), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// failReader fails the test that reads it.
type failReader struct{ t *testing.T }

func (r failReader) Read([]byte) (int, error) {
	r.t.Error("the input was read although the output could not be created")
	return 0, io.EOF
}

// TestUnwritableOutputFailsBeforeReading: an export whose destination
// cannot be created stops before it reads any input, so a cron job over
// gigabytes learns of a full or missing directory at once.
func TestUnwritableOutputFailsBeforeReading(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"-o", "missing/out.zip"},
		{"--format", "xlsx", "-o", "/proc/version/reports"},
	} {
		var stderr bytes.Buffer
		ios := &IOStreams{In: failReader{t}, Out: io.Discard, ErrOut: &stderr}
		all := append(append([]string{"export", "--as-of", "2026-11-22", "--input-format", "jsonl"}, args...), "-")
		if code := Main(all, ios, BuildInfo{}); code != ExitOutput {
			t.Errorf("%q: exit %d (%s), want %d", args, code, stderr.String(), ExitOutput)
		}
	}
}
