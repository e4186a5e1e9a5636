package output

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// tempModes runs a test with each kind of temporary file the platform has.
var tempModes = []struct {
	name  string
	setup func(t *testing.T)
}{
	{"default", func(*testing.T) {}},
	{"named", func(t *testing.T) {
		old := openUnnamedFunc
		openUnnamedFunc = func(string) (*os.File, error) { return nil, errUnsupported }
		t.Cleanup(func() { openUnnamedFunc = old })
	}},
}

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
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

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// payload is larger than the buffer so that writes reach the file before
// Commit.
var payload = bytes.Repeat([]byte("0123456789abcdef"), 3*bufSize/16+7)

func TestCommitReplacesAtomically(t *testing.T) {
	for _, mode := range tempModes {
		t.Run(mode.name, func(t *testing.T) {
			mode.setup(t)
			dir := t.TempDir()
			dest := filepath.Join(dir, "Usage Reports.zip")
			if err := os.WriteFile(dest, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := Create(dest)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if n, err := f.Write(payload); err != nil || n != len(payload) {
				t.Fatalf("Write = %d, %v", n, err)
			}
			if got := readFile(t, dest); got != "old" {
				t.Fatalf("destination changed before Commit: %q", got[:min(len(got), 20)])
			}
			if err := f.Commit(); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, dest); got != string(payload) {
				t.Fatalf("destination holds %d bytes, want %d", len(got), len(payload))
			}
			if names := listDir(t, dir); !slices.Equal(names, []string{"Usage Reports.zip"}) {
				t.Errorf("directory holds %q, want only the destination", names)
			}
			if err := f.Close(); err != nil {
				t.Errorf("Close after Commit: %v", err)
			}
			if got := readFile(t, dest); got != string(payload) {
				t.Error("Close after Commit changed the destination")
			}
			if _, err := f.Write([]byte("x")); !errors.Is(err, ErrWrite) {
				t.Errorf("Write after Commit: %v, want ErrWrite", err)
			}
		})
	}
}

func TestCommitCreatesNewFile(t *testing.T) {
	for _, mode := range tempModes {
		t.Run(mode.name, func(t *testing.T) {
			mode.setup(t)
			dir := t.TempDir()
			dest := filepath.Join(dir, "out.xlsx")
			f, err := Create(dest)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("destination exists before Commit: %v", err)
			}
			if _, err := io.WriteString(f, "hello"); err != nil {
				t.Fatal(err)
			}
			if err := f.Commit(); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, dest); got != "hello" {
				t.Fatalf("got %q", got)
			}
			fi, err := os.Stat(dest)
			if err != nil {
				t.Fatal(err)
			}
			// 0666 less a umask never leaves the owner unable to read it.
			if fi.Mode().Perm()&0o600 != 0o600 {
				t.Errorf("mode %v, want owner read/write", fi.Mode())
			}
		})
	}
}

// failingWriter accepts limit bytes, then fails with err: a disk that
// fills up, or a reader that goes away.
type failingWriter struct {
	w     io.Writer
	limit int
	err   error
}

func (fw *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= fw.limit {
		fw.limit -= len(p)
		return fw.w.Write(p)
	}
	n, _ := fw.w.Write(p[:fw.limit])
	fw.limit = 0
	return n, fw.err
}

