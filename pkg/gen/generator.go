package gen

import (
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// rng draws from a PCG through helpers of our own, so the output stays the
// same even if math/rand's derived methods change.
type rng struct{ pcg rand.PCG }

func (r *rng) u64() uint64 { return r.pcg.Uint64() }

// intn returns a value in [0, n) (n > 0) by multiply-shift; its tiny bias
// does not matter here.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

// float returns a value in [0, 1).
func (r *rng) float() float64 { return float64(r.u64()>>11) * 0x1p-53 }

// pct returns a value in [0, 100).
func (r *rng) pct() int { return r.intn(100) }

// skewed returns a value in [0, n) where small values are much more likely:
// P(value < x) = sqrt(x/n). Index 0 of anything drawn this way is the
// heaviest user, the busiest pair, and so on.
func (r *rng) skewed(n int) int {
	u := r.float()
	return min(int(u*u*float64(n)), n-1)
}

// mix is splitmix64's finaliser: a fixed bijection used to derive stable
// per-entity and per-person choices without storing them.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

type person struct {
	first, last string
	display     string
	email       string // canonical, lower-case
	username    string
	alt         string // handle on code hosts, "" when the person has none
	dom         uint8  // index into domains
	nhome       uint8
	home        [3]uint8 // systems the person works in
	idx         int32    // index in generator.people
}

// userID is the person's numeric id on code hosts.
func (p *person) userID() int64 { return 1_000_000 + int64(p.idx)*7 }

type system struct {
	systemKind
	projects []string
	keys     []string // per project: Jira key or repository, the prefix of entity ids
}

type pair struct {
	a, b        int
	integration string
	svcEmail    string
	svcUser     string
}

// who is one observed user: canonical values and how they are spelled.
type who struct {
	p                        *person
	email, username, display string
	emailVar, userVar, dispV variant
	names                    bool  // first_name, last_name, company
	userID                   int64 // 0: none
	svc                      bool  // service_account: true
	invalidEmail             bool
}

type elem struct {
	who
	system      string
	interaction string
	t           int64 // 0: inherit
}

// rec is the record being built; reused for every record.
type rec struct {
	t    int64
	sync bool

	sys, proj, etype string
	id               entityID

	peerSys, peerProj, peerType string
	peerID                      entityID

	integration string
	status      string
	updated     int64 // 0: none
	outcome     string

	act      *action
	action   string
	count    int64
	duration int64 // tenths of a second; -1: none
	session  uint64

	who         who
	interaction string
	customer    string
	plan        string

	props                     bool
	os, version, country, lic string

	users  [3]elem
	nusers int
}

type entityID struct {
	prefix string
	num    int64 // -1: absent
	pad    int   // zero-pad the number to this many digits
}

type generator struct {
	cfg     *Config
	r       rng
	people  []person
	systems []system
	pairs   []pair
	seen    []uint64 // bitset of people named so far
	start   int64    // unix seconds
	span    int64
	rec     rec
	tmp     []byte
	bytes   int64
	records int64
	syncs   int64
	dayNum  int64
	dayText [10]byte
}

func newGenerator(cfg *Config) *generator {
	g := &generator{cfg: cfg, dayNum: -1}
	g.r.pcg.Seed(uint64(cfg.Seed), 0x853c49e6748fea9b)
	g.start = cfg.AsOf.Add(-cfg.Span).Unix()
	g.span = int64(cfg.Span.Seconds())
	g.setupSystems()
	keys := newKeyspace(3 * cfg.People)
	g.setupPairs(keys)
	g.setupPeople(keys)
	g.seen = make([]uint64, (len(g.people)+63)/64)
	return g
}

func (g *generator) stats() Stats {
	n := 0
	for _, w := range g.seen {
		n += bits.OnesCount64(w)
	}
	return Stats{Records: g.records, SyncRecords: g.syncs, Bytes: g.bytes, People: n}
}

func (g *generator) setupSystems() {
	n := g.cfg.Systems
	g.systems = make([]system, n)
	for i := range g.systems {
		s := &g.systems[i]
		if i < len(systemKinds) {
			s.systemKind = systemKinds[i]
		} else {
			s.systemKind = genericKind
			s.name = "System " + strconv.Itoa(i+1)
			s.slug = "sys" + strconv.Itoa(i+1)
		}
		// Spread the projects over the systems, at least one each.
		np := max(1, g.cfg.Projects/n)
		if i < g.cfg.Projects%n {
			np++
		}
		s.projects = make([]string, np)
		s.keys = make([]string, np)
		for j := range np {
			s.projects[j], s.keys[j] = projectName(&s.systemKind, j)
		}
	}
}

// projectName names project j of a system in that system's manner and
// returns the prefix of its entity ids.
func projectName(k *systemKind, j int) (name, key string) {
	round := j / len(productWords)
	suffix := ""
	if round > 0 {
		suffix = strconv.Itoa(round + 1)
	}
	word := productWords[j%len(productWords)]
	switch {
	case k.idStyle == idKey:
		key = jiraKeys[j%len(jiraKeys)] + suffix
		return key, key + "-"
	case k.idStyle == idRepoNum:
		repo := "acme/" + strings.ReplaceAll(strings.ToLower(word), " ", "-") + suffix
		return repo, repo + "#"
	case k.idStyle == idTicket:
		q := serviceQueues[j%len(serviceQueues)]
		if suffix != "" {
			q += " " + suffix
		}
		return q, ""
	case k.style == styleGeneric:
		return "Project " + strconv.Itoa(j+1), ""
	}
	if suffix != "" {
		word += " " + suffix
	}
	return word, ""
}

// setupPairs links systems for syncs: the first system with every other
// (a hub, as most integrations are), plus neighbours among the rest.
func (g *generator) setupPairs(keys *keyspace) {
	n := len(g.systems)
	add := func(a, b int) {
		sa, sb := g.systems[a].slug, g.systems[b].slug
		svc := keys.claim("svc-" + sa + "-" + sb)
		g.pairs = append(g.pairs, pair{
			a: a, b: b,
			integration: sa + "-" + sb + "-sync",
			svcEmail:    svc + "@" + domains[0].name,
			svcUser:     svc,
		})
	}
	for j := 1; j < n; j++ {
		add(0, j)
	}
	for j := 1; j+1 < n; j++ {
		add(j, j+1)
	}
	keys.claim("integration-bot")
}

// keyspace hands out unique identity keys. Email local parts and usernames
// share one key space (spec 02-identity.md), so two people never collide by
// accident and the number of people in the data is the number asked for.
type keyspace struct {
	used map[string]struct{}
	next map[string]int
}

func newKeyspace(size int) *keyspace {
	return &keyspace{used: make(map[string]struct{}, size), next: make(map[string]int)}
}

func (k *keyspace) claim(base string) string {
	if _, ok := k.used[base]; !ok {
		k.used[base] = struct{}{}
		return base
	}
	n := max(k.next[base], 2)
	for {
		c := base + strconv.Itoa(n)
		n++
		if _, ok := k.used[c]; !ok {
			k.used[c] = struct{}{}
			k.next[base] = n
			return c
		}
	}
}

// fold turns a name into key material: ASCII lower case, accents dropped,
// spaces and apostrophes removed.
func fold(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
			b.WriteRune(c)
		case c >= 'A' && c <= 'Z':
			b.WriteRune(c + 'a' - 'A')
		default:
			if f, ok := foldRunes[c]; ok {
				b.WriteByte(f)
			}
		}
	}
	return b.String()
}

func foldAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fold(n)
	}
	return out
}

var foldRunes = map[rune]byte{
	'é': 'e', 'è': 'e', 'ë': 'e', 'É': 'e', 'á': 'a', 'à': 'a', 'å': 'a', 'ä': 'a', 'Å': 'a',
	'í': 'i', 'ı': 'i', 'ó': 'o', 'ö': 'o', 'ø': 'o', 'Ø': 'o', 'ú': 'u', 'ü': 'u',
	'ñ': 'n', 'ç': 'c', 'Ç': 'c', 'ş': 's',
}

func (g *generator) setupPeople(keys *keyspace) {
	// People come from their own stream so that changing the record mix
	// never changes who the people are.
	var r rng
	r.pcg.Seed(uint64(g.cfg.Seed), 0xda3e39cb94b95bdb)
	g.people = make([]person, g.cfg.People)
	nsys := len(g.systems)
	foldedFirst, foldedLast := foldAll(firstNames), foldAll(lastNames)
	for i := range g.people {
		p := &g.people[i]
		fi, li := r.intn(len(firstNames)), r.intn(len(lastNames))
		p.first, p.last = firstNames[fi], lastNames[li]
		p.display = p.first + " " + p.last
		d := r.pct()
		for j := range domains {
			if d < domains[j].cum {
				p.dom = uint8(j)
				break
			}
		}
		f, l := foldedFirst[fi], foldedLast[li]
		var lp string
		switch x := r.pct(); {
		case x < 55:
			lp = f + "." + l
		case x < 75:
			lp = f[:1] + l
		case x < 85:
			lp = f + l[:1]
		case x < 92:
			lp = f + "_" + l
		default:
			lp = f
		}
		lp = keys.claim(lp)
		p.email = lp + "@" + domains[p.dom].name
		switch x := r.pct(); {
		case x < 25:
			p.username = lp // many systems use the email's local part
		case x < 70:
			p.username = keys.claim(f[:1] + l)
		case x < 90:
			p.username = keys.claim(f + "." + l)
		default:
			p.username = keys.claim(f + l)
		}
		if r.pct() < 10 {
			p.alt = keys.claim(f + "-" + l + "-dev")
		}
		// Home systems: the first systems are the busiest.
		p.home[0] = uint8(r.skewed(nsys))
		p.nhome = 1
		for _, chance := range [...]int{45, 15} {
			if r.pct() < chance {
				s := uint8(r.intn(nsys))
				dup := false
				for _, h := range p.home[:p.nhome] {
					dup = dup || h == s
				}
				if !dup {
					p.home[p.nhome] = s
					p.nhome++
				}
			}
		}
		p.idx = int32(i)
	}
}

