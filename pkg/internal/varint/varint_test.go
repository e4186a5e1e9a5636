package varint

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

// Uvarint reads what binary.AppendUvarint writes, followed by anything,
// and refuses what is cut short.
func TestUvarint(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 300, 1 << 35, math.MaxUint64} {
		b := binary.AppendUvarint(nil, v)
		if got, n := Uvarint(string(b) + "tail"); got != v || n != len(b) {
			t.Errorf("Uvarint(%x) = %d, %d; want %d, %d", b, got, n, v, len(b))
		}
		if got, n := Uvarint(string(b[:len(b)-1])); n != 0 || got != 0 {
			t.Errorf("Uvarint of %x cut short = %d, %d; want 0, 0", b, got, n)
		}
	}
}

func FuzzUvarint(f *testing.F) {
	f.Add([]byte{0x80, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, n := Uvarint(string(b))
		want, wn := binary.Uvarint(b)
		if wn > 0 && (got != want || n != wn) {
			t.Fatalf("Uvarint(%x) = %d, %d; binary.Uvarint gives %d, %d", b, got, n, want, wn)
		}
		if wn <= 0 && n != 0 {
			t.Fatalf("Uvarint(%x) = %d, %d; binary.Uvarint refuses it (%d)", b, got, n, wn)
		}
	})
}

// CutField gives back each field AppendField wrote, short and long
// (a length of one varint byte and of several), whatever bytes they hold,
// and refuses a key cut inside a field or its length.
func TestAppendAndCutField(t *testing.T) {
	fields := []string{"", "a", "\x00\x80\xff", string(make([]byte, 127)), string(make([]byte, 128)), string(make([]byte, 20000))}
	var k []byte
	ends := map[int]bool{} // where a field ends
	for _, f := range fields {
		k = AppendField(k, f)
		ends[len(k)] = true
	}
	rest := string(k)
	for i, want := range fields {
		got, r, ok := CutField(rest)
		if !ok || got != want {
			t.Fatalf("field %d: CutField = %d bytes, ok %v; want %d bytes", i, len(got), ok, len(want))
		}
		rest = r
	}
	if rest != "" {
		t.Fatalf("%d bytes left after the last field", len(rest))
	}
	for cut := 1; cut < len(k); cut++ {
		s, whole := string(k[:cut]), true
		for s != "" && whole {
			_, s, whole = CutField(s)
		}
		if whole != ends[cut] {
			t.Fatalf("a key cut at byte %d: split into whole fields %v, want %v", cut, whole, ends[cut])
		}
	}
}

// Keys of fields holding any bytes split back into them; a key cut short
// gives its whole fields and says so.
func TestFieldsSurviveAnyBytes(t *testing.T) {
	fields := []string{"", "a\x00b", "\x00", "plain", string(make([]byte, 300))}
	var k []byte
	for _, f := range fields {
		k = AppendField(k, f)
	}
	if got, ok := Fields(string(k)); !ok || !slices.Equal(got, fields) {
		t.Errorf("Fields = %q, %v; want %q, true", got, ok, fields)
	}
	if got, ok := Fields(string(k[:len(k)-1])); ok || !slices.Equal(got, fields[:4]) {
		t.Errorf("Fields of a cut key = %q, %v; want %q, false", got, ok, fields[:4])
	}
}
