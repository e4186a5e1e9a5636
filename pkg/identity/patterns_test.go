package identity

import (
	"path"
	"testing"
)

// TestMatcherAgreesWithPathMatch: the prefix/suffix shortcut never changes
// what path.Match decides.
func TestMatcherAgreesWithPathMatch(t *testing.T) {
	patterns := []string{
		"svc", "svc-*", "*-bot", "*@svc.example.com", "a*a", "a?c", "[ab]uild", "[^a]x*",
		`a\*b`, `\[x]`, "x[a-c]", "*", "?", "bot-*@*.com", "[*]z", `a\\b*`,
	}
	values := []string{
		"", "a", "aa", "aba", "abc", "svc", "svc-", "svc-1", "jira-bot", "-bot", "x@svc.example.com",
		"build", "cuild", "bx", "ax", "a*b", "axb", "[x]", "xa", "xd", "bot-1@x.com", "*z", "zz", `a\b`, `a\bc`,
	}
	for _, p := range patterns {
		m := newMatcher([]string{p})
		if len(m.globs) != 1 {
			t.Fatalf("pattern %q dropped", p)
		}
		for _, v := range values {
			want, err := path.Match(p, v)
			if err != nil {
				t.Fatalf("path.Match(%q): %v", p, err)
			}
			if got := m.match(v); got != want {
				t.Errorf("match(%q, %q) = %t, path.Match says %t", p, v, got, want)
			}
		}
	}
}