// pickPerson chooses the person of record k. Every fourth record walks the
// population in order so that everyone appears; the rest follow a skewed
// distribution with a few heavy users and a long tail.
func (g *generator) pickPerson(k int64) (p *person, sweep bool) {
	n := len(g.people)
	if k%4 == 0 {
		return &g.people[(k/4)%int64(n)], true
	}
	return &g.people[g.r.skewed(n)], false
}

// named records that p was named by a record, for Stats.People.
func (g *generator) named(p *person) {
	g.seen[p.idx/64] |= 1 << (p.idx % 64)
}

// next builds record k at progress f in [0, 1) through the data set.
func (g *generator) next(k int64, f float64) {
	r := &g.rec
	*r = rec{users: r.users}
	r.nusers = 0
	r.duration = -1
	r.id.num, r.peerID.num = -1, -1
	// Time follows progress, with up to six hours of jitter either way.
	t := g.start + int64(f*float64(g.span)) + int64(g.r.intn(43200)) - 21600
	r.t = min(max(t, g.start), g.start+g.span-1)
	g.records++
	if g.cfg.SyncShare > 0 && g.r.float() < g.cfg.SyncShare {
		g.syncs++
		g.syncRecord(k)
	} else {
		g.activityRecord(k)
	}
	if g.cfg.Format == JSONL && g.r.pct() < 5 {
		g.addUsers()
	}
}

