package usage

import "unsafe"

// unsafeString views b as a string without copying; the caller must not
// keep the string past b's next change (map lookups are fine, inserts copy).
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// unsafeBytes views s as bytes without copying; the bytes must not be
// changed.
func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
