package usage

import (
	"strings"

	"github.com/usagerep/usagerep/pkg/internal/varint"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/keystore"
	"github.com/usagerep/usagerep/pkg/record"
)

// Config fixes what an Accumulator collects: the instant every window ends
// and where each window starts.
type Config struct {
	AsOf int64 // Unix ns; records at or after it are in no report
	// Starts holds each window's first instant (Unix ns), in period order.
	Starts []int64
}

// earliest is the start of the widest window: older observations matter
// to no workbook.
func (c *Config) earliest() int64 {
	min := c.AsOf
	for _, s := range c.Starts {
		if s < min {
			min = s
		}
	}
	return min
}

// scopeStat is kept per row scope of the sync sheets (entity type, project
// pair). Every field merges with max, so merging is order-free.
type scopeStat struct {
	lastSynced int64 // latest successful sync, record.NoTime if none
	statusAt   int64 // time of the record that gave status
	status     record.Status
	updated    int64 // latest integration_updated, record.NoTime if none
}

func newScope() *scopeStat {
	return &scopeStat{lastSynced: record.NoTime, statusAt: record.NoTime, updated: record.NoTime}
}

func (s *scopeStat) merge(o *scopeStat) {
	s.lastSynced = max(s.lastSynced, o.lastSynced)
	s.updated = max(s.updated, o.updated)
	if o.statusAt > s.statusAt || (o.statusAt == s.statusAt && o.status > s.status) {
		s.statusAt, s.status = o.statusAt, o.status
	}
}

// sourceQuality counts per-input data problems found while accumulating.
type sourceQuality struct {
	invalidEmails    int64
	syncsWithoutPeer int64
}

// Accumulator is the mergeable state of one worker. It is fed borrowed
// records; every key it keeps is copied on first insert. Its distinct
// observations and synced entities live in stores it may share with
// siblings (see Sibling); the rest is its own.
type Accumulator struct {
	cfg      Config
	earliest int64

	// obs may be shared with sibling accumulators (see Sibling).
	obs *obsStore
	// interIDs caches obs's interaction ids, so that a record takes no
	// shared lock for them.
	interIDs map[string]uint32

	entityTypes  map[string]*scopeStat // fields: s1, s2, end system, entity type
	projectPairs map[string]*scopeStat // fields: s1, p1, s2, p2 (projects may be empty)
	// entities holds each synced entity's last successful sync, shared
	// with siblings like obs: hundreds of thousands of keys, which
	// per-worker maps held once per worker and merged on one core.
	entities  *keystore.Store[int64]
	noIDSyncs map[string][]int64 // pairKey -> successful syncs without ids, per window

	quality   map[string]*sourceQuality
	inWindow  []int64 // records per window
	afterAsOf int64   // records at or after as-of (in no report)

	key   []byte // scratch for building map keys
	email []byte // scratch for email normalisation
}

// NewAccumulator returns empty state for cfg.
func NewAccumulator(cfg Config) *Accumulator {
	return newAccumulator(cfg, newObsStore(cfg.Starts), keystore.New[int64](record.NoTime))
}

// Sibling returns empty state for a's configuration that shares a's
// observations and synced entities: the workers of one scan keep each
// once. Siblings may be fed concurrently, each from one goroutine, and
// merge like any accumulators.
func (a *Accumulator) Sibling() *Accumulator { return newAccumulator(a.cfg, a.obs, a.entities) }

func newAccumulator(cfg Config, obs *obsStore, entities *keystore.Store[int64]) *Accumulator {
	return &Accumulator{
		cfg:          cfg,
		earliest:     cfg.earliest(),
		obs:          obs,
		interIDs:     make(map[string]uint32),
		entityTypes:  make(map[string]*scopeStat),
		projectPairs: make(map[string]*scopeStat),
		entities:     entities,
		noIDSyncs:    make(map[string][]int64),
		quality:      make(map[string]*sourceQuality),
		inWindow:     make([]int64, len(cfg.Starts)),
		key:          make([]byte, 0, 256),
		email:        make([]byte, 0, 64),
	}
}

