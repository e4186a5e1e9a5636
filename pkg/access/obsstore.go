package access

import (
	"hash/maphash"
	"sync"
)

// obsStore holds the distinct observations of a scan, shared by sibling
// accumulators so that each is kept once, not once per worker (as
// pkg/usage's store does). Keys hash to shards, each behind its own lock.
// An observation's id is its row in its shard and the shard's number.
//
// Accumulators of different stores merge by moving one store into the
// other: the moved store forwards to its destination and keeps, per shard,
// where each of its rows went, so cells that hold its ids still resolve.
// A store moves at most once, so its counts are added once.
type obsStore struct {
	seed   maphash.Seed
	shards [obsShards]obsShard

	movedTo *obsStore
	remap   [obsShards][]uint32 // row -> id in movedTo, once moved
}

const (
	obsShardBits = 6
	obsShards    = 1 << obsShardBits
)

type obsShard struct {
	mu    sync.Mutex
	index map[string]uint32 // key -> row
	keys  []string
	stats []obsStat
	_     [64]byte // keeps neighbouring shards' locks off one cache line
}

func newObsStore() *obsStore {
	s := &obsStore{seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].index = make(map[string]uint32)
	}
	return s
}

func obsID(shard int, row uint32) uint32 { return row<<obsShardBits | uint32(shard) }

func splitID(id uint32) (shard int, row uint32) { return int(id & (obsShards - 1)), id >> obsShardBits }

// add notes one observation of key k (borrowed) at t and returns its id.
func (s *obsStore) add(k []byte, t int64) uint32 {
	i := int(maphash.Bytes(s.seed, k) & (obsShards - 1))
	sh := &s.shards[i]
	sh.mu.Lock()
	row, ok := sh.index[string(k)] // a lookup: no allocation
	if !ok {
		row = sh.insert(string(k), obsStat{first: t, last: t})
	}
	st := &sh.stats[row]
	st.count++
	st.first, st.last = min(st.first, t), max(st.last, t)
	sh.mu.Unlock()
	return obsID(i, row)
}

// insert adds a new key; the caller holds the lock.
func (sh *obsShard) insert(key string, st obsStat) uint32 {
	row := uint32(len(sh.keys))
	sh.index[key] = row
	sh.keys = append(sh.keys, key)
	sh.stats = append(sh.stats, st)
	return row
}

// live is the store holding s's observations now.
func (s *obsStore) live() *obsStore {
	for s.movedTo != nil {
		s = s.movedTo
	}
	return s
}

// resolve maps id, an id of s, to its id in s's live store.
func (s *obsStore) resolve(id uint32) uint32 {
	for ; s.movedTo != nil; s = s.movedTo {
		i, row := splitID(id)
		id = s.remap[i][row]
	}
	return id
}

// absorb moves o, another live store, into s, adding its counts.
func (s *obsStore) absorb(o *obsStore) {
	for i := range o.shards {
		osh := &o.shards[i]
		remap := make([]uint32, len(osh.keys))
		for row, key := range osh.keys {
			src := osh.stats[row]
			j := int(maphash.String(s.seed, key) & (obsShards - 1))
			sh := &s.shards[j]
			r, ok := sh.index[key]
			if !ok {
				r = sh.insert(key, src)
			} else {
				st := &sh.stats[r]
				st.count += src.count
				st.first, st.last = min(st.first, src.first), max(st.last, src.last)
			}
			remap[row] = obsID(j, r)
		}
		o.remap[i] = remap
		osh.index, osh.keys, osh.stats = nil, nil, nil
	}
	o.movedTo = s
}

// len is the number of distinct observations.
func (s *obsStore) len() int {
	n := 0
	for i := range s.shards {
		n += len(s.shards[i].keys)
	}
	return n
}

// dense numbers ids 0..len-1 in shard, then row order: offsets[shard]+row.
func (s *obsStore) offsets() [obsShards]int {
	var off [obsShards]int
	n := 0
	for i := range s.shards {
		off[i] = n
		n += len(s.shards[i].keys)
	}
	return off
}
