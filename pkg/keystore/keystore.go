// Package keystore holds the distinct keys the workers of one scan meet,
// each with a state of the caller's type: the reports keep each distinct
// observation once however many workers see it. Keys hash to shards, each
// behind its own lock, indexed by open addressing over pointer-free slots,
// with the key bytes copied into large blocks rather than one allocation
// per key. A key's id names its shard and row and is stable while the
// store lives.
//
// Stores of different scans (or tests) merge by moving one into the
// other: the moved store forwards to its destination and keeps where each
// of its ids went, so state elsewhere that holds its ids still resolves. A
// store moves at most once, so its states are added once.
package keystore

import (
	"hash/maphash"
	"sync"
	"unsafe"

	"github.com/usagerep/usagerep/pkg/internal/slab"
)

// ShardBits is how many low bits of an id name its shard.
const (
	ShardBits = 6
	Shards    = 1 << ShardBits
)

// Store maps keys to ids and states of type S.
type Store[S any] struct {
	seed   maphash.Seed
	zero   S // the state of a new key
	shards [Shards]Shard[S]

	movedTo *Store[S]
	remap   [Shards][]uint32 // row -> id in movedTo, once moved
}

// Shard is one shard of a Store.
type Shard[S any] struct {
	mu sync.Mutex
	// slots: 0 when empty, else the key hash's high half << 32 | row+1.
	// The high half also picks the slot, so growing never hashes a key
	// again.
	slots []uint64
	keys  []string
	// States are the rows' states; read them only once feeding is done,
	// or under the lock.
	States []S
	arena  slab.Strings
	_      [64]byte // keeps neighbouring shards' locks off one cache line
}

// New returns an empty store whose new keys start with state zero.
func New[S any](zero S) *Store[S] {
	return &Store[S]{seed: maphash.MakeSeed(), zero: zero}
}

// ID is the id of row in shard.
func ID(shard int, row uint32) uint32 { return row<<ShardBits | uint32(shard) }

// SplitID undoes ID.
func SplitID(id uint32) (shard int, row uint32) { return int(id & (Shards - 1)), id >> ShardBits }

// Lock finds key k (borrowed: it is copied when new), adding it with the
// zero state when absent, and returns its state and id with its shard
// locked. The caller changes *st and then calls sh.Unlock.
func (s *Store[S]) Lock(k []byte) (sh *Shard[S], st *S, id uint32) {
	h := maphash.Bytes(s.seed, k)
	i := int(h % Shards)
	sh = &s.shards[i]
	sh.mu.Lock()
	row := sh.row(k, h, s)
	return sh, &sh.States[row], ID(i, row)
}

// Unlock releases the shard that Lock locked.
func (sh *Shard[S]) Unlock() { sh.mu.Unlock() }

// row finds or makes the row of k, whose hash is h. The caller holds the
// lock.
func (sh *Shard[S]) row(k []byte, h uint64, s *Store[S]) uint32 {
	if 2*len(sh.keys) >= len(sh.slots) {
		sh.grow(s.seed)
	}
	mask := uint64(len(sh.slots) - 1)
	tag := h >> 32 << 32
	i := h >> 32 & mask // the high half: the low bits picked the shard
	for ; sh.slots[i] != 0; i = (i + 1) & mask {
		if v := sh.slots[i]; v&^0xffffffff == tag {
			if row := uint32(v) - 1; sh.keys[row] == unsafe.String(unsafe.SliceData(k), len(k)) {
				return row
			}
		}
	}
	row := uint32(len(sh.keys))
	sh.slots[i] = tag | uint64(row+1)
	sh.keys = append(sh.keys, sh.arena.Clone(k))
	sh.States = append(sh.States, s.zero)
	return row
}

// grow doubles the slots, or rebuilds them after DropIndex.
func (sh *Shard[S]) grow(seed maphash.Seed) {
	old := sh.slots
	n := 64
	for n <= 2*len(sh.keys) {
		n *= 2
	}
	n = max(n, 2*len(old))
	sh.slots = make([]uint64, n)
	mask := uint64(n - 1)
	put := func(v uint64) {
		i := v >> 32 & mask
		for sh.slots[i] != 0 {
			i = (i + 1) & mask
		}
		sh.slots[i] = v
	}
	if old == nil {
		for row, k := range sh.keys {
			put(maphash.String(seed, k)>>32<<32 | uint64(row+1))
		}
		return
	}
	for _, v := range old {
		if v != 0 {
			put(v)
		}
	}
}

// Shard returns shard i, to read its keys and states once feeding is done.
func (s *Store[S]) Shard(i int) *Shard[S] { return &s.shards[i] }

// Keys are the shard's keys by row; they share the store's memory.
func (sh *Shard[S]) Keys() []string { return sh.keys }

// Len is the number of distinct keys.
func (s *Store[S]) Len() int {
	n := 0
	for i := range s.shards {
		n += len(s.shards[i].keys)
	}
	return n
}

// Offsets numbers the keys 0..Len()-1 in shard, then row order: key (i,
// row) is Offsets()[i]+row.
func (s *Store[S]) Offsets() [Shards]int {
	var off [Shards]int
	n := 0
	for i := range s.shards {
		off[i] = n
		n += len(s.shards[i].keys)
	}
	return off
}

// DropIndex gives back the slots, which only finding keys needs; they are
// rebuilt if a key is looked up again.
func (s *Store[S]) DropIndex() {
	for i := range s.shards {
		s.shards[i].slots = nil
	}
}

// Live is the store holding s's keys now.
func (s *Store[S]) Live() *Store[S] {
	for s.movedTo != nil {
		s = s.movedTo
	}
	return s
}

// Moved tells whether s was merged into another store.
func (s *Store[S]) Moved() bool { return s.movedTo != nil }

// LiveID is id, an id of s, in the store s's keys are in now.
func (s *Store[S]) LiveID(id uint32) uint32 {
	for ; s.movedTo != nil; s = s.movedTo {
		shard, row := SplitID(id)
		id = s.remap[shard][row]
	}
	return id
}

// Absorb moves o, another live store, into s, folding each of o's states
// into the state of the same key in s with merge. o then forwards to s.
func (s *Store[S]) Absorb(o *Store[S], merge func(dst *S, src S)) {
	if o == s {
		return
	}
	for i := range o.shards {
		osh := &o.shards[i]
		ids := make([]uint32, len(osh.keys))
		for row, k := range osh.keys {
			sh, st, id := s.Lock(unsafe.Slice(unsafe.StringData(k), len(k)))
			merge(st, osh.States[row])
			sh.Unlock()
			ids[row] = id
		}
		o.remap[i] = ids
		osh.slots, osh.keys, osh.States, osh.arena = nil, nil, nil, slab.Strings{}
	}
	o.movedTo = s
}
