package output

import (
	"errors"
	"io/fs"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

var errUnsupported = errors.New("unnamed temporary files not supported")

// openUnnamed opens an O_TMPFILE inode in dir: it has no name, so it
// disappears with the process if the process dies before Commit.
func openUnnamed(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_RDWR|unix.O_TMPFILE|unix.O_CLOEXEC, 0o666)
	switch {
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.EISDIR), errors.Is(err, unix.EINVAL):
		// The file system or kernel has no O_TMPFILE.
		return nil, errUnsupported
	case err != nil:
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	f := os.NewFile(uintptr(fd), dir)
	// Commit links the inode through /proc; without /proc it cannot.
	if _, err := os.Stat(procPath(f)); err != nil {
		_ = f.Close()
		return nil, errUnsupported
	}
	return f, nil
}

func procPath(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

// linkUnnamed gives the unnamed file a fresh temporary name beside path and
// returns it.
func linkUnnamed(f *os.File, path string) (string, error) {
	for range 100 {
		name := tempName(path)
		err := unix.Linkat(unix.AT_FDCWD, procPath(f), unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return "", &os.LinkError{Op: "link", Old: procPath(f), New: name, Err: err}
		}
		return name, nil
	}
	return "", errors.New("no unused temporary file name")
}
