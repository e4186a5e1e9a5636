package analytics

import (
	"fmt"

	"github.com/usagerep/usagerep/pkg/internal/varint"
)

// ClientBy says what one client of the reports is: "users" figures count
// clients.
type ClientBy uint8

const (
	// ByIdentity: a client is a resolved identity (identity.md), the
	// default.
	ByIdentity ClientBy = iota
	// ByUserID: a client is a record's raw user_id within its system;
	// user ids are only unique within one, so the same id in two systems
	// is two clients. Mentions without one are left out (NoUserID).
	ByUserID
	// BySession: a client is one session of a resolved identity, by
	// session id or the gap rule; it is new in the period it starts and
	// lost when its last activity became lost-after old.
	BySession
)

// ClientByNames are the values ParseClientBy takes, by ClientBy.
var ClientByNames = []string{"identity", "user_id", "session"}

func (b ClientBy) String() string { return ClientByNames[b] }

// ParseClientBy reads identity, user_id or session.
func ParseClientBy(s string) (ClientBy, error) {
	for i, n := range ClientByNames {
		if s == n {
			return ClientBy(i), nil
		}
	}
	return 0, fmt.Errorf("unknown client %q (want identity, user_id or session)", s)
}

// appendUserIDKey is the observation key of a client by user id: its
// system and user id, each length-prefixed so that no two pairs share a
// key.
func appendUserIDKey(dst []byte, system, userID string) []byte {
	return varint.AppendField(varint.AppendField(dst, system), userID)
}

// parseUserIDKey splits what appendUserIDKey made; the strings share k.
func parseUserIDKey(k string) (system, userID string) {
	system, k, _ = varint.CutField(k)
	userID, _, _ = varint.CutField(k)
	return system, userID
}
