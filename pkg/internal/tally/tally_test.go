package tally

import (
	"math"
	"testing"
	"unsafe"
)

func TestIntern(t *testing.T) {
	index := map[string]uint32{}
	var names []string
	buf := []byte("alpha")
	if id := Intern(index, &names, unsafe.String(&buf[0], len(buf))); id != 0 {
		t.Fatalf("first id %d, want 0", id)
	}
	if id := Intern(index, &names, "beta"); id != 1 {
		t.Fatalf("second id %d, want 1", id)
	}
	if id := Intern(index, &names, "alpha"); id != 0 {
		t.Fatalf("alpha again: id %d, want 0", id)
	}
	// The borrowed bytes change; the interned name must not.
	copy(buf, "gamma")
	if names[0] != "alpha" || len(names) != 2 || names[1] != "beta" {
		t.Fatalf("names %q, want [alpha beta]", names)
	}
	if id, ok := index["alpha"]; !ok || id != 0 {
		t.Fatalf("index %v", index)
	}
}

func TestAddSat(t *testing.T) {
	for _, c := range []struct{ x, y, want int64 }{
		{0, 0, 0},
		{2, 3, 5},
		{math.MaxInt64 - 1, 1, math.MaxInt64},
		{math.MaxInt64 - 1, 2, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64, math.MaxInt64},
		{1 << 62, 1 << 62, math.MaxInt64},
	} {
		if got := AddSat(c.x, c.y); got != c.want {
			t.Errorf("AddSat(%d, %d) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
}
