package identity

import "github.com/usagerep/usagerep/pkg/internal/varint"

// keyField names a value an observation's key holds, in AppendKey's order.
type keyField uint8

const (
	kfSystem keyField = iota
	kfEmail
	kfUsername
	kfDisplayName
	kfFirstName
	kfLastName
	kfCompany
	kfUserID
	numKeyFields
)

// source is where the resolver reads the values of observations: a slice
// of Observation, or their keys, which cost a string header each instead
// of a 184-byte struct. Only the values are read through it; counts,
// times and interactions come with each resolution.
type source interface {
	len() int
	// values fills v with observation i's values, in keyField order.
	values(i int, v *[numKeyFields]string)
	value(i int, f keyField) string
	serviceAccount(i int) bool
}

type obsSource []Observation

func (s obsSource) len() int { return len(s) }

func (s obsSource) values(i int, v *[numKeyFields]string) {
	o := &s[i]
	*v = [numKeyFields]string{o.System, o.Email, o.Username, o.DisplayName, o.FirstName, o.LastName, o.Company, o.UserID}
}

func (s obsSource) value(i int, f keyField) string {
	o := &s[i]
	switch f {
	case kfSystem:
		return o.System
	case kfEmail:
		return o.Email
	case kfUsername:
		return o.Username
	case kfDisplayName:
		return o.DisplayName
	case kfFirstName:
		return o.FirstName
	case kfLastName:
		return o.LastName
	case kfCompany:
		return o.Company
	}
	return o.UserID
}

func (s obsSource) serviceAccount(i int) bool { return s[i].ServiceAccount }

// keySource reads observations from keys made by AppendKey. A key it cannot
// parse names nobody, like an observation with every value empty; keys
// never come from input, so that only happens through a bug.
type keySource []string

func (s keySource) len() int { return len(s) }

func (s keySource) values(i int, v *[numKeyFields]string) {
	if _, ok := splitKey(s[i], v); !ok {
		*v = [numKeyFields]string{}
	}
}

// splitKey fills v with key's values and reports its service-account
// flag; ok is false for a key AppendKey did not make.
func splitKey(key string, v *[numKeyFields]string) (service, ok bool) {
	for f := range v {
		if v[f], key, _ = varint.CutField(key); key == "" {
			return false, false // too short: the flag must follow the last value
		}
	}
	return key == "1", key == "0" || key == "1"
}

func (s keySource) value(i int, f keyField) string {
	key := s[i]
	var v string
	for range f + 1 {
		v, key, _ = varint.CutField(key)
	}
	return v
}

// serviceAccount reads the flag AppendKey puts last; values has already
// rejected a key where it is not.
func (s keySource) serviceAccount(i int) bool {
	key := s[i]
	return len(key) > 0 && key[len(key)-1] == '1'
}
