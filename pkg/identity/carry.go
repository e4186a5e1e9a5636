package identity

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/usagerep/usagerep/pkg/internal/slab"
)

// field names one of the values an identity carries a primary of.
type field uint8

const (
	fieldEmail field = iota
	fieldUsername
	fieldDisplayName
	fieldFirstName
	fieldLastName
	fieldCompany
	numFields
)

// key is observation o's interned value of f, or none.
func (r *resolver) key(f field, o int32) int32 {
	switch f {
	case fieldEmail:
		return r.k[o].email
	case fieldUsername:
		return r.k[o].user
	case fieldDisplayName:
		return r.k[o].disp
	case fieldFirstName:
		return r.a[o].first
	case fieldLastName:
		return r.a[o].last
	}
	return r.a[o].company
}

func (r *resolver) table(f field) *table {
	switch f {
	case fieldEmail:
		return r.emails
	case fieldUsername:
		return r.names
	case fieldDisplayName:
		return r.displays
	case fieldFirstName:
		return r.firsts
	case fieldLastName:
		return r.lasts
	}
	return r.companies
}

// spelling is observation o's value of f as written, trimmed.
func (r *resolver) spelling(f field, o int32) string {
	return strings.TrimSpace(r.src.value(int(o), fieldKeys[f]))
}

// fieldKeys is where each field's value sits in an observation key.
var fieldKeys = [numFields]keyField{
	fieldEmail:       kfEmail,
	fieldUsername:    kfUsername,
	fieldDisplayName: kfDisplayName,
	fieldFirstName:   kfFirstName,
	fieldLastName:    kfLastName,
	fieldCompany:     kfCompany,
}

// valueAgg tallies the distinct values of one field over one identity's
// observations. An identity has few values, so their tallies are a short
// list; a value id's place in it is found through slot, an array by value
// id reused across identities: stamp says in which pass (epoch) a value's
// slot was last written.
type valueAgg struct {
	epoch   int32
	stamp   []int32
	slot    []int32
	touched []valueTally // the current identity's values, in first-seen order
}

// valueTally is one value's tally over the current identity.
type valueTally struct {
	v     int32 // value id
	spell int32 // observation giving the first spelling
	count int64 // sum of the observations' counts
	last  int64 // latest time observed
}

func newValueAgg(n int) *valueAgg {
	return &valueAgg{stamp: make([]int32, n), slot: make([]int32, n)}
}

// begin starts tallying another identity.
func (a *valueAgg) begin() {
	a.epoch++
	a.touched = a.touched[:0]
}

func (a *valueAgg) add(r *resolver, f field, v, o int32) {
	ob := &r.tally[o]
	if a.stamp[v] != a.epoch {
		a.stamp[v] = a.epoch
		a.slot[v] = int32(len(a.touched))
		a.touched = append(a.touched, valueTally{v: v, spell: o, count: ob.Count, last: ob.Last})
		return
	}
	t := &a.touched[a.slot[v]]
	t.count += ob.Count
	t.last = max(t.last, ob.Last)
	if cur := t.spell; ob.First < r.tally[cur].First ||
		ob.First == r.tally[cur].First && r.spelling(f, o) < r.spelling(f, cur) {
		t.spell = o
	}
}

// spell is the observation giving value v's first spelling; v must have
// been added since begin.
func (a *valueAgg) spell(v int32) int32 { return a.touched[a.slot[v]].spell }

// primary is the value on the most observations; ties go to the one
// observed most recently, then to the smallest normalised value.
func (a *valueAgg) primary(tab *table) int32 {
	if len(a.touched) == 0 {
		return none
	}
	best := &a.touched[0]
	for i := 1; i < len(a.touched); i++ {
		t := &a.touched[i]
		if c := cmp.Compare(t.count, best.count); c > 0 ||
			c == 0 && (t.last > best.last || t.last == best.last && tab.vals[t.v] < tab.vals[best.v]) {
			best = t
		}
	}
	return best.v
}

// dupRow is one (email, username, system) seen together.
type dupRow struct{ email, user, system int32 }

