package cli

import (
	"strings"
	"testing"
	"time"
)

func TestCompletionScripts(t *testing.T) {
	isolate(t)
	for shell, marker := range map[string]string{
		"bash": "__start_usagerep", "zsh": "#compdef usagerep", "fish": "complete -c usagerep", "powershell": "Register-ArgumentCompleter",
	} {
		code, stdout, stderr := run(t, "", "completion", shell)
		if code != 0 || !strings.Contains(stdout, marker) || stderr != "" {
			t.Errorf("%s: exit %d, stderr %q, script has no %q", shell, code, stderr, marker)
		}
	}
	if code, _, stderr := run(t, "", "completion", "tcsh"); code != 2 || !strings.Contains(stderr, "tcsh") {
		t.Errorf("tcsh: exit %d: %s", code, stderr)
	}
}

// TestFlagValueCompletion asks for completions the way the shell scripts
// do, through cobra's hidden __complete command.
func TestFlagValueCompletion(t *testing.T) {
	isolate(t)
	tests := []struct {
		args []string
		want []string
		not  []string
	}{
		{[]string{"export", "--tz", "Europe/Be"}, []string{"Europe/Berlin"}, []string{"UTC"}},
		{[]string{"inspect", "--tz", "ut"}, []string{"UTC"}, nil},
		{[]string{"export", "--profile", ""}, []string{"github-events\t", "git-log\t", "wikiticker\t"}, nil},
		{[]string{"inspect", "--profile", ""}, []string{"github-events\t"}, nil},
		{[]string{"export", "--period", ""}, []string{"6m,1y\t", "30d\t"}, nil},
		{[]string{"export", "--format", ""}, []string{"zip\t", "xlsx\t"}, nil},
		{[]string{"inspect", "--input-format", ""}, []string{"jsonl\t", "csv\t"}, nil},
		{[]string{"completion", ""}, []string{"bash", "zsh", "fish", "powershell"}, nil},
		{[]string{"config", "init", "--profile", "git"}, []string{"git-log\t"}, nil},
	}
	for _, tt := range tests {
		code, stdout, stderr := run(t, "", append([]string{"__complete"}, tt.args...)...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", tt.args, code, stderr)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: completions have no %q:\n%s", tt.args, w, stdout)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(stdout, n+"\n") {
				t.Errorf("%v: completions offer %q", tt.args, n)
			}
		}
	}
}

func TestRelativeTime(t *testing.T) {
	for d, want := range map[string]string{"30s": "just now", "5m": "5 minutes ago", "1h": "1 hour ago", "49h": "about 2 days ago",
		"1000h": "about 1 month ago", "9000h": "1 year ago", "-48h": "in about 2 days"} {
		dur, err := time.ParseDuration(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := relativeTime(dur); got != want {
			t.Errorf("%s: %q, want %q", d, got, want)
		}
	}
}
