package jsonout

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func checkEscaping(t *testing.T, s string) {
	t.Helper()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	if got := string(AppendString(nil, s)); got != strings.TrimSuffix(want.String(), "\n") {
		t.Errorf("AppendString(%q) = %s, want %s", s, got, want.String())
	}
}

// TestAppendString: strings come out as encoding/json writes them.
func TestAppendString(t *testing.T) {
	for _, s := range []string{
		"", "plain", `"quoted"\back\slash`, "tab\tnl\ncr\r", "\b\f\x00\x1f\x7f",
		"<&>", "ü 漢字 😀", "\u2028\u2029", "bad\xffutf8", "\xc3", "=1+2",
	} {
		checkEscaping(t, s)
	}
	if got := string(AppendString([]byte("x:"), "y")); got != `x:"y"` {
		t.Errorf("AppendString appends: got %s", got)
	}
}

func FuzzJSONString(f *testing.F) {
	f.Add("a\"b\\c\x00\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		checkEscaping(t, s)
		var back string
		if err := json.Unmarshal(AppendString(nil, s), &back); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("%q reads back as %q", s, back)
		}
	})
}
