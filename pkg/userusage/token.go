package userusage

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"unicode/utf8"
)

// A page token is base64url (no padding) of: the version byte, the first
// 8 bytes of the query's digest, then the last report of the page: its
// date (varint), email and profile id (length-prefixed) and its rank
// among reports of the same email and profile id (uvarint; 0 but for
// crafted data). It is opaque to clients, not secret: a forged token only
// resumes somewhere else in the same query.
const tokenVersion = 1

// maxTokenLen bounds a token's text; real ones are far shorter.
const maxTokenLen = 4096

// cursor is the last report of a page; the next page starts after it.
type cursor struct {
	date      Date
	email     string
	profileID string
	dup       uint32
}

var errBadToken = errors.New("invalid page token (give the nextPageToken of a previous page, unchanged)")

func encodeToken(hash [8]byte, c cursor) string {
	b := make([]byte, 0, 1+8+5+len(c.email)+len(c.profileID)+8)
	b = append(b, tokenVersion)
	b = append(b, hash[:]...)
	b = binary.AppendVarint(b, int64(c.date))
	b = appendLenString(b, c.email)
	b = appendLenString(b, c.profileID)
	b = binary.AppendUvarint(b, uint64(c.dup))
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeToken reads a token; any flaw is errBadToken.
func decodeToken(s string) (cursor, [8]byte, error) {
	var c cursor
	var hash [8]byte
	if len(s) > maxTokenLen {
		return c, hash, errBadToken
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) < 1+8 || b[0] != tokenVersion {
		return c, hash, errBadToken
	}
	copy(hash[:], b[1:9])
	b = b[9:]
	date, n := binary.Varint(b)
	if n <= 0 || date < -1<<31 || date >= 1<<31 || !Date(date).valid() {
		return c, hash, errBadToken
	}
	c.date = Date(date)
	b = b[n:]
	var ok bool
	if c.email, b, ok = readString(b); !ok {
		return c, hash, errBadToken
	}
	if c.profileID, b, ok = readString(b); !ok {
		return c, hash, errBadToken
	}
	dup, n := binary.Uvarint(b)
	if n <= 0 || dup >= 1<<31 || n != len(b) {
		return c, hash, errBadToken
	}
	c.dup = uint32(dup)
	// Only the one encoding of a cursor is its token (varints have
	// longer spellings).
	if encodeToken(hash, c) != s {
		return c, hash, errBadToken
	}
	return c, hash, nil
}

func readString(b []byte) (string, []byte, bool) {
	l, n := binary.Uvarint(b)
	if n <= 0 || l > uint64(len(b)-n) {
		return "", nil, false
	}
	s := b[n : n+int(l)]
	if !utf8.Valid(s) {
		return "", nil, false
	}
	return string(s), b[n+int(l):], true
}
