package userusage

import (
	"github.com/usagerep/usagerep/pkg/keystore"
	"github.com/usagerep/usagerep/pkg/record"
)

// obsStore holds the distinct observations of a scan and, for each, what
// resolution and the accounts:* times need over every time before as-of.
// Sibling accumulators share one, so each observation is kept once and has
// one id whichever worker saw it, and merging siblings' cells needs no
// remapping.
type obsStore = keystore.Store[obsStat]

// obsStat is one observation over every time before as-of.
type obsStat struct {
	count  int64 // mentions
	first  int64
	last   int64
	before int64 // latest time before the accumulated days, or NoTime
}

func newObsStore() *obsStore {
	return keystore.New(obsStat{first: 1<<63 - 1, last: record.NoTime, before: record.NoTime})
}

// addObs notes one mention at t of the observation with key k (borrowed)
// and returns the observation's id.
func (a *Accumulator) addObs(k []byte, t int64) uint32 {
	sh, st, id := a.obs.Lock(k)
	st.count++
	st.first = min(st.first, t)
	st.last = max(st.last, t)
	if t < a.opts.starts[0] {
		st.before = max(st.before, t)
	}
	sh.Unlock()
	return id
}

// mergeObs folds src, the same observation's state in another store, into
// dst.
func mergeObs(dst *obsStat, src obsStat) {
	dst.count += src.count
	dst.first = min(dst.first, src.first)
	dst.last = max(dst.last, src.last)
	dst.before = max(dst.before, src.before)
}