// Record adds one record. It implements source.Sink.
func (a *Accumulator) Record(r *record.Record) {
	if r.Time >= a.cfg.AsOf {
		a.afterAsOf++
		// A users[] element may carry its own earlier time.
		for i := range r.Users {
			a.observeElem(r, &r.Users[i])
		}
		return
	}
	for i, start := range a.cfg.Starts {
		if r.Time >= start {
			a.inWindow[i]++
		}
	}
	if r.Kind == record.KindSync {
		a.sync(r)
	}
	if r.User.Named() && r.Time >= a.earliest {
		a.observe(r, &r.User, r.System, r.Interaction, r.Time)
	}
	for i := range r.Users {
		a.observeElem(r, &r.Users[i])
	}
}

func (a *Accumulator) observeElem(r *record.Record, e *record.UserElem) {
	t := e.Time
	if t == record.NoTime {
		t = r.Time
	}
	if t >= a.cfg.AsOf || t < a.earliest || !e.User.Named() {
		return
	}
	system, interaction := e.System, e.Interaction
	if system == "" {
		system = r.System
	}
	if interaction == "" {
		interaction = r.Interaction
	}
	a.observe(r, &e.User, system, interaction, t)
}

// observe records one observation of u at time t (earliest <= t < as-of).
func (a *Accumulator) observe(r *record.Record, u *record.User, system, interaction string, t int64) {
	var email []byte
	if u.Email != "" {
		var ok bool
		a.email, ok = record.NormalizeEmail(a.email[:0], u.Email)
		if ok {
			email = a.email
		} else {
			a.sourceQuality(r.Source).invalidEmails++
		}
	}
	k := identity.AppendKey(a.key[:0], system, email, u)
	a.key = k

	inter := noInter
	if interaction != "" {
		inter = a.internInteraction(interaction)
	}
	a.obs.add(k, t, inter)
}

func (a *Accumulator) internInteraction(s string) uint32 {
	if id, ok := a.interIDs[s]; ok {
		return id
	}
	id := a.obs.internInteraction(s)
	a.interIDs[strings.Clone(s)] = id
	return id
}

func (a *Accumulator) sourceQuality(src string) *sourceQuality {
	q := a.quality[src]
	if q == nil {
		q = &sourceQuality{}
		a.quality[strings.Clone(src)] = q
	}
	return q
}

// end is one side of a sync.
type end struct {
	system, project, entityType, entityID string
}

// sync records the sync sheets' state for one sync record before as-of.
func (a *Accumulator) sync(r *record.Record) {
	ea := end{r.System, r.Project, r.EntityType, r.EntityID}
	eb := end{r.PeerSystem, r.PeerProject, r.PeerEntityType, r.PeerEntityID}
	if ea.system == "" || eb.system == "" {
		a.sourceQuality(r.Source).syncsWithoutPeer++
		return
	}
	if systemLess(eb.system, ea.system) || (eb.system == ea.system && projectLess(eb, ea)) {
		ea, eb = eb, ea
	}
	success := r.Outcome == record.OutcomeSuccess
	inWindow := success && r.Time >= a.earliest

	// Project pair scope; system pairs are derived from it at build time.
	k := a.key[:0]
	k = varint.AppendField(k, ea.system)
	k = varint.AppendField(k, ea.project)
	k = varint.AppendField(k, eb.system)
	k = varint.AppendField(k, eb.project)
	a.key = k
	a.touchScope(a.projectPairs, k, r, inWindow)

	for _, e := range [2]*end{&ea, &eb} {
		if e.entityType == "" {
			continue
		}
		k = a.key[:0]
		k = varint.AppendField(k, ea.system)
		k = varint.AppendField(k, eb.system)
		k = varint.AppendField(k, e.system)
		k = varint.AppendField(k, e.entityType)
		a.key = k
		a.touchScope(a.entityTypes, k, r, inWindow)
	}

	if !inWindow {
		return
	}
	switch {
	case ea.entityID != "" && eb.entityID != "":
		// The unordered pair of ends is the entity.
		x, y := ea, eb
		if x.system > y.system || (x.system == y.system && x.entityID > y.entityID) {
			x, y = y, x
		}
		k = append(a.key[:0], '2')
		k = varint.AppendField(k, x.system)
		k = varint.AppendField(k, x.entityID)
		k = varint.AppendField(k, y.system)
		k = varint.AppendField(k, y.entityID)
	case ea.entityID != "" || eb.entityID != "":
		// One end carries an id: that end is the entity, counted in this pair.
		e := ea
		if e.entityID == "" {
			e = eb
		}
		k = append(a.key[:0], '1')
		k = varint.AppendField(k, ea.system)
		k = varint.AppendField(k, eb.system)
		k = varint.AppendField(k, e.system)
		k = varint.AppendField(k, e.entityID)
	default:
		k = a.key[:0]
		k = varint.AppendField(k, ea.system)
		k = varint.AppendField(k, eb.system)
		a.key = k
		counts := a.noIDSyncs[string(k)]
		if counts == nil {
			counts = make([]int64, len(a.cfg.Starts))
			a.noIDSyncs[string(k)] = counts
		}
		for i, start := range a.cfg.Starts {
			if r.Time >= start {
				counts[i]++
			}
		}
		return
	}
	a.key = k
	sh, last, _ := a.entities.Lock(k)
	*last = max(*last, r.Time)
	sh.Unlock()
}

