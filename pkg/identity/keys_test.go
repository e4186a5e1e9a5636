package identity

import (
	"strconv"
	"strings"
	"testing"
)

var foldInputs = []string{
	"", " ", "a", "A", "Alice Smith", "alice  smith", "  Alice\tSmith  ", "a\n\nb", "a \t b c",
	"ÜNAL", "Ünal  Öz", "\u00a0Bob\u00a0 X\u00a0", "İstanbul", "ǅemal", "x\u2003y", "\xffab", "A\xff B",
	"ALREADY lower", "already lower", "trailing ", " leading",
}

// TestInternFolded: the fast paths intern exactly what the plain Unicode
// definition (lower-case, whitespace runs collapsed) gives.
func TestInternFolded(t *testing.T) {
	tb := newTable(0)
	var buf []byte
	for _, s := range foldInputs {
		want := strings.Join(strings.Fields(strings.ToLower(s)), " ")
		id := tb.internFolded(s, &buf)
		if want == "" {
			if id != none {
				t.Errorf("internFolded(%q) = %q, want absent", s, tb.vals[id])
			}
			continue
		}
		if id == none || tb.vals[id] != want {
			t.Errorf("internFolded(%q) = %d, want %q", s, id, want)
		}
	}
}

func TestInternLower(t *testing.T) {
	tb := newTable(0)
	var buf []byte
	for _, s := range foldInputs {
		want := strings.ToLower(strings.TrimSpace(s))
		id := tb.internLower(s, &buf)
		if want == "" {
			if id != none {
				t.Errorf("internLower(%q) = %q, want absent", s, tb.vals[id])
			}
			continue
		}
		if id == none || tb.vals[id] != want {
			t.Errorf("internLower(%q) = %d, want %q", s, id, want)
		}
	}
}

// TestTableGrows: ids stay dense and stable while the table grows.
func TestTableGrows(t *testing.T) {
	tb := newTable(0)
	var buf []byte
	const n = 5000
	for i := range n {
		s := "User" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i)
		if id := tb.internLower(s, &buf); id != int32(i) {
			t.Fatalf("internLower(%q) = %d, want %d", s, id, i)
		}
	}
	for i := range n {
		s := "user" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i)
		if id := tb.intern(s); id != int32(i) {
			t.Fatalf("second intern(%q) = %d, want %d", s, id, i)
		}
	}
	if len(tb.vals) != n || len(tb.slots) < 2*n {
		t.Fatalf("table holds %d values in %d slots", len(tb.vals), len(tb.slots))
	}
}

func TestLocalPart(t *testing.T) {
	for in, want := range map[string]string{"a@x.com": "a", "@x.com": "", "a@": "a", "ab": "ab", "a@b@c": "a"} {
		if got := localPart(in); got != want {
			t.Errorf("localPart(%q) = %q, want %q", in, got, want)
		}
	}
}
