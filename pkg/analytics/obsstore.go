package analytics

import (
	"math"

	"github.com/usagerep/usagerep/pkg/keystore"
)

// obsStore holds the distinct observations of users in a scan, each
// before as-of, shared by sibling accumulators so that each is kept once,
// not once per worker. An observation's id names its shard and row; parts
// that hold the ids of a store that moved into another resolve them
// through LiveID.
type obsStore = keystore.Store[obsStat]

// obsStat is what identity resolution and first and last seen need of an
// observation.
type obsStat struct {
	count       int64 // mentions carrying it
	first, last int64 // Unix ns, before as-of
}

func newObsStore() *obsStore {
	return keystore.New(obsStat{first: math.MaxInt64, last: math.MinInt64})
}

// addObs notes one observation of key k (borrowed) at t and returns its id.
func addObs(s *obsStore, k []byte, t int64) uint32 {
	sh, st, id := s.Lock(k)
	st.count++
	st.first, st.last = min(st.first, t), max(st.last, t)
	sh.Unlock()
	return id
}

// mergeObs folds src, the same observation in another store, into dst.
func mergeObs(dst *obsStat, src obsStat) {
	dst.count += src.count
	dst.first, dst.last = min(dst.first, src.first), max(dst.last, src.last)
}
