// Package varint reads the unsigned varints of encoding/binary from a
// string, and writes and splits the length-prefixed fields the reports'
// keys are made of, so that keys kept as strings are split without
// copying them to bytes.
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

// AppendField appends s after its length, so that a key of several
// fields splits back into them (CutField) whatever bytes they hold. s is
// a string or bytes, as callers have their values.
func AppendField[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// CutField splits the first field AppendField wrote off k; both share k's
// memory. ok is false, and both are empty, when k does not start with a
// whole field.
func CutField(k string) (field, rest string, ok bool) {
	if len(k) > 0 && k[0] < 0x80 { // most values are shorter than 128 bytes
		n := int(k[0])
		if n+1 > len(k) {
			return "", "", false
		}
		return k[1 : n+1], k[n+1:], true
	}
	n, w := Uvarint(k)
	if w <= 0 || uint64(len(k)-w) < n {
		return "", "", false
	}
	return k[w : w+int(n)], k[w+int(n):], true
}

// Fields splits k into the fields a run of AppendField wrote; they share
// k's memory. ok is false, with the whole fields before it, when k ends
// in a cut field.
func Fields(k string) (fields []string, ok bool) {
	for len(k) > 0 {
		f, rest, ok := CutField(k)
		if !ok {
			return fields, false
		}
		fields, k = append(fields, f), rest
	}
	return fields, true
}
