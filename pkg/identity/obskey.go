package identity

import (
	"github.com/usagerep/usagerep/pkg/internal/varint"
	"github.com/usagerep/usagerep/pkg/record"
)

// AppendKey appends the key of an observation of u in system: the fields
// resolution reads, each length-prefixed so that any bytes survive, then
// '1' or '0' for the service-account flag. email is the normalised email
// (record.NormalizeEmail), empty when u has none or an invalid one. Two
// observations have equal keys when resolution cannot tell them apart, so
// the reports accumulate one entry per key.
func AppendKey(dst []byte, system string, email []byte, u *record.User) []byte {
	dst = varint.AppendField(dst, system)
	dst = varint.AppendField(dst, email)
	dst = varint.AppendField(dst, u.Username)
	dst = varint.AppendField(dst, u.DisplayName)
	dst = varint.AppendField(dst, u.FirstName)
	dst = varint.AppendField(dst, u.LastName)
	dst = varint.AppendField(dst, u.Company)
	dst = varint.AppendField(dst, u.UserID)
	if u.ServiceAccount {
		return append(dst, '1')
	}
	return append(dst, '0')
}

// ParseKey is the observation AppendKey made key of, its strings sharing
// key's memory; Count, First, Last and Interactions are left for the
// caller. ok is false for a key AppendKey did not make.
func ParseKey(key string) (o Observation, ok bool) {
	var v [numKeyFields]string
	service, ok := splitKey(key, &v)
	if !ok {
		return Observation{}, false
	}
	return Observation{
		System: v[kfSystem], Email: v[kfEmail], Username: v[kfUsername], DisplayName: v[kfDisplayName],
		FirstName: v[kfFirstName], LastName: v[kfLastName], Company: v[kfCompany], UserID: v[kfUserID],
		ServiceAccount: service,
	}, true
}

// KeySystem is the system of the observation AppendKey made key of, read
// without splitting the rest; "" for a malformed key.
func KeySystem(key string) string {
	v, _, _ := varint.CutField(key)
	return v
}

// Keyer makes observation keys in buffers it reuses, so that the reports'
// per-record paths allocate nothing.
type Keyer struct {
	key, email []byte
	valid      bool // the last key has an email
}

// Key is the key of the observation of u in system, valid until the next
// call. ok is false when u names nobody (no valid email, no username, no
// display name): resolution would only count such an observation as
// anonymous, so the reports count it and keep no key.
func (k *Keyer) Key(system string, u *record.User) (key []byte, ok bool) {
	var email []byte
	if u.Email != "" {
		var valid bool
		if k.email, valid = record.NormalizeEmail(k.email[:0], u.Email); valid {
			email = k.email
		}
	}
	if len(email) == 0 && u.Username == "" && u.DisplayName == "" {
		return nil, false
	}
	k.key = AppendKey(k.key[:0], system, email, u)
	k.valid = len(email) > 0
	return k.key, true
}

// Email is the normalised email of the last key Key made, nil when it had
// none; valid until the next call of Key. Two observations with the same
// email are always one identity, whatever else they say.
func (k *Keyer) Email() []byte {
	if !k.valid {
		return nil
	}
	return k.email
}
