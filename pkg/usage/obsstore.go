package usage

import (
	"hash/maphash"
	"math/bits"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/usagerep/usagerep/pkg/internal/slab"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/record"
)

// obsStore holds distinct observations and what each window needs of them.
// The accumulators of one scan share a store, so an observation that every
// worker sees is kept once (per-worker maps held it once per worker and
// then spent a serial merge folding the copies). Keys are hashed to shards,
// each behind its own lock; a shard's state is kept in dense columns
// without pointers, which the garbage collector does not scan and which
// the build reads in order.
type obsStore struct {
	starts []int64 // each window's first instant
	seed   maphash.Seed
	shards [obsShards]obsShard

	interMu sync.Mutex
	inter   interTable

	// sealed is set once the build took the store's content (seal).
	sealed bool

	// movedTo is the store this one was merged into. Siblings share a
	// store, so the same store can be merged more than once: its content
	// counts once, wherever it went.
	movedTo *obsStore
}

// live is the store holding s's observations now.
func (s *obsStore) live() *obsStore {
	for s.movedTo != nil {
		s = s.movedTo
	}
	return s
}

// obsShards spreads the workers' observations so that two rarely wait on
// the same lock.
const obsShards = 64

// obsShard is one shard of an obsStore. Row r's window w is
// wins[r*windows+w].
type obsShard struct {
	mu sync.Mutex
	// slots index the rows by key: open addressing, 0 for an empty slot,
	// else the key hash's high half << 32 | row+1. The store's one hash
	// of a key picks both its shard and its slot, and the slots hold no
	// pointers.
	slots []uint64
	keys  []string
	wins  []winStat
	// wide holds the interactions whose id does not fit winStat.inter.
	wide  map[wideInter]int64 // latest time seen
	arena slab.Strings
	_     [64]byte // keeps neighbouring shards' locks off one cache line
}

// winStat is what one window needs of an observation. A row's windows lie
// side by side, so that adding a record touches one or two cache lines.
type winStat struct {
	count int64
	first int64
	// last is the latest time in any window: all windows end at as-of,
	// so in a window that holds the observation it is the window's own.
	last  int64
	inter uint64 // bit i: interaction id i was seen in the window (i < 64)
}

// wideInter is an interaction of id >= 64 seen on a row.
type wideInter struct {
	row uint32
	id  uint32
}

func newObsStore(starts []int64) *obsStore {
	return &obsStore{starts: starts, seed: maphash.MakeSeed()}
}

// interTable interns interaction names to small ids.
type interTable struct {
	ids   map[string]uint32
	names []string
}

func (t *interTable) intern(s string) uint32 {
	if id, ok := t.ids[s]; ok {
		return id
	}
	if t.ids == nil {
		t.ids = make(map[string]uint32)
	}
	name := strings.Clone(s)
	id := uint32(len(t.names))
	t.names = append(t.names, name)
	t.ids[name] = id
	return id
}

// internInteraction is the store's id for an interaction name.
func (s *obsStore) internInteraction(name string) uint32 {
	s.interMu.Lock()
	defer s.interMu.Unlock()
	return s.inter.intern(name)
}

const noInter = ^uint32(0)

// add records an observation of key k (borrowed) at time t, earliest <=
// t < as-of, with interaction id inter (or noInter).
func (s *obsStore) add(k []byte, t int64, inter uint32) {
	s.mustNotBeSealed()
	h := maphash.Bytes(s.seed, k)
	sh := &s.shards[h%obsShards]
	sh.mu.Lock()
	row := sh.row(k, h, len(s.starts))
	wins := sh.wins[int(row)*len(s.starts) : int(row+1)*len(s.starts)]
	for i, start := range s.starts {
		w := &wins[i]
		w.last = max(w.last, t)
		if t < start {
			continue
		}
		w.count++
		if w.first == record.NoTime || t < w.first {
			w.first = t
		}
	}
	if inter != noInter {
		s.markInteraction(sh, row, inter, t)
	}
	sh.mu.Unlock()
}