func TestAbandonedWriteKeepsPrevious(t *testing.T) {
	tests := []struct {
		name    string
		abandon func(t *testing.T, f *File) error // returns the error the caller sees
		wantErr error
	}{
		{"abort", func(t *testing.T, f *File) error { return f.Abort() }, nil},
		{"close without commit", func(t *testing.T, f *File) error { return f.Close() }, nil},
		{"disk full", func(t *testing.T, f *File) error {
			f.w = &failingWriter{w: f.w, limit: 1000, err: syscall.ENOSPC}
			_, err := f.Write(payload)
			if err == nil {
				t.Error("Write past the disk's end succeeded")
			}
			return f.Commit()
		}, syscall.ENOSPC},
		{"disk full at commit", func(t *testing.T, f *File) error {
			// Less than a buffer: the failure shows only when Commit flushes.
			f.w = &failingWriter{w: f.w, limit: 10, err: syscall.ENOSPC}
			if _, err := f.Write([]byte("more than ten bytes")); err != nil {
				t.Fatal(err)
			}
			return f.Commit()
		}, syscall.ENOSPC},
		{"file closed under us", func(t *testing.T, f *File) error {
			_ = f.tmp.Close()
			_, _ = f.Write(payload)
			return f.Commit()
		}, os.ErrClosed},
	}
	for _, mode := range tempModes {
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				mode.setup(t)
				dir := t.TempDir()
				dest := filepath.Join(dir, "report.zip")
				if err := os.WriteFile(dest, []byte("previous"), 0o644); err != nil {
					t.Fatal(err)
				}
				f, err := Create(dest)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.Write([]byte("partial")); err != nil {
					t.Fatal(err)
				}
				err = tt.abandon(t, f)
				if tt.wantErr == nil && err != nil {
					t.Fatalf("got error %v", err)
				}
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrWrite) {
						t.Fatalf("error %v, want %v and ErrWrite", err, tt.wantErr)
					}
					if !strings.Contains(err.Error(), dest) || strings.Contains(err.Error(), ".tmp-") {
						t.Errorf("error %q should name %s and not the temporary file", err, dest)
					}
					if err2 := f.Commit(); !errors.Is(err2, tt.wantErr) {
						t.Errorf("second Commit: %v", err2)
					}
				}
				if got := readFile(t, dest); got != "previous" {
					t.Errorf("destination holds %q, want the previous content", got)
				}
				if names := listDir(t, dir); !slices.Equal(names, []string{"report.zip"}) {
					t.Errorf("directory holds %q, want only the previous file", names)
				}
				if err := f.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
		}
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		reason     string
	}{
		{"missing directory", filepath.Join(dir, "missing", "out.zip"), "no such file or directory"},
		{"parent is a file", filepath.Join(regular, "out.zip"), "not a directory"},
		{"destination is a directory", dir, "is a directory"},
		{"empty path", "", "empty path"},
	}
	for _, mode := range tempModes {
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				mode.setup(t)
				f, err := Create(tt.path)
				if err == nil {
					f.Close()
					t.Fatal("Create succeeded")
				}
				if !errors.Is(err, ErrWrite) {
					t.Errorf("error %v does not match ErrWrite", err)
				}
				if !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), tt.path) {
					t.Errorf("error %q should name %q and say %q", err, tt.path, tt.reason)
				}
				if names := listDir(t, dir); !slices.Equal(names, []string{"regular"}) {
					t.Errorf("directory holds %q", names)
				}
			})
		}
	}
}

func TestStdout(t *testing.T) {
	old := stdout
	t.Cleanup(func() { stdout = old })

	var buf bytes.Buffer
	stdout = &buf
	f, err := Create(Stdout)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), payload) {
		t.Errorf("stdout got %d bytes, want %d", buf.Len(), len(payload))
	}

	// A reader that goes away (usagerep export -o - | head -c 10).
	stdout = &failingWriter{w: io.Discard, limit: 10, err: syscall.EPIPE}
	f, err = Create(Stdout)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write(payload)
	err = f.Commit()
	if !errors.Is(err, syscall.EPIPE) || !errors.Is(err, ErrWrite) {
		t.Fatalf("Commit: %v, want EPIPE and ErrWrite", err)
	}
	if want := "cannot write stdout: " + syscall.EPIPE.Error(); err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestErrorMessage(t *testing.T) {
	err := newError("write", "out/r.zip", &os.PathError{Op: "write", Path: "out/.r.zip.tmp-1", Err: syscall.ENOSPC})
	if got, want := err.Error(), fmt.Sprintf("cannot write out/r.zip: %v", syscall.ENOSPC); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