func (g *generator) activityRecord(k int64) {
	r := &g.rec
	p, sweep := g.pickPerson(k)
	s := &g.systems[p.home[g.r.intn(int(p.nhome))]]
	r.sys = s.name
	// People mostly work in their team's project.
	pi := int(mix(uint64(p.idx)<<8|uint64(len(s.name))) % uint64(len(s.projects)))
	if g.r.pct() < 20 {
		pi = g.r.intn(len(s.projects))
	}
	r.proj = s.projects[pi]
	a := &s.actions[g.r.skewed(len(s.actions))]
	r.act = a
	r.action, r.interaction = a.name, a.interaction
	r.count = 1
	if x := g.r.pct(); x < 12 {
		r.count = int64(2 + g.r.intn(9))
	} else if x < 13 {
		r.count = 0
	}
	if g.r.pct() < 30 {
		r.duration = int64(5 + g.r.intn(36000))
	}
	if g.r.pct() < 40 {
		r.session = g.r.u64()
	}
	r.who = g.observe(p, s.style, sweep)
	if g.r.pct() < 30 {
		d := &domains[p.dom]
		r.customer, r.plan = d.customer, d.plan
	}
	if g.r.pct() < 50 {
		r.props = true
		r.os = propOS[g.r.skewed(len(propOS))]
		r.version = propVersion[g.r.skewed(len(propVersion))]
		r.country = propCountry[g.r.skewed(len(propCountry))]
		r.lic = propLicense[g.r.skewed(len(propLicense))]
	}
}

func (g *generator) syncRecord(k int64) {
	r := &g.rec
	r.sync = true
	e := int64(g.r.skewed(g.cfg.Entities))
	h := mix(uint64(e) ^ uint64(g.cfg.Seed)<<32)
	pr := &g.pairs[int(float64(len(g.pairs))*sq(float64(h>>11)*0x1p-53))]
	sa, sb := &g.systems[pr.a], &g.systems[pr.b]
	pa := int((h >> 8) % uint64(len(sa.projects)))
	pb := (pa*7 + pr.a + pr.b) % len(sb.projects) // each project syncs with one peer project
	ta := int((h >> 20) % uint64(len(sa.types)))
	tb := ta % len(sb.types)
	idA, idB := g.entityID(sa, pa, ta, e), g.entityID(sb, pb, tb, e)
	// Either end may start the sync.
	if g.r.pct() < 50 {
		sa, sb, pa, pb, ta, tb, idA, idB = sb, sa, pb, pa, tb, ta, idB, idA
	}
	r.sys, r.proj, r.etype, r.id = sa.name, sa.projects[pa], sa.types[ta], idA
	r.peerSys, r.peerProj, r.peerType, r.peerID = sb.name, sb.projects[pb], sb.types[tb], idB
	switch x := g.r.pct(); {
	case x < 4: // the peer item does not exist yet
		r.peerID.num = -1
	case x < 6: // a project-level sync with no item
		r.id.num, r.peerID.num = -1, -1
	}
	r.integration = pr.integration
	r.action = syncActions[g.r.intn(len(syncActions))]
	switch x := g.r.pct(); {
	case x < 4:
		r.outcome = failSpelling[g.r.intn(len(failSpelling))]
	case x < 32:
		r.outcome = "success"
	case x < 33:
		r.outcome = "ok"
	case x < 34:
		r.outcome = "Succeeded"
	}
	if g.r.pct() < 20 {
		r.status = "active"
		if g.r.pct() < 5 {
			r.status = "inactive"
		}
	}
	if g.r.pct() < 10 {
		r.updated = max(r.t-int64(1+g.r.intn(90))*86400, g.start)
	}
	p, sweep := g.pickPerson(k)
	switch x := g.r.pct(); {
	case sweep || x < 50:
		r.who = g.observe(p, sa.style, sweep)
		r.interaction = "update"
	case x < 85:
		r.who = who{email: pr.svcEmail, username: pr.svcUser, svc: g.r.pct() < 70}
		r.interaction = "mapped_field"
	case x < 90:
		r.who = who{username: "integration-bot", svc: true}
	}
}

func sq(x float64) float64 { return x * x }

func (g *generator) entityID(s *system, proj, typ int, e int64) entityID {
	n := e + 1
	switch s.idStyle {
	case idKey, idRepoNum:
		return entityID{prefix: s.keys[proj], num: n}
	case idTicket:
		prefix := "TASK"
		switch s.types[typ] {
		case "Incident":
			prefix = "INC"
		case "Change Request":
			prefix = "CHG"
		case "Problem":
			prefix = "PRB"
		}
		return entityID{prefix: prefix, num: n, pad: 7}
	}
	return entityID{num: 10000 + n}
}