// builder holds what is decided per identity before the identities are
// written out: the inputs of their order and their profile ids.
type builder struct {
	r        *resolver
	members  []int      // observations grouped by identity, ascending in each
	off      []int      // identity id's observations are members[off[id]:off[id+1]]
	userID   []int32    // the consistent user_id, or none
	primary  [][3]int32 // primary email, username, display name
	shownObs [][3]int32 // the observations giving their first spelling
	profile  []string
}

// worker is one goroutine's scratch space for gathering attributes. Each
// worker handles a contiguous range of identities, so workers share only
// read-only state and write disjoint parts of the output.
type worker struct {
	b    *builder
	r    *resolver
	aggs [numFields]*valueAgg

	epoch      int32 // identities visited, the stamp of sysStamp and interStamp
	sysStamp   []int32
	sysFirst   []int64
	sysLast    []int64
	sysSeen    []int32
	interStamp []int32
	interSeen  []int32
	dups       []dupRow

	strs    slab.Slab[string]
	systems slab.Slab[SystemSeen]
	dupSlab slab.Slab[Duplicate]
}

func newWorker(b *builder) *worker {
	r := b.r
	w := &worker{
		b:          b,
		r:          r,
		sysStamp:   make([]int32, len(r.systems.vals)),
		sysFirst:   make([]int64, len(r.systems.vals)),
		sysLast:    make([]int64, len(r.systems.vals)),
		interStamp: make([]int32, len(r.interactions.vals)),
	}
	for f := range numFields {
		w.aggs[f] = newValueAgg(len(r.table(f).vals))
	}
	return w
}

// minPerWorker keeps small inputs on one goroutine, where another one's
// scratch space would cost more than it saves.
var minPerWorker = 1 << 14 // a variable so tests can force several workers

// workers is how many goroutines share a pass over n items: one per
// minPerWorker of them, up to four and the cores.
func workers(n int) int { return min(runtime.GOMAXPROCS(0), 4, max(1, n/minPerWorker)) }

// inRanges runs fn over [0, n) cut into parts contiguous ranges, side by side;
// p is the range's index.
func inRanges(parts, n int, fn func(p, lo, hi int)) {
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := n*p/parts, n*(p+1)/parts
		wg.Go(func() { fn(p, lo, hi) })
	}
	wg.Wait()
}

// parallel runs fn over [0, n) split into one contiguous range per worker.
func parallel(ws []*worker, n int, fn func(w *worker, lo, hi int)) {
	inRanges(len(ws), n, func(p, lo, hi int) { fn(ws[p], lo, hi) })
}

// build gathers every identity's attributes, gives it a profile id and
// hands the identities to emit in report order: all at once when chunk is
// 0, else chunk at a time in two reused slices, so that a caller keeping
// only part of each never holds them all. lo is the first one's place in
// the order, n their number.
func (r *resolver) build(chunk int, emit func(lo, n int, ids []Identity)) {
	nid := len(r.ids)
	if nid == 0 {
		return
	}
	b := &builder{
		r:        r,
		off:      make([]int, nid+1),
		userID:   make([]int32, nid),
		primary:  make([][3]int32, nid),
		shownObs: make([][3]int32, nid),
		profile:  make([]string, nid),
	}
	for _, id := range r.ident {
		if id >= 0 {
			b.off[id+1]++
		}
	}
	for i := 1; i <= nid; i++ {
		b.off[i] += b.off[i-1]
	}
	b.members = make([]int, b.off[nid])
	next := slices.Clone(b.off[:nid])
	for o, id := range r.ident {
		if id >= 0 {
			b.members[next[id]] = o
			next[id]++
		}
	}

	ws := make([]*worker, workers(nid))
	for i := range ws {
		ws[i] = newWorker(b)
	}
	// The order needs the primary values and profile ids first; the rest
	// is then written straight into place, so no Identity is ever moved.
	parallel(ws, nid, func(w *worker, lo, hi int) {
		for id := lo; id < hi; id++ {
			w.keys(int32(id))
		}
	})
	b.profileIDs(ws)
	order := b.order(ws)
	if chunk <= 0 || chunk > nid {
		chunk = nid
	}
	fill := func(part []Identity, from int) {
		parallel(ws, len(part), func(w *worker, lo, hi int) {
			for i := lo; i < hi; i++ {
				w.carry(order[from+i], &part[i])
			}
		})
	}
	if chunk == nid {
		out := make([]Identity, nid)
		fill(out, 0)
		emit(0, nid, out)
		return
	}
	// Two buffers, reused: the workers fill the next chunk while emit,
	// on the caller's goroutine, takes the last one.
	bufs := [2][]Identity{make([]Identity, chunk), make([]Identity, chunk)}
	part := bufs[0][:min(chunk, nid)]
	fill(part, 0)
	for from, k := 0, 0; from < nid; from, k = from+chunk, k+1 {
		var next []Identity
		var filled sync.WaitGroup
		if at := from + chunk; at < nid {
			next = bufs[(k+1)%2][:min(chunk, nid-at)]
			filled.Go(func() { fill(next, at) })
		}
		emit(from, nid, part)
		clear(part) // what emit kept of them stays; the slice is reused
		filled.Wait()
		part = next
	}
}

