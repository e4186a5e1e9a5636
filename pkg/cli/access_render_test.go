package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/access"
)

// TestAppendJSONString: strings come out as encoding/json writes them
// without HTML escaping, and read back as themselves (invalid UTF-8 as
// U+FFFD).
func TestAppendJSONString(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/injection/payloads.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	cases = append(cases, "", `a"b\c`, "\x00\x01\x1f\x7f", "tab\tnl\ncr\r", "<&>", "\u2028\u2029", "é中🙂", "bad\xffutf8\xc3", "\ufffd")
	for _, s := range cases {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := appendJSONString(nil, s)
		if string(got)+"\n" != want.String() {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want.String())
		}
	}
}

// TestActionKeys: an action named like a fixed key, or like an earlier
// action's key, gets a prefix; keys are unique.
func TestActionKeys(t *testing.T) {
	cols := []access.Column{{Action: "scan_upload"}, {Action: "email"}, {Action: "action_email"}, {Action: "date"}}
	got := actionKeys(cols)
	want := []string{"scan_upload", "action_email", "action_action_email", "action_date"}
	if !slices.Equal(got, want) {
		t.Errorf("actionKeys = %q, want %q", got, want)
	}
	rep := &access.Report{Columns: cols, Rows: []access.Row{{Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		User: &access.User{Email: "a@x.com"}, Project: "P", Counts: []int64{1, 2, 3, 4}}}}
	var buf bytes.Buffer
	if err := writeAccessJSON(&buf, rep, false); err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &objs); err != nil {
		t.Fatal(err)
	}
	if o := objs[0]; o["email"] != "a@x.com" || o["date"] != "2026-03-01" || o["action_email"] != 2.0 || o["action_date"] != 4.0 || len(o) != 11 {
		t.Errorf("object %v", o)
	}
}
