package slab

import "testing"

// Slices taken from one slab never overlap, hold zero values, and have no
// room to grow into a neighbour.
func TestTake(t *testing.T) {
	var s Slab[int]
	if got := s.Take(0); got != nil {
		t.Fatalf("Take(0) = %v, want nil", got)
	}
	var taken [][]int
	for n := 1; n < 3*MinBlock; n += 97 {
		got := s.Take(n)
		if len(got) != n || cap(got) != n {
			t.Fatalf("Take(%d): len %d cap %d", n, len(got), cap(got))
		}
		for i := range got {
			if got[i] != 0 {
				t.Fatalf("Take(%d)[%d] = %d, want 0", n, i, got[i])
			}
			got[i] = n
		}
		taken = append(taken, got)
	}
	for _, got := range taken {
		for i, v := range got {
			if v != len(got) {
				t.Fatalf("slice of %d: [%d] = %d, overwritten by a later Take", len(got), i, v)
			}
		}
	}
}

// Clone copies: strings cloned from one buffer keep their bytes when the
// buffer changes and when later clones fill and replace blocks, long ones
// included.
func TestStringsClone(t *testing.T) {
	var s Strings
	buf := make([]byte, 0, stringsBlock)
	var want, got []string
	for i := range 5000 {
		n := i % 300
		if i%1000 == 999 {
			n = stringsBlock // longer than a quarter block: its own
		}
		buf = buf[:0]
		for j := range n {
			buf = append(buf, byte('a'+(i+j)%26))
		}
		want = append(want, string(buf))
		got = append(got, s.Clone(buf))
		clear(buf[:cap(buf)])
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("clone %d changed: %q, want %q", i, got[i][:min(20, len(got[i]))], want[i][:min(20, len(want[i]))])
		}
	}
}