func (b *builder) of(id int32) []int {
	return b.members[b.off[id]:b.off[id+1]:b.off[id+1]]
}

// keys records identity id's primary email, username and display name and
// its consistent user_id.
func (w *worker) keys(id int32) {
	r, b := w.r, w.b
	members := b.of(id)
	for f := range fieldDisplayName + 1 {
		a := w.aggs[f]
		a.begin()
		for _, o := range members {
			if v := r.key(f, int32(o)); v >= 0 {
				a.add(r, f, v, int32(o))
			}
		}
		p := a.primary(r.table(f))
		b.primary[id][f] = p
		if p != none {
			b.shownObs[id][f] = a.spell(p)
		}
	}
	uid := none
	for _, o := range members {
		if v := r.k[o].userID; v >= 0 {
			if uid == none {
				uid = v
			} else if uid != v {
				uid = none
				break
			}
		}
	}
	b.userID[id] = uid
}

// carry fills out with identity id's attributes from its observations.
func (w *worker) carry(id int32, out *Identity) {
	r := w.r
	members := w.b.of(id)
	meta := r.ids[id]
	out.Class = meta.class
	out.Ambiguous = meta.ambiguous
	out.Observations = members
	out.ProfileID = w.b.profile[id]
	out.LastSeen = r.tally[members[0]].Last

	for _, a := range w.aggs {
		a.begin()
	}
	w.epoch++
	stamp := w.epoch
	w.sysSeen = w.sysSeen[:0]
	w.interSeen = w.interSeen[:0]
	w.dups = w.dups[:0]
	for _, oi := range members {
		o := int32(oi)
		ob := &r.tally[o]
		k := &r.k[o]
		for f, a := range w.aggs {
			if v := r.key(field(f), o); v >= 0 {
				a.add(r, field(f), v, o)
			}
		}
		if s := k.system; w.sysStamp[s] != stamp {
			w.sysStamp[s] = stamp
			w.sysFirst[s], w.sysLast[s] = ob.First, ob.Last
			w.sysSeen = append(w.sysSeen, s)
		} else {
			w.sysFirst[s] = min(w.sysFirst[s], ob.First)
			w.sysLast[s] = max(w.sysLast[s], ob.Last)
		}
		if r.interOff != nil {
			for _, it := range r.inter[r.interOff[o]:r.interOff[o+1]] {
				if r.interMap != nil {
					if it = r.interMap[it]; it < 0 {
						continue
					}
				}
				if w.interStamp[it] != stamp {
					w.interStamp[it] = stamp
					w.interSeen = append(w.interSeen, it)
				}
			}
		}
		if k.service || r.serviceEmail(k.email) || r.serviceUser(k.user) {
			out.ServiceAccount = true
		}
		out.LastSeen = max(out.LastSeen, ob.Last)
		if k.email >= 0 && k.user >= 0 {
			w.dups = append(w.dups, dupRow{k.email, k.user, k.system})
		}
	}
	var prim [numFields]int32
	for f, a := range w.aggs {
		prim[f] = a.primary(r.table(field(f)))
	}
	out.Email, out.EmailAliases = w.values(fieldEmail, prim[fieldEmail])
	out.Username, out.UsernameAliases = w.values(fieldUsername, prim[fieldUsername])
	out.DisplayName, out.DisplayNameAliases = w.values(fieldDisplayName, prim[fieldDisplayName])
	out.FirstName = w.shown(fieldFirstName, prim[fieldFirstName])
	out.LastName = w.shown(fieldLastName, prim[fieldLastName])
	out.Company = w.shown(fieldCompany, prim[fieldCompany])

	out.Systems = w.systems.Take(len(w.sysSeen))
	for i, s := range w.sysSeen {
		out.Systems[i] = SystemSeen{System: r.systems.vals[s], First: w.sysFirst[s], Last: w.sysLast[s]}
	}
	slices.SortFunc(out.Systems, func(x, y SystemSeen) int { return strings.Compare(x.System, y.System) })

	out.Interactions = w.strs.Take(len(w.interSeen))
	for i, it := range w.interSeen {
		out.Interactions[i] = r.interactions.vals[it]
	}
	slices.Sort(out.Interactions)

	out.Duplicates = w.duplicates()
}

