package inspect

import (
	"slices"
	"strings"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/record"
)

// FieldClass is the identity class an observation's fields put it in
// (docs/identity.md), before any resolution: class 1 has email and
// username, 2 email only, 3 a display name and no email, 4 a username only.
// 0 names nobody (none of email, username, display name).
type FieldClass uint8

// fieldClass is the class of an observation with these fields; the email
// must be valid.
func fieldClass(email, username, display bool) FieldClass {
	switch {
	case email && username:
		return FieldClass(identity.ClassUsernameOrEmail)
	case email:
		return FieldClass(identity.ClassEmail)
	case display:
		return FieldClass(identity.ClassDisplayName)
	case username:
		return FieldClass(identity.ClassUsername)
	}
	return 0
}

// observations holds the distinct observations (the fields that
// identity.Resolve groups by) up to a cap, and counts every observation by
// field class. Resolve's classes do not depend on counts, times or
// interactions, so only the fields are kept: one string per observation.
type observations struct {
	cap     int
	set     map[string]struct{} // fields joined by sep, then the service-account mark
	over    bool                // some distinct observation was past the cap
	byClass [5]int64            // observation records by FieldClass
	invalid int64               // emails that are not emails

	key, email []byte // scratch
}

func newObservations(cap int) *observations {
	return &observations{cap: cap, set: make(map[string]struct{})}
}

// sep separates the fields of a key; record strings are trimmed text and
// do not hold it in practice, and a collision would only merge two
// observations in a count.
const sep = 0

// add counts one observation of u in system and reports whether it names
// someone.
func (o *observations) add(u *record.User, system string) bool {
	var email []byte
	if u.Email != "" {
		var ok bool
		if o.email, ok = record.NormalizeEmail(o.email[:0], u.Email); ok {
			email = o.email
		} else {
			o.invalid++
		}
	}
	class := fieldClass(len(email) > 0, u.Username != "", u.DisplayName != "")
	o.byClass[class]++

	if o.over {
		return class != 0 // past the cap users are not resolved: the set is done
	}
	k := append(o.key[:0], system...)
	k = append(k, sep)
	k = append(k, email...)
	k = append(k, sep)
	for _, s := range [...]string{u.Username, u.DisplayName, u.FirstName, u.LastName, u.Company, u.UserID} {
		k = append(k, s...)
		k = append(k, sep)
	}
	if u.ServiceAccount {
		k = append(k, '1')
	}
	o.key = k
	if _, ok := o.set[string(k)]; !ok {
		if len(o.set) >= o.cap {
			o.over = true
		} else {
			o.set[string(k)] = struct{}{}
		}
	}
	return class != 0
}

// merge adds o2's observations into o.
func (o *observations) merge(o2 *observations) {
	for i := range o.byClass {
		o.byClass[i] += o2.byClass[i]
	}
	o.invalid += o2.invalid
	o.over = o.over || o2.over
	if len(o.set)+len(o2.set) <= o.cap {
		for k := range o2.set {
			o.set[k] = struct{}{}
		}
		return
	}
	// Which observations fit under the cap must not depend on map order.
	keys := make([]string, 0, len(o2.set))
	for k := range o2.set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, ok := o.set[k]; ok {
			continue
		}
		if len(o.set) >= o.cap {
			o.over = true
			break
		}
		o.set[k] = struct{}{}
	}
}

// list returns the observations for identity.Resolve.
func (o *observations) list() []identity.Observation {
	out := make([]identity.Observation, 0, len(o.set))
	for k := range o.set {
		f := strings.Split(k, "\x00") // eight fields, then the service-account mark
		out = append(out, identity.Observation{
			System: f[0], Email: f[1], Username: f[2], DisplayName: f[3],
			FirstName: f[4], LastName: f[5], Company: f[6], UserID: f[7],
			ServiceAccount: f[8] == "1", Count: 1,
		})
	}
	return out
}
