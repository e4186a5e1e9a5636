package identity

import (
	"strings"
	"sync"
)

// many marks a key claimed by more than one identity.
const many int32 = -2

// obsKeys are one observation's interned keys (none when absent) and class
// (0 when it names nobody).
type obsKeys struct {
	email, user, disp int32 // user lives in the names table, with the emails' local parts
	userID, system    int32
	class             Class
	service           bool // the observation was flagged a service account
}

// attrKeys are the interned values of an observation that only describe an
// identity. They are kept apart from obsKeys so that the two can be filled
// by two goroutines without sharing cache lines.
type attrKeys struct {
	first, last, company int32
}

// identMeta is what resolution decides about an identity before its
// attributes are gathered.
type identMeta struct {
	class     Class
	ambiguous bool
	// key is the smallest key of the class the identity was created in
	// (normalised); it seeds the derived profile id and breaks sort ties.
	key string
}

type resolver struct {
	src   source
	tally []Tally   // this resolution's counts and times
	k     []obsKeys // every observation's keys; shared by every resolution
	a     []attrKeys
	cls   []Class // each observation's class in this resolution; 0 when absent
	// only[c] lists this resolution's observations of class c, in order,
	// for classes 2 to 4, usually few: a pass over one class then skips
	// the others. Class 1, most of the input, is walked in full.
	only      [ClassUsername + 1][]int32
	ident     []int32 // identity of each observation; none when anonymous
	anonymous int64
	ids       []identMeta

	// names holds usernames and email local parts: one key space.
	names, emails, displays        *table
	lpOf                           []int32 // each email's local part in names, or none
	firsts, lasts, companies       *table
	userIDs, systems, interactions *table

	// Service-account patterns, and whether each email and name (by id)
	// matches one; nil without patterns.
	match               matcher
	svcEmails, svcNames []bool

	// Observation i's interaction types are interMap[id] (id itself when
	// interMap is nil; skipped when negative) for each id in
	// inter[interOff[i]:interOff[i+1]]; interOff is nil when none has any.
	// A window's are its own slices, read in place.
	interOff, inter, interMap []int32

	// Class 1 state, kept for the later classes.
	uf1        *unionFind
	isKey      []bool  // name id is a class-1 key
	rootIdent1 []int32 // class-1 identity by union-find root

	// Class 3 state, kept for class 4: display ids are nodes [0, nd) of
	// uf3, name ids are nodes [nd, nd+len(names)).
	uf3       *unionFind
	nd        int32
	compIdent []int32 // identity of each class-3 component by root
}

// Resolve groups observations into identities by the priority-ordered rules
// of spec 02-identity.md. The result does not depend on the order of obs.
func Resolve(obs []Observation, opts Options) Result {
	return Prepare(obs, opts).Resolve(nil)
}

// Prepared is a set of observations whose values are interned, ready to be
// resolved over any subset of them. The windows of one report share most
// of their observations, and interning their values is much of the work of
// resolving them.
type Prepared struct {
	r   *resolver
	obs []Observation // what Prepare was given; nil after PrepareKeys
}

// Prepare interns the values of obs. Between calls of Resolve the caller
// may change each observation's Count, First, Last and Interactions, but
// none of its other fields.
func Prepare(obs []Observation, opts Options) *Prepared {
	return prepare(obsSource(obs), obs, opts)
}

// PrepareKeys interns the values of the observations whose keys (made by
// AppendKey) are keys, without splitting them into Observations: it keeps
// a string header per observation where Prepare's caller keeps a whole
// Observation. Resolve them with ResolveWindow. The result shares the
// keys' memory.
func PrepareKeys(keys []string, opts Options) *Prepared {
	return prepare(keySource(keys), nil, opts)
}

// ResolveKeys resolves the observations whose AppendKey keys are keys, with
// the counts and times of tallies and no interactions: PrepareKeys and
// ResolveWindow for a caller with one window.
func ResolveKeys(keys []string, tallies []Tally, opts Options) Result {
	return PrepareKeys(keys, opts).ResolveWindow(Window{Tallies: tallies})
}

