package record

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The normalisers below append to dst and return the extended slice, in the
// manner of strconv.AppendInt, so that a caller can reuse one buffer and stay
// free of allocations. ASCII input takes a byte-wise fast path; other text is
// folded rune by rune, and invalid UTF-8 bytes are copied unchanged.

// NormalizeEmail appends the lower-cased form of s to dst. ok is false when s
// is not an email: it must hold exactly one '@' with a non-empty local part
// before it and a non-empty domain after it. dst is extended either way.
func NormalizeEmail(dst []byte, s string) ([]byte, bool) {
	at := strings.IndexByte(s, '@')
	ok := at > 0 && at < len(s)-1 && strings.IndexByte(s[at+1:], '@') < 0
	return appendMapped(dst, s, unicode.ToLower), ok
}

// LocalPart returns the part of email before its first '@', or all of email
// when there is none.
func LocalPart(email string) string {
	if at := strings.IndexByte(email, '@'); at >= 0 {
		return email[:at]
	}
	return email
}

// FoldUsername appends the case-folded form of s to dst: two usernames are
// the same user when their folded forms are equal.
func FoldUsername(dst []byte, s string) []byte {
	return appendMapped(dst, s, foldRune)
}

// FoldDisplayName appends the comparison key of a display name to dst: case
// folded, leading and trailing white space removed, and every inner run of
// white space replaced by one ASCII space.
func FoldDisplayName(dst []byte, s string) []byte {
	pendingSpace := false
	wrote := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if asciiSpace[c] {
				pendingSpace = wrote
				continue
			}
			if pendingSpace {
				dst = append(dst, ' ')
				pendingSpace = false
			}
			dst = append(dst, lowerASCII[c])
			wrote = true
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if pendingSpace {
				dst = append(dst, ' ')
				pendingSpace = false
			}
			dst = append(dst, c)
			wrote = true
			i++
			continue
		}
		i += size
		if unicode.IsSpace(r) {
			pendingSpace = wrote
			continue
		}
		if pendingSpace {
			dst = append(dst, ' ')
			pendingSpace = false
		}
		dst = utf8.AppendRune(dst, foldRune(r))
		wrote = true
	}
	return dst
}

// foldRune maps r to a canonical case so that runes equal under Unicode
// simple folding map alike (ToUpper first joins 'ς' and 'σ').
func foldRune(r rune) rune {
	return unicode.ToLower(unicode.ToUpper(r))
}

// appendMapped appends s to dst with every rune mapped by f; ASCII bytes
// are lower-cased directly.
func appendMapped(dst []byte, s string, f func(rune) rune) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, lowerASCII[c])
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, c)
		} else {
			dst = utf8.AppendRune(dst, f(r))
		}
		i += size
	}
	return dst
}

var (
	lowerASCII [utf8.RuneSelf]byte
	asciiSpace [utf8.RuneSelf]bool
)

func init() {
	for c := range lowerASCII {
		lowerASCII[c] = byte(c)
		if 'A' <= c && c <= 'Z' {
			lowerASCII[c] = byte(c) + 'a' - 'A'
		}
	}
	for _, c := range "\t\n\v\f\r " {
		asciiSpace[c] = true
	}
}
