// Package varint reads the unsigned varints of encoding/binary from a
// string, so that keys kept as strings are split without copying them to
// bytes.
package varint

import "encoding/binary"

// Uvarint decodes the varint at the start of s and its length in bytes,
// or 0, 0 when s does not start with a complete one that fits 64 bits.
func Uvarint(s string) (uint64, int) {
	var x uint64
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				return 0, 0 // more than 64 bits
			}
			return x | uint64(b)<<(7*i), i + 1
		}
		x |= uint64(b&0x7f) << (7 * i)
	}
	return 0, 0
}