// ResolveKeysEach is ResolveKeys handing the identities to yield one at a
// time, as ResolveWindowEach does, and returning the anonymous count.
func ResolveKeysEach(keys []string, tallies []Tally, opts Options, yield func(i, n int, id *Identity)) (anonymous int64) {
	return PrepareKeys(keys, opts).ResolveWindowEach(Window{Tallies: tallies}, yield)
}

func prepare(src source, obs []Observation, opts Options) *Prepared {
	r := &resolver{src: src, match: newMatcher(opts.ServiceAccountPatterns)}
	r.intern()
	return &Prepared{r: r, obs: obs}
}

// Len is the number of prepared observations.
func (p *Prepared) Len() int { return len(p.r.k) }

// Resolve resolves the observations i for which present[i] is true (all of
// them when present is nil), as Resolve would resolve just those, with
// their current Count, First, Last and Interactions. It needs the
// observations given to Prepare; it is not safe for concurrent use.
func (p *Prepared) Resolve(present []bool) Result {
	r := p.r
	tally := make([]Tally, len(p.obs))
	for i := range p.obs {
		o := &p.obs[i]
		tally[i] = Tally{Count: o.Count, First: o.First, Last: o.Last}
	}
	r.begin(present, tally)
	r.internObsInteractions(p.obs)
	return r.resolve()
}

// Tally is what one resolution saw of an observation.
type Tally struct {
	Count       int64 // records that carried the observation
	First, Last int64 // earliest and latest time (Unix ns)
}

// Window is one resolution's view of prepared observations, each indexed
// as the observations were given to Prepare or PrepareKeys.
type Window struct {
	// Present says which observations take part; nil means all of them.
	Present []bool
	// Tallies holds every observation's count and times.
	Tallies []Tally
	// Observation i's interaction types are InterNames[id] for each id in
	// InterIDs[InterOff[i]:InterOff[i+1]]. InterOff is nil when no
	// observation has any; otherwise it has one entry more than Tallies.
	InterNames []string
	InterOff   []int32
	InterIDs   []int32
}

// ResolveWindow resolves the observations present in w, as Resolve would
// resolve just those with w's counts, times and interactions. It is not
// safe for concurrent use.
func (p *Prepared) ResolveWindow(w Window) Result {
	p.begin(w)
	return p.r.resolve()
}

// begin readies p for resolving window w.
func (p *Prepared) begin(w Window) {
	if n := p.Len(); len(w.Tallies) != n || w.Present != nil && len(w.Present) != n ||
		w.InterOff != nil && len(w.InterOff) != n+1 {
		panic("identity: Window does not match the prepared observations")
	}
	p.r.begin(w.Present, w.Tallies)
	p.r.windowInteractions(&w)
}

// ResolveWindowEach resolves like ResolveWindow but hands the identities
// to yield one at a time, in the same order, instead of returning them
// all: a caller that keeps only part of each never holds every Identity
// at once. i is the identity's place in the order and n their number. The
// *Identity is reused once yield returns; the strings and slices it holds
// are not. It returns the anonymous count of Result.
func (p *Prepared) ResolveWindowEach(w Window, yield func(i, n int, id *Identity)) (anonymous int64) {
	r := p.r
	p.begin(w)
	r.resolveEach(eachChunk, func(lo, n int, ids []Identity) {
		for j := range ids {
			yield(lo+j, n, &ids[j])
		}
	})
	return r.anonymous
}

// begin readies r for resolving the observations in present.
func (r *resolver) begin(present []bool, tally []Tally) {
	r.tally = tally
	r.cls = make([]Class, len(r.k))
	r.ident = make([]int32, len(r.k))
	r.ids, r.anonymous = nil, 0
	r.interOff, r.inter, r.interMap = nil, nil, nil
	r.only = [len(r.only)][]int32{}
	for i := range r.k {
		r.ident[i] = none
		r.cls[i] = r.k[i].class
		if present != nil && !present[i] {
			r.cls[i] = 0
			continue
		}
		switch c := r.cls[i]; c {
		case 0:
			r.anonymous += tally[i].Count
		case ClassEmail, ClassDisplayName, ClassUsername:
			r.only[c] = append(r.only[c], int32(i))
		}
	}
}

