package keystore

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

type count struct{ n int64 }

func add(s *Store[count], k string) uint32 {
	sh, st, id := s.Lock([]byte(k))
	st.n++
	sh.Unlock()
	return id
}

func key(i int) string { return fmt.Sprintf("k%07d", i) }

// Every key gets one id whatever the order and the goroutines that add it,
// through growth and after the index is dropped.
func TestLockFindsEveryKey(t *testing.T) {
	s := New(count{})
	const n, workers = 30000, 4
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for _, i := range rng.Perm(n) {
				add(s, key(i))
			}
		})
	}
	wg.Wait()
	if s.Len() != n {
		t.Fatalf("%d keys, want %d", s.Len(), n)
	}
	ids := map[uint32]string{}
	for i := range s.shards {
		sh := s.Shard(i)
		for row, k := range sh.Keys() {
			if got := sh.States[row].n; got != workers {
				t.Fatalf("%s: count %d, want %d", k, got, workers)
			}
			ids[ID(i, uint32(row))] = k
		}
	}
	s.DropIndex()
	for i := range n {
		id := add(s, key(i))
		if ids[id] != key(i) {
			t.Fatalf("%s: id %d names %q", key(i), id, ids[id])
		}
	}
	if s.Len() != n {
		t.Fatalf("%d keys after the index was rebuilt, want %d", s.Len(), n)
	}
	off, seen := s.Offsets(), 0
	for i := range s.shards {
		if off[i] != seen {
			t.Fatalf("offset of shard %d = %d, want %d", i, off[i], seen)
		}
		seen += len(s.Shard(i).Keys())
	}
}

// Absorb adds states key by key, and the moved store's ids still resolve;
// a chain of moves resolves too.
func TestAbsorbForwardsIDs(t *testing.T) {
	a, b, c := New(count{}), New(count{}), New(count{})
	var bIDs, cIDs []uint32
	for i := range 1000 {
		add(a, key(i))
		bIDs = append(bIDs, add(b, key(i+500)))
		cIDs = append(cIDs, add(c, key(i+1500)))
	}
	merge := func(dst *count, src count) { dst.n += src.n }
	c.Absorb(b, merge) // b -> c
	a.Absorb(c, merge) // c -> a
	if !b.Moved() || !c.Moved() || a.Moved() || b.Live() != a || c.Live() != a {
		t.Fatal("moved stores do not forward to the live one")
	}
	if a.Len() != 2500 {
		t.Fatalf("%d keys, want 2500", a.Len())
	}
	state := func(id uint32) (string, int64) {
		shard, row := SplitID(id)
		sh := a.Shard(shard)
		return sh.Keys()[row], sh.States[row].n
	}
	for i, id := range bIDs {
		k, n := state(b.LiveID(id))
		want := int64(1)
		if i+500 < 1000 || i+500 >= 1500 {
			want = 2 // also in a (0..999) or in c (1500..2499)
		}
		if k != key(i+500) || n != want {
			t.Fatalf("b's %s resolves to %s with count %d, want count %d", key(i+500), k, n, want)
		}
	}
	for i, id := range cIDs {
		if k, _ := state(c.LiveID(id)); k != key(i+1500) {
			t.Fatalf("c's %s resolves to %s", key(i+1500), k)
		}
	}
	a.Absorb(a, merge) // a no-op
	if a.Len() != 2500 {
		t.Fatalf("absorbing itself changed the store: %d keys", a.Len())
	}
}

// Keys may hold any bytes, a megabyte-long one too.
func TestKeysKeepTheirBytes(t *testing.T) {
	s := New(count{})
	keys := []string{"", "\x00", "a\x00b", string(make([]byte, 1<<20)), "é"}
	ids := map[uint32]bool{}
	for _, k := range keys {
		ids[add(s, k)] = true
	}
	if len(ids) != len(keys) || s.Len() != len(keys) {
		t.Fatalf("%d ids for %d keys", len(ids), len(keys))
	}
	for _, k := range keys {
		if !ids[add(s, k)] {
			t.Fatalf("%q got a new id", k)
		}
	}
}

func TestLockDoesNotAllocateForKnownKeys(t *testing.T) {
	s := New(count{})
	k := []byte("user@example.com")
	add(s, string(k))
	if n := testing.AllocsPerRun(100, func() {
		sh, st, _ := s.Lock(k)
		st.n++
		sh.Unlock()
	}); n != 0 {
		t.Fatalf("%v allocations per Lock of a known key", n)
	}
}
