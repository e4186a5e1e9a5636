package record

import (
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"John.Doe@Corp.COM", "john.doe@corp.com", true},
		{"a@b", "a@b", true},
		{"ÄNNE@Bücher.DE", "änne@bücher.de", true},
		{"@corp.com", "@corp.com", false},
		{"john@", "john@", false},
		{"john", "john", false},
		{"", "", false},
		{"a@b@c", "a@b@c", false},
		{"@", "@", false},
		{"JOHN\xffDOE@X", "john\xffdoe@x", true}, // invalid UTF-8 is kept as it is
	}
	for _, tt := range tests {
		got, ok := NormalizeEmail([]byte("prefix:"), tt.in)
		if string(got) != "prefix:"+tt.want || ok != tt.ok {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, %v", tt.in, got, ok, "prefix:"+tt.want, tt.ok)
		}
	}
}

func TestLocalPart(t *testing.T) {
	tests := []struct{ in, want string }{
		{"john.doe@corp.com", "john.doe"},
		{"jdoe", "jdoe"},
		{"@corp.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := LocalPart(tt.in); got != tt.want {
			t.Errorf("LocalPart(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldUsername(t *testing.T) {
	tests := []struct{ in, want string }{
		{"JDoe", "jdoe"},
		{"jdoe@corp.com", "jdoe@corp.com"},
		{"ÖZGÜR", "özgür"},
		{"ΟΔΥΣΣΕΥΣ", "οδυσσευσ"},
		{"οδυσσευς", "οδυσσευσ"},  // final sigma folds with sigma
		{"\u212aelvin", "kelvin"}, // the Kelvin sign is a K
		{"A B", "a b"},
	}
	for _, tt := range tests {
		if got := FoldUsername(nil, tt.in); string(got) != tt.want {
			t.Errorf("FoldUsername(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Names equal under Unicode simple folding fold alike.
	for _, pair := range [][2]string{{"JDOE", "jdoe"}, {"ΣΑΣ", "σας"}, {"\u212a", "k"}, {"ǅ", "ǆ"}, {"ǈ", "Ǉ"}} {
		if !strings.EqualFold(pair[0], pair[1]) {
			t.Fatalf("bad test pair %q", pair)
		}
		if a, b := FoldUsername(nil, pair[0]), FoldUsername(nil, pair[1]); string(a) != string(b) {
			t.Errorf("FoldUsername: %q -> %q but %q -> %q", pair[0], a, pair[1], b)
		}
	}
	if a, b := FoldUsername(nil, "Straße"), FoldUsername(nil, "STRASSE"); string(a) == string(b) {
		t.Errorf("FoldUsername folds ß to ss (%q), which simple folding does not", a)
	}
}

func TestFoldDisplayName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"John Doe", "john doe"},
		{"  John \t\n  DOE  ", "john doe"},
		{"John\u00a0\u2003Doe", "john doe"}, // Unicode spaces collapse too
		{"Jöhn  Dœ", "jöhn dœ"},
		{"", ""},
		{"   ", ""},
		{"A\xff  B", "a\xff b"},
	}
	for _, tt := range tests {
		if got := FoldDisplayName([]byte("x|"), tt.in); string(got) != "x|"+tt.want {
			t.Errorf("FoldDisplayName(%q) = %q, want %q", tt.in, got, "x|"+tt.want)
		}
	}
}

func TestNormalizeAllocs(t *testing.T) {
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = NormalizeEmail(buf[:0], "John.Doe@Corp.com")
		buf = FoldUsername(buf[:0], "ÖZGÜR")
		buf = FoldDisplayName(buf[:0], "  Jöhn   DOE ")
		_ = LocalPart("john@corp.com")
	})
	if allocs != 0 {
		t.Errorf("normalisers allocate %v times per run, want 0", allocs)
	}
}
