package userusage

import (
	"hash/maphash"
	"sync"
	"unsafe"

	"github.com/usagerep/usagerep/pkg/record"
)

// obsStore holds the distinct observations of a scan and, for each, what
// resolution and the accounts:* times need over every time before as-of.
// Sibling accumulators share one, so each observation is kept once and has
// one id whichever worker saw it, and merging siblings' cells needs no
// remapping. Keys hash to shards, each behind its own lock, with dense
// pointer-free columns.
type obsStore struct {
	seed       maphash.Seed
	rangeStart int64 // first instant of the accumulated days
	shards     [obsShards]obsShard

	// After merging into another store: where it went, and each row's id
	// there (by shard, then row).
	movedTo *obsStore
	remap   [obsShards][]uint32
}

const (
	shardBits = 6
	obsShards = 1 << shardBits
)

type obsShard struct {
	mu sync.Mutex
	// slots: open addressing; 0 empty, else the hash's high half << 32 |
	// row+1.
	slots []uint64
	keys  []string
	stats []obsStat
	arena arena
	_     [64]byte // keeps neighbouring shards' locks off one cache line
}

// obsStat is one observation over every time before as-of.
type obsStat struct {
	count  int64 // mentions
	first  int64
	last   int64
	before int64 // latest time before the accumulated days, or NoTime
}

func newObsStore(rangeStart int64) *obsStore {
	return &obsStore{seed: maphash.MakeSeed(), rangeStart: rangeStart}
}

// live is the store holding s's observations now.
func (s *obsStore) live() *obsStore {
	for s.movedTo != nil {
		s = s.movedTo
	}
	return s
}

// liveID is id (an id of s) in the store s's observations are in now.
func (s *obsStore) liveID(id uint32) uint32 {
	for s.movedTo != nil {
		id = s.remap[id&(obsShards-1)][id>>shardBits]
		s = s.movedTo
	}
	return id
}

// add notes one mention at t of the observation with key k (borrowed) and
// returns the observation's id.
func (s *obsStore) add(k []byte, t int64) uint32 {
	h := maphash.Bytes(s.seed, k)
	si := h % obsShards
	sh := &s.shards[si]
	sh.mu.Lock()
	row := sh.row(k, h, s.seed)
	st := &sh.stats[row]
	st.count++
	st.first = min(st.first, t)
	st.last = max(st.last, t)
	if t < s.rangeStart {
		st.before = max(st.before, t)
	}
	sh.mu.Unlock()
	return row<<shardBits | uint32(si)
}

// addStat folds st, the state of the observation with key k in another
// store, into s and returns its id here.
func (s *obsStore) addStat(k string, st obsStat) uint32 {
	kb := unsafe.Slice(unsafe.StringData(k), len(k))
	h := maphash.Bytes(s.seed, kb)
	si := h % obsShards
	sh := &s.shards[si]
	sh.mu.Lock()
	row := sh.row(kb, h, s.seed)
	d := &sh.stats[row]
	d.count += st.count
	d.first = min(d.first, st.first)
	d.last = max(d.last, st.last)
	d.before = max(d.before, st.before)
	sh.mu.Unlock()
	return row<<shardBits | uint32(si)
}

// merge moves o's observations into s (o != s, both live).
func (s *obsStore) merge(o *obsStore) {
	for i := range o.shards {
		osh := &o.shards[i]
		ids := make([]uint32, len(osh.keys))
		for row, k := range osh.keys {
			ids[row] = s.addStat(k, osh.stats[row])
		}
		o.remap[i] = ids
		o.shards[i] = obsShard{}
	}
	o.movedTo = s
}

// row finds or makes the row of k, whose hash is h. The caller holds the
// lock.
func (sh *obsShard) row(k []byte, h uint64, seed maphash.Seed) uint32 {
	if 2*len(sh.keys) >= len(sh.slots) {
		sh.grow(seed)
	}
	mask := uint64(len(sh.slots) - 1)
	tag := h >> 32 << 32
	i := (h / obsShards) & mask
	for ; sh.slots[i] != 0; i = (i + 1) & mask {
		if v := sh.slots[i]; v&^0xffffffff == tag {
			if row := uint32(v) - 1; sh.keys[row] == unsafe.String(unsafe.SliceData(k), len(k)) {
				return row
			}
		}
	}
	row := uint32(len(sh.keys))
	sh.slots[i] = tag | uint64(row+1)
	sh.keys = append(sh.keys, sh.arena.clone(k))
	sh.stats = append(sh.stats, obsStat{first: 1<<63 - 1, last: record.NoTime, before: record.NoTime})
	return row
}

func (sh *obsShard) grow(seed maphash.Seed) {
	n := max(64, 2*len(sh.slots))
	sh.slots = make([]uint64, n)
	mask := uint64(n - 1)
	for row, key := range sh.keys {
		h := maphash.String(seed, key)
		i := (h / obsShards) & mask
		for sh.slots[i] != 0 {
			i = (i + 1) & mask
		}
		sh.slots[i] = h>>32<<32 | uint64(row+1)
	}
}

// len is the number of distinct observations.
func (s *obsStore) len() int {
	n := 0
	for i := range s.shards {
		n += len(s.shards[i].keys)
	}
	return n
}

// arena holds keys: one allocation per block, not per key.
type arena struct{ block []byte }

const arenaBlock = 256 << 10

func (a *arena) clone(b []byte) string {
	if len(b) > arenaBlock/4 {
		return string(b)
	}
	if len(a.block)+len(b) > cap(a.block) {
		a.block = make([]byte, 0, arenaBlock)
	}
	start := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(unsafe.SliceData(a.block[start:]), len(b))
}