func (r *resolver) resolve() Result {
	res := Result{}
	r.resolveEach(0, func(_, _ int, ids []Identity) { res.Identities = ids })
	res.Anonymous = r.anonymous
	return res
}

// eachChunk is how many identities ResolveWindowEach gathers at a time:
// enough to keep every core busy, few enough to be a small buffer. A
// variable so tests can make several chunks of a few identities.
var eachChunk = 4096

// resolveEach groups the observations and hands the identities to emit
// as build does.
func (r *resolver) resolveEach(chunk int, emit func(lo, n int, ids []Identity)) {
	r.class1()
	r.class2()
	r.class3()
	r.class4()
	r.only = [len(r.only)][]int32{}
	r.build(chunk, emit)
	// What one resolution built is rebuilt by the next: let it go while
	// the caller holds the result.
	r.tally, r.ident, r.ids, r.cls = nil, nil, nil, nil
	r.interOff, r.inter, r.interMap = nil, nil, nil
	r.uf1, r.isKey, r.rootIdent1 = nil, nil, nil
	r.uf3, r.compIdent = nil, nil
}

// intern computes every observation's keys and class. Two goroutines
// share the work, each filling tables the other does not touch: one the
// emails and the attributes, the other the usernames, user ids and
// systems. The email local parts, which share the usernames' table, are
// interned afterwards once per distinct email rather than per observation.
func (r *resolver) intern() {
	n := r.src.len()
	r.k = make([]obsKeys, n)
	r.a = make([]attrKeys, n)
	// Apart from r.k, which the other goroutine writes.
	emailOf, dispOf := make([]int32, n), make([]int32, n)
	var wg sync.WaitGroup
	wg.Go(r.internNames)
	r.internEmailsAndAttributes(emailOf, dispOf)
	wg.Wait()

	r.lpOf = make([]int32, len(r.emails.vals))
	for e, email := range r.emails.vals {
		r.lpOf[e] = r.names.internNonEmpty(localPart(email))
	}
	r.svcEmails = r.match.matchAll(r.emails.vals)
	r.svcNames = r.match.matchAll(r.names.vals)
	// Only the interactions, which each resolution brings anew, are
	// interned after this.
	for _, t := range []*table{r.names, r.emails, r.displays, r.firsts, r.lasts, r.companies, r.userIDs, r.systems} {
		t.seal()
	}

	for i := range r.k {
		k := &r.k[i]
		k.email, k.disp = emailOf[i], dispOf[i]
		switch {
		case k.email >= 0 && k.user >= 0:
			k.class = ClassUsernameOrEmail
		case k.email >= 0:
			k.class = ClassEmail
		case k.disp >= 0:
			k.class = ClassDisplayName
		case k.user >= 0:
			k.class = ClassUsername
		}
	}
}

func (r *resolver) internNames() {
	n := r.src.len()
	// Table hints are below the observation count: a person is usually
	// seen in several systems, so values repeat, and growing a table is
	// cheap (no value is hashed again) while one sized for every
	// observation holds tens of megabytes it may never use.
	r.names = newTable(n / 2)
	r.userIDs = newTable(16)
	r.systems = newTable(16)
	var buf []byte
	var v [numKeyFields]string
	for i := range n {
		r.src.values(i, &v)
		k := &r.k[i]
		k.user = r.names.internLower(v[kfUsername], &buf)
		k.userID = r.userIDs.internExact(v[kfUserID])
		// An observation without a system is still observed "somewhere";
		// the empty name is kept as a system so no observation is lost.
		k.system = r.systems.intern(strings.TrimSpace(v[kfSystem]))
		k.service = r.src.serviceAccount(i)
	}
}