// markInteraction notes interaction id on row at time t in every window
// holding t. The caller holds sh's lock.
func (s *obsStore) markInteraction(sh *obsShard, row, id uint32, t int64) {
	if id >= 64 {
		sh.noteWide(row, id, t)
		return
	}
	wins := sh.wins[int(row)*len(s.starts) : int(row+1)*len(s.starts)]
	for i, start := range s.starts {
		if t >= start {
			wins[i].inter |= 1 << id
		}
	}
}

// row finds or makes the row of k, whose hash is h. The caller holds the
// lock.
func (sh *obsShard) row(k []byte, h uint64, windows int) uint32 {
	if 2*len(sh.keys) >= len(sh.slots) { // keeps probe runs short
		sh.growSlots()
	}
	mask := uint64(len(sh.slots) - 1)
	tag := h >> 32 << 32
	i := h >> 32 & mask // the high half: the low bits picked the shard
	for ; sh.slots[i] != 0; i = (i + 1) & mask {
		if s := sh.slots[i]; s&^0xffffffff == tag {
			if row := uint32(s) - 1; sh.keys[row] == unsafeString(k) {
				return row
			}
		}
	}
	key := sh.arena.Clone(k)
	row := uint32(len(sh.keys))
	sh.slots[i] = tag | uint64(row+1)
	sh.keys = append(sh.keys, key)
	for range windows {
		sh.wins = append(sh.wins, winStat{first: record.NoTime, last: record.NoTime})
	}
	return row
}

// growSlots doubles the slots. A slot keeps the high half of its key's
// hash, which picks its place, so slots move without hashing a key again.
func (sh *obsShard) growSlots() {
	n := 64
	for n <= 2*len(sh.keys) {
		n *= 2
	}
	n = max(n, 2*len(sh.slots))
	old := sh.slots
	sh.slots = make([]uint64, n)
	mask := uint64(n - 1)
	put := func(s uint64) {
		i := s >> 32 & mask
		for sh.slots[i] != 0 {
			i = (i + 1) & mask
		}
		sh.slots[i] = s
	}
	for _, s := range old {
		if s != 0 {
			put(s)
		}
	}
}

func (sh *obsShard) noteWide(row, id uint32, t int64) {
	if sh.wide == nil {
		sh.wide = make(map[wideInter]int64)
	}
	k := wideInter{row: row, id: id}
	if last, ok := sh.wide[k]; !ok || t > last {
		sh.wide[k] = t
	}
}

