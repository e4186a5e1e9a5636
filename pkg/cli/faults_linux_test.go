package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childEnv makes the test binary act as usagerep (cli.Main, as main does)
// instead of running tests; its value says what to do first:
//
//	cli            nothing
//	fsize=N        limit files to N bytes (RLIMIT_FSIZE): writing more fails as a full disk does
//	nobody         drop root to uid/gid 65534, so that permissions apply
//	stop-in=DIR    stop the process (SIGSTOP) once it has written into a file in DIR
const childEnv = "USAGEREP_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode, ok := os.LookupEnv(childEnv); ok {
		os.Exit(runChild(mode))
	}
	os.Exit(m.Run())
}

func runChild(mode string) int {
	switch kind, arg, _ := strings.Cut(mode, "="); kind {
	case "cli":
	case "fsize":
		n, err := strconv.ParseUint(arg, 10, 64)
		if err == nil {
			err = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 99
		}
	case "nobody":
		if err := errors.Join(syscall.Setgid(65534), syscall.Setuid(65534)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 99
		}
	case "stop-in":
		go stopOnceWriting(arg)
	default:
		fmt.Fprintln(os.Stderr, "child: unknown mode", mode)
		return 99
	}
	return Main(os.Args[1:], SystemIO(), BuildInfo{Version: "test"})
}

// stopOnceWriting watches the process's open files; once an unnamed one
// in dir (an output not yet committed: O_TMPFILE, see package output)
// holds data, it says so on stdout and stops the process, in the middle
// of writing it.
func stopOnceWriting(dir string) {
	for {
		fds, _ := os.ReadDir("/proc/self/fd")
		for _, fd := range fds {
			p := "/proc/self/fd/" + fd.Name()
			target, err := os.Readlink(p)
			if err != nil || !strings.HasPrefix(target, dir+"/") || !strings.HasSuffix(target, " (deleted)") {
				continue
			}
			if fi, err := os.Stat(p); err == nil && fi.Size() > 0 {
				fmt.Printf("writing %d bytes to %s\n", fi.Size(), target)
				_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
				return
			}
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// child runs the test binary as usagerep with args, in a directory with no
// config file in reach.
func child(t *testing.T, mode string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "XDG_CONFIG_HOME="+cmd.Dir)
	return cmd
}

func TestOutputFaultsLinux(t *testing.T) {
	runOutputFaults(t, []outputFault{
		{name: "not a writable file", args: []string{"-o", "/proc/version"}, says: "usagerep: cannot create /proc/version: "},
		{name: "stdout is /dev/full", args: []string{"-o", "-"},
			out: func(t *testing.T) io.Writer {
				f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { f.Close() })
				return f
			},
			says: "usagerep: cannot write stdout: no space left on device"},
	})
}

// TestDiskFull: a file that cannot grow (the disk is full, or, here, the
// file size limit is reached) fails the run with status 4 and one line,
// and the previous report stays.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writeManyUsers(t, in, 3000)
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(outDir, "Usage Reports.zip")
	if err := os.WriteFile(dest, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := child(t, "fsize=65536", "export", "--as-of", "2026-11-22", "-o", dest, in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	checkOneLine(t, err, stderr.String(), "usagerep: "+dest+": xlsx: writing ", ": cannot write "+dest+": file too large")
	checkPrevious(t, outDir, dest, []byte("previous"))
}

// TestKilledMidWrite kills usagerep while it writes a large zip: the
// previous zip is untouched and no temporary file is left.
func TestKilledMidWrite(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writeManyUsers(t, in, 10000)
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(outDir, "Usage Reports.zip")
	previous := bytes.Repeat([]byte("previous zip "), 1000)
	if err := os.WriteFile(dest, previous, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := child(t, "stop-in="+outDir, "export", "-q", "--as-of", "2026-11-22", "-o", dest, in)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if !strings.HasPrefix(line, "writing ") {
		err := cmd.Wait()
		t.Fatalf("the child was not stopped while writing an unnamed (O_TMPFILE) output (exit %v): %q %s", err, line, stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed: %v", err)
	}
	t.Log(strings.TrimSpace(line))
	checkPrevious(t, outDir, dest, previous)
}

// TestStdoutClosedEarly is `usagerep export -o - | head -c 10`: the
// reader goes away after 10 bytes of a zip larger than the pipe holds.
// Exit status 4, and one line on stderr.
func TestStdoutClosedEarly(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writeManyUsers(t, in, 5000) // a zip of about 1 MiB; a pipe holds 64 KiB
	cmd := child(t, "cli", "export", "--as-of", "2026-11-22", "-o", "-", in)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = w
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	head := make([]byte, 10)
	_, rerr := io.ReadFull(r, head)
	r.Close()
	err = cmd.Wait()
	if rerr != nil || !bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		t.Errorf("read %q, %v; want the start of a zip", head, rerr)
	}
	checkOneLine(t, err, stderr.String(), "usagerep: -: xlsx: writing ", ": cannot write stdout: broken pipe")
}

// TestReadOnlyOutputDirectory: a directory usagerep may not write to is
// an output error; as root, the child drops to nobody for permissions to
// apply.
func TestReadOnlyOutputDirectory(t *testing.T) {
	// Not t.TempDir: nobody must be able to reach it.
	dir, err := os.MkdirTemp("", "usagerep-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = os.Chmod(filepath.Join(dir, "out"), 0o755)
		_ = os.RemoveAll(dir)
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.jsonl")
	writeManyUsers(t, in, 10)
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(outDir, "report.zip")
	if err := os.WriteFile(dest, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(outDir, 0o555); err != nil {
		t.Fatal(err)
	}
	mode := "cli"
	if os.Geteuid() == 0 {
		mode = "nobody"
	}
	cmd := child(t, mode, "export", "--as-of", "2026-11-22", "-o", dest, in)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	want := "usagerep: cannot create " + dest + ": permission denied\n"
	if code := exitCode(err); code != ExitOutput || stderr.String() != want {
		t.Errorf("exit %d (%v), stderr %q; want 4 and %q", code, err, stderr.String(), want)
	}
	checkPrevious(t, outDir, dest, []byte("previous"))
}

// checkOneLine: the child exited with status 4 and wrote one line to
// stderr, from prefix to suffix (between them, the workbook being written,
// which depends on timing).
func checkOneLine(t *testing.T, err error, stderr, prefix, suffix string) {
	t.Helper()
	if code := exitCode(err); code != ExitOutput || !strings.HasPrefix(stderr, prefix) ||
		!strings.HasSuffix(stderr, suffix+"\n") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d (%v), stderr %q; want 4 and one line %q...%q", code, err, stderr, prefix, suffix)
	}
}

// checkPrevious: dest holds exactly previous, alone in dir.
func checkPrevious(t *testing.T, dir, dest string, previous []byte) {
	t.Helper()
	if got, err := os.ReadFile(dest); err != nil || !bytes.Equal(got, previous) {
		t.Errorf("%s: %d bytes (%v), want the previous %d bytes", dest, len(got), err, len(previous))
	}
	if names := listNames(t, dir); !slices.Equal(names, []string{filepath.Base(dest)}) {
		t.Errorf("%s holds %q, want only %s", dir, names, filepath.Base(dest))
	}
}

func exitCode(err error) int {
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
