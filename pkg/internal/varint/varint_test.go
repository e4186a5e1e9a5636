package varint

import (
	"encoding/binary"
	"math"
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