// shown is value v of field f in the identity's first spelling of it.
func (w *worker) shown(f field, v int32) string {
	if v == none {
		return ""
	}
	return w.r.spelling(f, w.aggs[f].spell(v))
}

// values is the primary value of f and every other value as aliases.
func (w *worker) values(f field, primary int32) (string, []string) {
	a := w.aggs[f]
	if len(a.touched) < 2 {
		return w.shown(f, primary), nil
	}
	aliases := w.strs.Take(len(a.touched) - 1)
	i := 0
	for _, t := range a.touched {
		if v := t.v; v != primary {
			aliases[i] = w.shown(f, v)
			i++
		}
	}
	slices.Sort(aliases)
	return w.shown(f, primary), aliases
}

// duplicates lists the (username, system) pairs of every email of the
// identity observed with two or more usernames in different systems.
//
// Two distinct usernames and two distinct systems among an email's pairs
// always include two pairs that differ in both, so counting suffices.
func (w *worker) duplicates() []Duplicate {
	if len(w.dups) < 2 {
		return nil
	}
	r := w.r
	rows := w.dups
	slices.SortFunc(rows, func(x, y dupRow) int {
		return cmp.Or(cmp.Compare(x.email, y.email), cmp.Compare(x.user, y.user), cmp.Compare(x.system, y.system))
	})
	rows = slices.Compact(rows)
	keep := rows[:0]
	for start := 0; start < len(rows); {
		end := start + 1
		users, systems := 1, 1
		for ; end < len(rows) && rows[end].email == rows[start].email; end++ {
			if rows[end].user != rows[end-1].user {
				users++
			}
			if rows[end].system != rows[start].system {
				systems = 2 // at least two; the exact number does not matter
			}
		}
		if users >= 2 && systems >= 2 {
			keep = append(keep, rows[start:end]...)
		}
		start = end
	}
	if len(keep) == 0 {
		return nil
	}
	// The same pair may come from several emails of the identity.
	slices.SortFunc(keep, func(x, y dupRow) int {
		return cmp.Or(cmp.Compare(x.user, y.user), cmp.Compare(x.system, y.system))
	})
	keep = slices.CompactFunc(keep, func(x, y dupRow) bool { return x.user == y.user && x.system == y.system })
	out := w.dupSlab.Take(len(keep))
	for i, row := range keep {
		out[i] = Duplicate{Username: w.shown(fieldUsername, row.user), System: r.systems.vals[row.system]}
	}
	slices.SortFunc(out, func(x, y Duplicate) int {
		return cmp.Or(strings.Compare(x.System, y.System), strings.Compare(x.Username, y.Username))
	})
	return out
}
