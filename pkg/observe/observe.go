// Package observe keeps the distinct observations that the workers of one
// scan meet, each with how often and when it was seen, in one shared
// keystore, and resolves them into identities: the observation store of
// the access, users and analytics reports.
package observe

import (
	"math"
	"slices"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/internal/permute"
	"github.com/usagerep/usagerep/pkg/keystore"
)

// Stat is what identity resolution needs of an observation.
type Stat struct {
	Count       int64 // mentions carrying it
	First, Last int64 // Unix ns
}

// Store maps observation keys (identity.AppendKey) to their Stat. Sibling
// accumulators share one, so each observation is kept once, not once per
// worker. An id names its shard and row; state elsewhere holding the ids
// of a store that moved into another resolves them through LiveID.
type Store = keystore.Store[Stat]

// NewStore returns an empty Store.
func NewStore() *Store {
	return keystore.New(Stat{First: math.MaxInt64, Last: math.MinInt64})
}

// Add notes one observation of key k (borrowed) at t and returns its id.
func Add(s *Store, k []byte, t int64) uint32 {
	sh, st, id := s.Lock(k)
	st.Count++
	st.First, st.Last = min(st.First, t), max(st.Last, t)
	sh.Unlock()
	return id
}

// MergeStat folds src, the same observation in another store, into dst:
// the merge function of Store.Absorb.
func MergeStat(dst *Stat, src Stat) {
	dst.Count += src.Count
	dst.First, dst.Last = min(dst.First, src.First), max(dst.Last, src.Last)
}

// Tally is st as identity resolution reads it.
func Tally(st *Stat) identity.Tally {
	return identity.Tally{Count: st.Count, First: st.First, Last: st.Last}
}

// Resolved is a store's observations resolved into identities. An
// observation's index is its place in shard and row order: Offsets[shard]
// + row.
type Resolved struct {
	Keys    []string
	Offsets [keystore.Shards]int
	// IdentOf is each observation's identity, the i it was yielded with,
	// or -1 for one naming nobody.
	IdentOf   []int32
	Anonymous int64 // as identity.Result's
}

// Resolve resolves every observation of s, whose keys AppendKey made and
// whose states tally reads, as one window, and hands the identities to
// yield one at a time, in identity.Result's order, as
// identity.ResolveKeysEach does: a caller that keeps only part of each
// never holds every Identity at once. It reads the keys where they are,
// without splitting each into an Observation.
func Resolve[S any](s *keystore.Store[S], tally func(*S) identity.Tally, opts identity.Options, yield func(i, n int, id *identity.Identity)) Resolved {
	var r Resolved
	r.Keys = make([]string, 0, s.Len())
	tallies := make([]identity.Tally, 0, s.Len())
	for i := range keystore.Shards {
		r.Offsets[i] = len(r.Keys)
		sh := s.Shard(i)
		r.Keys = append(r.Keys, sh.Keys()...)
		for row := range sh.States {
			tallies = append(tallies, tally(&sh.States[row]))
		}
	}
	r.IdentOf = make([]int32, len(r.Keys))
	for i := range r.IdentOf {
		r.IdentOf[i] = -1
	}
	// Resolved in identity.GroupOrder's order, laid out in place and the
	// keys put back after: each observation is still named by its store
	// index.
	order := identity.GroupOrder(r.Keys)
	permute.Apply(r.Keys, order)
	permute.Apply(tallies, order)
	r.Anonymous = identity.ResolveKeysEach(r.Keys, tallies, opts, func(i, n int, id *identity.Identity) {
		for j, o := range id.Observations {
			o = int(order[o])
			id.Observations[j] = o
			r.IdentOf[o] = int32(i)
		}
		slices.Sort(id.Observations)
		yield(i, n, id)
	})
	permute.Undo(r.Keys, order)
	return r
}

// Named is who the record being accumulated has named so far, in which
// scope (a day, a cell, an instant: the caller's), so that a person named
// twice in one record counts once there. Observations with the same
// normalised email are always one identity, so the pass can tell that
// much before identities are resolved.
type Named[S comparable] struct {
	seen   []named[S]
	emails []byte // seen[i]'s email is emails[e0:e1]
}

type named[S comparable] struct {
	scope  S
	obs    uint32
	e0, e1 int32
}

// Again says how a mention relates to the record's earlier ones.
type Again uint8

const (
	New        Again = iota // nobody named so far in this scope is this person
	SameObs                 // the same observation, in this scope
	SamePerson              // another observation with the same email, in this scope
)

// Reset starts another record.
func (n *Named[S]) Reset() { n.seen, n.emails = n.seen[:0], n.emails[:0] }

// Add notes observation obs, with normalised email (empty when none),
// named in scope, and says whether the record had named that person
// there already.
func (n *Named[S]) Add(scope S, obs uint32, email []byte) Again {
	again := New
	for _, s := range n.seen {
		if s.scope != scope {
			continue
		}
		if s.obs == obs {
			return SameObs
		}
		if len(email) > 0 && string(n.emails[s.e0:s.e1]) == string(email) {
			again = SamePerson
		}
	}
	e0 := int32(len(n.emails))
	n.emails = append(n.emails, email...)
	n.seen = append(n.seen, named[S]{scope: scope, obs: obs, e0: e0, e1: int32(len(n.emails))})
	return again
}
