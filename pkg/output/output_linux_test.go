package output

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// helperEnv makes the test binary act as a child process for the tests
// below instead of running tests.
const helperEnv = "OUTPUT_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode, os.Getenv("OUTPUT_TEST_PATH")))
	}
	os.Exit(m.Run())
}

func runHelper(mode, path string) int {
	switch mode {
	case "write-until-killed":
		f, err := Create(path)
		if err != nil {
			fmt.Println(err)
			return 1
		}
		chunk := make([]byte, 1<<20)
		for i := range 64 {
			if _, err := f.Write(chunk); err != nil {
				fmt.Println(err)
				return 1
			}
			if i == 8 {
				fmt.Println("writing")
			}
		}
		// Wait to be killed; if the parent dies instead, stdin closes.
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		return 0
	case "create-unprivileged":
		if err := syscall.Setgid(65534); err != nil {
			fmt.Println("setgid:", err)
			return 1
		}
		if err := syscall.Setuid(65534); err != nil {
			fmt.Println("setuid:", err)
			return 1
		}
		f, err := Create(path)
		if err == nil {
			f.Close()
			fmt.Println("created")
			return 1
		}
		fmt.Println(err)
		if !errors.Is(err, ErrWrite) {
			return 1
		}
		return 0
	}
	fmt.Println("unknown helper", mode)
	return 2
}

func helper(mode, path string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "OUTPUT_TEST_PATH="+path)
	return cmd
}

func TestKilledMidWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "Usage Reports.zip")
	if err := os.WriteFile(dest, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := helper("write-until-killed", dest)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != "writing\n" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child said %q, %v", line, err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("child was not killed")
	}
	if got := readFile(t, dest); got != "previous" {
		t.Errorf("destination holds %d bytes, want the previous content", len(got))
	}
	if names := listDir(t, dir); !slices.Equal(names, []string{"Usage Reports.zip"}) {
		t.Errorf("directory holds %q, want only the previous file", names)
	}
}

func TestCreateInReadOnlyDirectory(t *testing.T) {
	// Not t.TempDir: an unprivileged child must be able to reach it.
	dir, err := os.MkdirTemp("", "output-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = os.Chmod(dir, 0o755)
		_ = os.RemoveAll(dir)
	})
	if err := os.WriteFile(filepath.Join(dir, "report.zip"), []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "report.zip")

	var msg string
	if os.Geteuid() == 0 {
		// Root ignores permissions: try as nobody in a child process.
		out, err := helper("create-unprivileged", dest).CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v: %s", err, out)
		}
		msg = strings.TrimSpace(string(out))
	} else {
		f, err := Create(dest)
		if err == nil {
			f.Close()
			t.Fatal("Create succeeded in a read-only directory")
		}
		if !errors.Is(err, ErrWrite) {
			t.Errorf("error %v does not match ErrWrite", err)
		}
		msg = err.Error()
	}
	if want := "cannot create " + dest + ": permission denied"; msg != want {
		t.Errorf("error %q, want %q", msg, want)
	}
	if got := readFile(t, dest); got != "previous" {
		t.Errorf("destination holds %q", got)
	}
	if names := listDir(t, dir); !slices.Equal(names, []string{"report.zip"}) {
		t.Errorf("directory holds %q", names)
	}
}