// observe decides how system style st records person p on one record. A
// sweep record always names the person fully, so that every person's
// canonical email appears in the data.
func (g *generator) observe(p *person, st style, full bool) who {
	w := who{p: p}
	x := g.r.pct()
	if full {
		x = -1
	}
	type shape uint8
	const (
		sFull shape = iota
		sEmail
		sDisplay
		sUser
		sDisplayUser
		sAnon
	)
	var sh shape
	switch st {
	case styleService:
		switch {
		case x < 0:
			sh = sFull
		case x < 55:
			sh = sEmail
		case x < 75:
			sh = sFull
		case x < 95:
			sh = sDisplay
		default:
			sh = sAnon
		}
	case styleCode:
		switch {
		case x < 0:
			sh = sFull
		case x < 45:
			sh = sUser
		case x < 75:
			sh = sDisplayUser
		case x < 95:
			sh = sFull
		case x < 98:
			sh = sEmail
		default:
			sh = sAnon
		}
	default:
		switch {
		case x < 0:
			sh = sFull
		case x < 60:
			sh = sFull
		case x < 70:
			sh = sEmail
		case x < 80:
			sh = sDisplay
		case x < 90:
			sh = sUser
		case x < 98:
			sh = sDisplayUser
		default:
			sh = sAnon
		}
	}
	user := p.username
	if st == styleCode && p.alt != "" {
		user = p.alt // same email, a different username on code hosts
	}
	switch sh {
	case sFull:
		w.email, w.username = p.email, user
		if g.r.pct() < 60 {
			w.display = p.display
		}
		w.names = st == styleTracker && g.r.pct() < 30
	case sEmail:
		w.email = p.email
		if st == styleService && g.r.pct() < 70 {
			w.display = p.display
		}
	case sDisplay:
		w.display = p.display
	case sUser:
		w.username = user
	case sDisplayUser:
		w.display, w.username = p.display, user
	case sAnon:
		w.p = nil
		if g.r.pct() < 50 {
			w.userID = p.userID()
		}
		return w
	}
	g.named(p)
	if st == styleCode && w.username != "" {
		w.userID = p.userID()
	}
	if full {
		return w
	}
	if w.email != "" {
		switch x := g.r.intn(2000); {
		case x < 1:
			w.invalidEmail = true
		case x < 200:
			w.emailVar = varCapital
		case x < 260:
			w.emailVar = varUpper
		}
	}
	if w.username != "" {
		switch x := g.r.pct(); {
		case x < 10:
			w.userVar = varCapital
		case x < 15:
			w.userVar = varUpper
		}
	}
	if w.display != "" {
		switch x := g.r.pct(); {
		case x < 10:
			w.dispV = varLower
		case x < 15:
			w.dispV = varUpper
		case x < 25:
			w.dispV = varDoubleSpace
		case x < 30 && st == styleService:
			w.dispV = varLastFirst
		}
	}
	return w
}

// addUsers gives the record a users array of two or three people, some
// overriding the system, interaction or time they were observed at.
func (g *generator) addUsers() {
	r := &g.rec
	n := 2 + g.r.intn(2)
	for i := range n {
		p := &g.people[g.r.skewed(len(g.people))]
		g.named(p)
		e := &r.users[i]
		*e = elem{}
		e.p = p
		switch x := g.r.pct(); {
		case x < 50:
			e.email, e.username = p.email, p.username
		case x < 75:
			e.display = p.display
		default:
			e.username = p.username
		}
		e.interaction = elementInteractions[g.r.intn(len(elementInteractions))]
		if g.r.pct() < 20 {
			if r.sync {
				e.system = r.peerSys
			} else {
				e.system = g.systems[g.r.intn(len(g.systems))].name
			}
		}
		if g.r.pct() < 10 {
			e.t = max(r.t-int64(1+g.r.intn(72))*3600, g.start)
		}
	}
	r.nusers = n
}