// seal hands the build every key, in identity.GroupOrder's order, and each
// window's view of the observations in that order, and lets go of the
// store's own columns: the windows are all the build reads, and each can
// be dropped once resolved. The store takes nothing more afterwards.
//
// The windows are written in place, each observation where its key's
// order puts it, so that neither they nor the store are ever copied
// twice: a pass places each observation's key and counts its
// interactions, which places their list, and a second fills the windows
// shard by shard, dropping each.
func (s *obsStore) seal() ([]string, []identity.Window) {
	n, nw := s.len(), len(s.starts)
	parts := make([][]string, obsShards)
	for i := range s.shards {
		parts[i] = s.shards[i].keys
	}
	// Where each stored observation goes, shard by shard and row by row.
	// The first pass below copies each key straight there: no permutation
	// is applied and inverted afterwards, serially, and the keys are
	// copied once (on the generator's 4 GiB, sealing is the export's peak).
	at := identity.GroupPlaces(parts)
	keys := make([]string, n)

	wins := make([]identity.Window, nw)
	for w := range wins {
		wins[w] = identity.Window{
			Present:    make([]bool, n),
			Tallies:    make([]identity.Tally, n),
			InterNames: s.inter.names,
			InterOff:   make([]int32, n+1),
		}
	}
	// Each observation's interactions per window, at its place + 1, then
	// summed into where each list starts. Shards fill disjoint places, so
	// they are filled side by side.
	var base [obsShards]int
	for i := 1; i < obsShards; i++ {
		base[i] = base[i-1] + len(s.shards[i-1].keys)
	}
	eachShard(func(i int) {
		sh, base := &s.shards[i], base[i]
		for row, k := range sh.keys {
			p := at[base+row] + 1
			keys[p-1] = k
			for w := range wins {
				wins[w].InterOff[p] = int32(bits.OnesCount64(sh.wins[row*nw+w].inter))
			}
		}
		for k, t := range sh.wide {
			for w := range wins {
				if t >= s.starts[w] {
					wins[w].InterOff[at[base+int(k.row)]+1]++
				}
			}
		}
	})
	for w := range wins {
		off := wins[w].InterOff
		for p := 1; p <= n; p++ {
			off[p] += off[p-1]
		}
		wins[w].InterIDs = make([]int32, off[n])
	}

	eachShard(func(i int) {
		sh, base := &s.shards[i], base[i]
		var wide map[uint32][]wideInter
		for k := range sh.wide {
			if wide == nil {
				wide = map[uint32][]wideInter{}
			}
			wide[k.row] = append(wide[k.row], k)
		}
		for row := range sh.keys {
			p := at[base+row]
			for w := range wins {
				win, ws := &wins[w], sh.wins[row*nw+w]
				win.Present[p] = ws.count > 0
				win.Tallies[p] = identity.Tally{Count: ws.count, First: ws.first, Last: ws.last}
				ids := win.InterIDs[win.InterOff[p]:win.InterOff[p+1]]
				k := 0
				for m := ws.inter; m != 0; m &= m - 1 {
					ids[k] = int32(bits.TrailingZeros64(m))
					k++
				}
				for _, wi := range wide[uint32(row)] {
					if sh.wide[wi] >= s.starts[w] {
						ids[k] = int32(wi.id)
						k++
					}
				}
			}
		}
		// Each shard goes as soon as it is copied, so the copy and the
		// columns are never all held at once.
		*sh = obsShard{}
	})
	for w := range wins {
		if len(wins[w].InterIDs) == 0 {
			// No observation has any: what identity.Window allows, and
			// 4 bytes an observation less.
			wins[w].InterOff, wins[w].InterIDs = nil, nil
		}
	}
	s.sealed = true
	return keys, wins
}

// eachShard runs fn for every shard index, on up to four goroutines.
func eachShard(fn func(i int)) {
	var next atomic.Int32
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), 4) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < obsShards; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// mustNotBeSealed panics if s was sealed: an accumulator is fed, merged
// and built, in that order, and building is what seals it.
func (s *obsStore) mustNotBeSealed() {
	if s.sealed {
		panic("usage: accumulator fed or merged after its workbooks were built")
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

// merge folds o, a store of the same windows, into s (both live). o is
// emptied and forwards to s.
func (s *obsStore) merge(o *obsStore) {
	if o == s {
		return
	}
	s.mustNotBeSealed()
	o.mustNotBeSealed()
	defer func() {
		o.shards = [obsShards]obsShard{}
		o.inter = interTable{}
		o.movedTo = s
	}()
	remap := make([]uint32, len(o.inter.names))
	for i, name := range o.inter.names {
		remap[i] = s.internInteraction(name)
	}
	nw := len(s.starts)
	for i := range o.shards {
		osh := &o.shards[i]
		rows := make([]uint32, len(osh.keys)) // o's row -> s's row
		for orow, key := range osh.keys {
			h := maphash.String(s.seed, key)
			sh := &s.shards[h%obsShards]
			row := sh.row(unsafeBytes(key), h, nw)
			rows[orow] = row
			dst := sh.wins[int(row)*nw : int(row+1)*nw]
			src := osh.wins[orow*nw : (orow+1)*nw]
			for w := range dst {
				d, x := &dst[w], src[w]
				d.count += x.count
				d.last = max(d.last, x.last)
				if x.first != record.NoTime && (d.first == record.NoTime || x.first < d.first) {
					d.first = x.first
				}
				// Seen in window w means seen at or after its start,
				// which is all a window asks of an interaction.
				for m := x.inter; m != 0; m &= m - 1 {
					s.markInteraction(sh, row, remap[bits.TrailingZeros64(m)], s.starts[w])
				}
			}
		}
		for k, t := range osh.wide {
			key := osh.keys[k.row]
			sh := &s.shards[maphash.String(s.seed, key)%obsShards]
			s.markInteraction(sh, rows[k.row], remap[k.id], t)
		}
	}
}