func (a *Accumulator) touchScope(m map[string]*scopeStat, k []byte, r *record.Record, successInWindow bool) {
	s := m[string(k)]
	if s == nil {
		s = newScope()
		m[string(k)] = s
	}
	if successInWindow {
		s.lastSynced = max(s.lastSynced, r.Time)
	}
	if r.IntegrationStatus != record.StatusUnknown {
		if r.Time > s.statusAt || (r.Time == s.statusAt && r.IntegrationStatus > s.status) {
			s.statusAt, s.status = r.Time, r.IntegrationStatus
		}
	}
	if r.IntegrationUpdated != record.NoTime && r.IntegrationUpdated < a.cfg.AsOf {
		s.updated = max(s.updated, r.IntegrationUpdated)
	}
}

// Merge folds o into a. o must not be used afterwards, and siblings are
// merged only once every one of them is done being fed. Merging is
// associative and commutative, so any split of the input gives one result.
func (a *Accumulator) Merge(o *Accumulator) {
	a.obs = a.obs.live()
	a.obs.merge(o.obs.live())
	mergeScopes(a.entityTypes, o.entityTypes)
	mergeScopes(a.projectPairs, o.projectPairs)
	a.entities = a.entities.Live()
	a.entities.Absorb(o.entities.Live(), func(last *int64, o int64) { *last = max(*last, o) })
	for k, counts := range o.noIDSyncs {
		dst := a.noIDSyncs[k]
		if dst == nil {
			a.noIDSyncs[k] = counts
			continue
		}
		for i := range dst {
			dst[i] += counts[i]
		}
	}
	for k, q := range o.quality {
		dst := a.quality[k]
		if dst == nil {
			a.quality[k] = q
			continue
		}
		dst.invalidEmails += q.invalidEmails
		dst.syncsWithoutPeer += q.syncsWithoutPeer
	}
	for i := range a.inWindow {
		a.inWindow[i] += o.inWindow[i]
	}
	a.afterAsOf += o.afterAsOf
}

func mergeScopes(dst, src map[string]*scopeStat) {
	for k, s := range src {
		if d := dst[k]; d != nil {
			d.merge(s)
		} else {
			dst[k] = s
		}
	}
}

// pairKey is the key of an ordered system pair.
func pairKey(s1, s2 string) string {
	return string(varint.AppendField(varint.AppendField(nil, s1), s2))
}

// systemLess orders system names case-insensitively, then exactly, so a
// pair's End System 1 is the name that sorts first.
func systemLess(a, b string) bool {
	if c := compareFold(a, b); c != 0 {
		return c < 0
	}
	return a < b
}

func projectLess(a, b end) bool {
	if c := compareFold(a.project, b.project); c != 0 {
		return c < 0
	}
	return a.project < b.project
}

// compareFold compares case-insensitively (Unicode simple folding via lower).
func compareFold(a, b string) int {
	if isASCII(a) && isASCII(b) {
		for i := 0; i < len(a) && i < len(b); i++ {
			ca, cb := lowerASCII(a[i]), lowerASCII(b[i])
			if ca != cb {
				if ca < cb {
					return -1
				}
				return 1
			}
		}
		return len(a) - len(b)
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