func (r *resolver) serviceEmail(id int32) bool {
	return id >= 0 && r.svcEmails != nil && r.svcEmails[id]
}
func (r *resolver) serviceUser(id int32) bool { return id >= 0 && r.svcNames != nil && r.svcNames[id] }

func (r *resolver) internEmailsAndAttributes(emailOf, dispOf []int32) {
	n := r.src.len()
	r.emails = newTable(n / 4)
	r.displays = newTable(n / 4)
	r.firsts = newTable(64)
	r.lasts = newTable(64)
	r.companies = newTable(16)
	r.interactions = newTable(16)
	var buf []byte
	var v [numKeyFields]string
	for i := range n {
		r.src.values(i, &v)
		emailOf[i] = r.emails.internLower(v[kfEmail], &buf)
		a := &r.a[i]
		dispOf[i] = r.displays.internFolded(v[kfDisplayName], &buf)
		a.first = r.firsts.internFolded(v[kfFirstName], &buf)
		a.last = r.lasts.internFolded(v[kfLastName], &buf)
		a.company = r.companies.internFolded(v[kfCompany], &buf)
	}
}

// internObsInteractions interns the interaction types of the observations
// being resolved, which may change from one resolution to the next.
func (r *resolver) internObsInteractions(obs []Observation) {
	r.interOff = make([]int32, 1, len(obs)+1)
	for i := range obs {
		if r.cls[i] != 0 {
			for _, it := range obs[i].Interactions {
				if id := r.interactions.internExact(it); id >= 0 {
					r.inter = append(r.inter, id)
				}
			}
		}
		r.interOff = append(r.interOff, int32(len(r.inter)))
	}
}

// windowInteractions takes w's interaction types in place: only their
// names are interned.
func (r *resolver) windowInteractions(w *Window) {
	r.interOff, r.inter = w.InterOff, w.InterIDs
	r.interMap = make([]int32, len(w.InterNames))
	for i, name := range w.InterNames {
		r.interMap[i] = r.interactions.internExact(name)
	}
}

func (r *resolver) newIdentity(c Class, ambiguous bool, key string) int32 {
	r.ids = append(r.ids, identMeta{class: c, ambiguous: ambiguous, key: key})
	return int32(len(r.ids) - 1)
}

// class1 joins every observation with email and username over {u, lp}.
func (r *resolver) class1() {
	n := len(r.names.vals)
	r.uf1 = newUnionFind(n)
	r.isKey = make([]bool, n)
	for i := range r.k {
		k := &r.k[i]
		if r.cls[i] != ClassUsernameOrEmail {
			continue
		}
		r.isKey[k.user] = true
		if lp := r.lpOf[k.email]; lp >= 0 {
			r.isKey[lp] = true
			r.uf1.union(k.user, lp)
		}
	}
	r.rootIdent1 = make([]int32, n)
	for i := range r.rootIdent1 {
		r.rootIdent1[i] = none
	}
	for i := range r.k {
		k := &r.k[i]
		if r.cls[i] != ClassUsernameOrEmail {
			continue
		}
		root := r.uf1.find(k.user)
		if r.rootIdent1[root] == none {
			r.rootIdent1[root] = r.newIdentity(ClassUsernameOrEmail, false, "")
		}
		r.ident[i] = r.rootIdent1[root]
	}
	// The smallest key of each component, over keys rather than
	// observations so it is independent of their order.
	for id, key := range r.isKey {
		if !key {
			continue
		}
		m := &r.ids[r.rootIdent1[r.uf1.find(int32(id))]]
		if v := r.names.vals[id]; m.key == "" || v < m.key {
			m.key = v
		}
	}
}

// owner1 is the class-1 identity owning name id as a key, or none.
func (r *resolver) owner1(id int32) int32 {
	if id < 0 || !r.isKey[id] {
		return none
	}
	return r.rootIdent1[r.uf1.find(id)]
}

