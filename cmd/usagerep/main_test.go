package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/cli"
)

// TestMain makes the test binary usagerep itself when testscript runs it,
// so the scripts exercise the real main: exit statuses, stdout and stderr.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"usagerep": main})
}

// TestScripts runs testdata/script/*.txtar. The committed excerpts of
// testdata/inspect are in $WORK/fixtures, and docs/usagerep-nightly.sh
// (the cron recipe) in $WORK.
func TestScripts(t *testing.T) {
	fixtures, err := filepath.Abs(filepath.Join("..", "..", "testdata", "inspect"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("USAGEREP_UPDATE_GOLDEN") != "",
		Setup: func(env *testscript.Env) error {
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Setenv("HOME", env.WorkDir)
			nightly, err := os.ReadFile(filepath.Join("..", "..", "docs", "usagerep-nightly.sh"))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(env.WorkDir, "usagerep-nightly.sh"), nightly, 0o755); err != nil {
				return err
			}
			return copyDir(fixtures, filepath.Join(env.WorkDir, "fixtures"))
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status":        cmdStatus,
			"help-examples": cmdHelpExamples,
		},
	})
}

// cmdStatus runs "status N usagerep args..." and checks the exit status is
// exactly N; stdout and stderr are kept for the next commands.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status %q: %v", args[0], err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

// cmdHelpExamples runs `usagerep <command> --help` for every command the
// tree has, hidden ones aside, and fails on help without "Examples:".
func cmdHelpExamples(ts *testscript.TestScript, neg bool, _ []string) {
	if neg {
		ts.Fatalf("help-examples does not negate")
	}
	root := cli.NewRootCmd(&cli.IOStreams{In: strings.NewReader("")}, cli.BuildInfo{})
	root.InitDefaultHelpCmd()
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		if c.Hidden {
			return
		}
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			walk(sub, append(append([]string{}, path...), sub.Name()))
		}
	}
	walk(root, nil)
	if len(paths) < 8 {
		ts.Fatalf("only %d commands found", len(paths))
	}
	for _, p := range paths {
		if err := ts.Exec("usagerep", append(p, "--help")...); err != nil {
			ts.Fatalf("usagerep %s --help: %v", strings.Join(p, " "), err)
		}
		out := ts.ReadFile("stdout")
		if !strings.Contains(out, "Examples:\n  ") {
			ts.Fatalf("usagerep %s --help has no example:\n%s", strings.Join(p, " "), out)
		}
		ts.Logf("usagerep %s --help: has examples", strings.Join(p, " "))
	}
}

func copyDir(from, to string) error {
	return filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}
