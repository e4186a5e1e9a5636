// Package output writes report files atomically: the bytes become visible
// at the destination only when the whole report has been written and synced,
// so a failed or killed run never leaves a partial file there and never
// destroys the file a previous run wrote. "-" writes to standard output.
//
// On Linux the data is written to an unnamed O_TMPFILE inode in the
// destination directory, so a process killed mid-write leaves nothing
// behind; it gets a name only at Commit, just before the rename. Elsewhere a
// hidden ".NAME.tmp-*" file is used, which a killed process may leave.
package output

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Stdout is the path that names standard output.
const Stdout = "-"

// ErrWrite matches (with errors.Is) every error this package returns, so a
// command can map any output failure to its exit status in one place.
var ErrWrite = errors.New("output could not be written")

// Error is an output failure: what was being done, to which path, and why.
type Error struct {
	Op   string // "create", "write", "commit"
	Path string // the destination as the user named it; "stdout" for "-"
	Err  error  // the reason, without the path
}

func (e *Error) Error() string {
	return "cannot " + e.Op + " " + e.Path + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is ErrWrite.
func (e *Error) Is(target error) bool { return target == ErrWrite }

// newError builds an *Error, dropping the temporary file's name that an
// *fs.PathError or *os.LinkError would repeat: the user knows only the
// destination.
func newError(op, path string, err error) *Error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	if path == Stdout {
		path = "stdout"
	}
	return &Error{Op: op, Path: path, Err: err}
}

// Tests replace these.
var (
	stdout          io.Writer = os.Stdout // where "-" writes
	openUnnamedFunc           = openUnnamed
)

// bufSize makes a zip writer's many small writes few system calls.
const bufSize = 256 << 10

// File is an output being written. Write to it, then Commit; Close without
// Commit (deferred, or after any failure) discards what was written.
type File struct {
	path    string
	tmp     *os.File // nil for stdout
	tmpName string   // "" while tmp is unnamed
	w       io.Writer
	buf     *bufio.Writer
	err     error // first failure; sticky
	done    bool  // committed or aborted
}

// Create starts writing the output at path. The destination directory must
// exist and be writable; an existing file at path is replaced only by
// Commit.
func Create(path string) (*File, error) {
	if path == Stdout {
		return newFile(path, nil, "", stdout), nil
	}
	if path == "" {
		return nil, newError("create", "output", errors.New("empty path"))
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, newError("create", path, errors.New("is a directory"))
	}
	dir := filepath.Dir(path)
	if tmp, err := openUnnamedFunc(dir); err == nil {
		return newFile(path, tmp, "", tmp), nil
	} else if !errors.Is(err, errUnsupported) {
		return nil, newError("create", path, err)
	}
	tmp, err := createNamed(path)
	if err != nil {
		return nil, newError("create", path, err)
	}
	return newFile(path, tmp, tmp.Name(), tmp), nil
}

func newFile(path string, tmp *os.File, tmpName string, w io.Writer) *File {
	f := &File{path: path, tmp: tmp, tmpName: tmpName, w: w}
	f.buf = bufio.NewWriterSize(writerFunc(f.writeThrough), bufSize)
	return f
}

// tempName is a fresh hidden name beside path.
func tempName(path string) string {
	dir, base := filepath.Split(path)
	return filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
}

// createNamed creates a temporary file beside path. Unlike os.CreateTemp it
// asks for mode 0666, so the umask gives the final file the permissions
// os.Create would.
func createNamed(path string) (*os.File, error) {
	for range 100 {
		f, err := os.OpenFile(tempName(path), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, errors.New("no unused temporary file name")
}

type writerFunc func([]byte) (int, error)

func (fn writerFunc) Write(p []byte) (int, error) { return fn(p) }

// writeThrough is the buffer's sink; it records the first failure so that
// Commit cannot publish a short file.
func (f *File) writeThrough(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return n, f.fail("write", err)
	}
	return n, nil
}

// fail records err unless a failure is already recorded, and returns the
// recorded one.
func (f *File) fail(op string, err error) error {
	if f.err == nil {
		f.err = newError(op, f.path, err)
	}
	return f.err
}

// Name is the destination path as given to Create.
func (f *File) Name() string { return f.path }

// Write implements io.Writer. After the first failure every call fails.
func (f *File) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.done {
		return 0, newError("write", f.path, os.ErrClosed)
	}
	n, err := f.buf.Write(p)
	if err != nil {
		return n, f.fail("write", err)
	}
	return n, nil
}

// Commit makes the output visible at its path: it flushes and syncs the
// temporary file, renames it over the destination and syncs the directory.
// On any failure the temporary file is removed, the destination is left as
// it was and the error is returned. For stdout it only flushes.
func (f *File) Commit() error {
	if f.done {
		if f.err != nil {
			return f.err
		}
		return newError("commit", f.path, os.ErrClosed)
	}
	f.done = true
	if f.err == nil {
		if err := f.buf.Flush(); err != nil {
			f.fail("write", err)
		}
	}
	if f.tmp == nil {
		return f.err
	}
	if f.err == nil {
		if err := f.tmp.Sync(); err != nil {
			f.fail("write", err)
		}
	}
	if f.err == nil && f.tmpName == "" {
		name, err := linkUnnamed(f.tmp, f.path)
		if err != nil {
			f.fail("commit", err)
		}
		f.tmpName = name
	}
	if err := f.tmp.Close(); err != nil {
		f.fail("write", err)
	}
	if f.err == nil {
		if err := os.Rename(f.tmpName, f.path); err != nil {
			f.fail("commit", err)
		}
	}
	if f.err != nil {
		if f.tmpName != "" {
			_ = os.Remove(f.tmpName)
		}
		return f.err
	}
	syncDir(filepath.Dir(f.path))
	return nil
}

// syncDir makes the rename durable. Not every system can sync a directory
// (Windows cannot) and the data itself is already synced, so failures are
// ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// Abort discards the output: the temporary file is removed and the
// destination is untouched. It is a no-op after Commit or Abort. On stdout
// what was already flushed stays written; the rest is dropped.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	if f.tmp == nil {
		return nil
	}
	_ = f.tmp.Close()
	if f.tmpName == "" {
		return nil // the unnamed inode goes with its descriptor
	}
	if err := os.Remove(f.tmpName); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return newError("remove the temporary file of", f.path, err)
	}
	return nil
}

// Close aborts an output that was not committed, so `defer f.Close()` is
// always safe.
func (f *File) Close() error { return f.Abort() }