// class2 places email-only observations: into the class-1 identity owning
// lp(email), else one identity per full email.
func (r *resolver) class2() {
	byEmail := make([]int32, len(r.emails.vals))
	for i := range byEmail {
		byEmail[i] = none
	}
	for _, i := range r.only[ClassEmail] {
		k := &r.k[i]
		if id := r.owner1(r.lpOf[k.email]); id != none {
			r.ident[i] = id
			continue
		}
		if byEmail[k.email] == none {
			byEmail[k.email] = r.newIdentity(ClassEmail, false, r.emails.vals[k.email])
		}
		r.ident[i] = byEmail[k.email]
	}
}

// class3 joins display-name observations over {d, u} (separate key spaces),
// then attaches each component to its one higher identity, if any.
func (r *resolver) class3() {
	// Which class-1/2 identities carry each display name.
	dispOwner := make([]int32, len(r.displays.vals))
	for i := range dispOwner {
		dispOwner[i] = none
	}
	for i := range r.k {
		k := &r.k[i]
		if k.disp < 0 || (r.cls[i] != ClassUsernameOrEmail && r.cls[i] != ClassEmail) {
			continue
		}
		switch cur := dispOwner[k.disp]; {
		case cur == none:
			dispOwner[k.disp] = r.ident[i]
		case cur != r.ident[i]:
			dispOwner[k.disp] = many
		}
	}

	// Nodes: display ids first, then name ids offset by nd.
	nd := int32(len(r.displays.vals))
	uf := newUnionFind(len(r.displays.vals) + len(r.names.vals))
	for _, i := range r.only[ClassDisplayName] {
		if k := &r.k[i]; k.user >= 0 {
			uf.union(k.disp, nd+k.user)
		}
	}

	// Candidates per component root: none, one identity, or many.
	cand := make([]int32, len(uf.parent))
	for i := range cand {
		cand[i] = none
	}
	add := func(root, id int32) {
		switch cur := cand[root]; {
		case id == none || cur == many:
		case cur == none:
			cand[root] = id
		case cur != id:
			cand[root] = many
		}
	}
	for _, i := range r.only[ClassDisplayName] {
		k := &r.k[i]
		root := uf.find(k.disp)
		add(root, r.owner1(k.user))
		add(root, dispOwner[k.disp])
	}

	compIdent := make([]int32, len(uf.parent))
	for i := range compIdent {
		compIdent[i] = none
	}
	for _, i := range r.only[ClassDisplayName] {
		k := &r.k[i]
		root := uf.find(k.disp)
		if compIdent[root] == none {
			if c := cand[root]; c >= 0 {
				compIdent[root] = c
			} else {
				compIdent[root] = r.newIdentity(ClassDisplayName, c == many, "")
			}
		}
		r.ident[i] = compIdent[root]
	}
	// Class key of a new class-3 identity: its smallest display name.
	for _, i := range r.only[ClassDisplayName] {
		k := &r.k[i]
		m := &r.ids[r.ident[i]]
		if m.class != ClassDisplayName {
			continue // joined a higher identity
		}
		if v := r.displays.vals[k.disp]; m.key == "" || v < m.key {
			m.key = v
		}
	}
	r.uf3, r.nd, r.compIdent = uf, nd, compIdent
}

// class3Owner is the identity the class-3 observations carrying name id
// ended up in, or none.
func (r *resolver) class3Owner(id int32) int32 {
	return r.compIdent[r.uf3.find(r.nd+id)]
}

// class4 places username-only observations: into the class-1 identity
// owning the username, else where class-3 observations with that username
// went, else one identity per username.
func (r *resolver) class4() {
	byUser := make([]int32, len(r.names.vals))
	for i := range byUser {
		byUser[i] = none
	}
	for _, i := range r.only[ClassUsername] {
		k := &r.k[i]
		if byUser[k.user] == none {
			id := r.owner1(k.user)
			if id == none {
				id = r.class3Owner(k.user)
			}
			if id == none {
				id = r.newIdentity(ClassUsername, false, r.names.vals[k.user])
			}
			byUser[k.user] = id
		}
		r.ident[i] = byUser[k.user]
	}
}
