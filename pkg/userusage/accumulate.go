package userusage

import (
	"errors"
	"math"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/varint"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/internal/tally"
	"github.com/usagerep/usagerep/pkg/observe"
	"github.com/usagerep/usagerep/pkg/record"
)

// Options fix what an Accumulator collects.
type Options struct {
	// First and Last are the dates whose reports can be asked for,
	// inclusive; per-day sums are kept for them only.
	First, Last Date
	// Location draws the day boundaries; nil means UTC.
	Location *time.Location
	// AsOf: records (and users[] elements) at or after it count nowhere.
	AsOf time.Time
	// Customer, when set, keeps the records of that customer (exactly) and
	// those that name no customer; records of other customers count
	// nowhere. Reports carry it as entity.customerId.
	Customer string
}

// Stats count what an Accumulator saw.
type Stats struct {
	Records       int64 // records fed
	OtherCustomer int64 // records of another customer than Options.Customer
	Anonymous     int64 // mentions before as-of naming no email, username or display name
}

// Accumulator is the mergeable state of one worker. It is fed borrowed
// records (source.Sink) and copies only the keys it keeps; once they
// exist, a record costs no allocation. Its memory grows with the distinct
// observations and the distinct (observation, day) pairs of the days kept.
type Accumulator struct {
	opts *config // shared by siblings, read-only
	obs  *obsStore

	// cells: per (observation, day), the sums of that day.
	cells     map[cellKey]int32
	cellVals  []cell
	paramPool []paramLink
	projPool  []projLink

	// Action parameters: raw (category, action) -> parameter id, or
	// noID when the action names none; ids index paramNames.
	actIndex   map[string]uint32
	paramIndex map[string]uint32
	paramNames []string
	// Projects: (system, project) -> id.
	projIndex map[string]uint32
	projKeys  []string

	newest int64 // latest time of any record or element before as-of
	// later is the earliest time of any record or element at or after
	// as-of (MaxInt64 if none): up to it, a later as-of counts the same
	// records (Store.AnswersAsOf).
	later int64
	stats Stats

	key   []byte // scratch for the event and project keys
	keyer identity.Keyer
	named observe.Named[int32] // whom the current record has counted on which day
	hint  int32                // the last day found
}

// config is what siblings share.
type config struct {
	first    Date
	loc      *time.Location
	starts   []int64 // n+1 day boundaries, Unix ns, non-decreasing
	end      int64   // nothing at or after it: the last day's end or as-of
	asOf     int64
	customer string
}

type cellKey struct {
	obs uint32
	day int32
}

type cell struct {
	events int64 // sum of count
	last   int64 // latest mention that day
	params int32 // list head in paramPool, -1 for none
	projs  int32 // list head in projPool, -1 for none
}

type paramLink struct {
	param uint32
	next  int32
	sum   int64
}

type projLink struct {
	proj uint32
	next int32
}

const noID = ^uint32(0)

// maxDays bounds the days one Accumulator keeps.
const maxDays = 100_000

// NewAccumulator returns empty state for opts.
func NewAccumulator(opts Options) (*Accumulator, error) {
	if !opts.First.valid() || !opts.Last.valid() {
		return nil, errors.New("dates must lie in the years 1678-2261")
	}
	if opts.Last < opts.First {
		return nil, errors.New("the last date is before the first")
	}
	n := int(opts.Last-opts.First) + 1
	if n > maxDays {
		return nil, errors.New("too many dates")
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	c := &config{first: opts.First, loc: loc, starts: make([]int64, n+1), customer: opts.Customer, asOf: math.MaxInt64}
	for i := range c.starts {
		s := (opts.First + Date(i)).Start(loc)
		if i > 0 && s < c.starts[i-1] { // a day a zone skipped
			s = c.starts[i-1]
		}
		c.starts[i] = s
	}
	c.end = c.starts[n]
	if !opts.AsOf.IsZero() {
		c.asOf = opts.AsOf.UnixNano()
		c.end = min(c.end, c.asOf)
	}
	return newAccumulator(c, newObsStore()), nil
}

// Sibling returns empty state of a's configuration sharing a's
// observations, for another worker of the same scan. Siblings may be fed
// concurrently, each from one goroutine.
func (a *Accumulator) Sibling() *Accumulator { return newAccumulator(a.opts, a.obs) }

func newAccumulator(c *config, obs *obsStore) *Accumulator {
	return &Accumulator{
		opts: c, obs: obs,
		cells:      make(map[cellKey]int32),
		actIndex:   make(map[string]uint32),
		paramIndex: make(map[string]uint32),
		projIndex:  make(map[string]uint32),
		newest:     record.NoTime,
		later:      math.MaxInt64,
		key:        make([]byte, 0, 256),
		hint:       -1,
	}
}

// Record adds one record. It implements source.Sink.
func (a *Accumulator) Record(r *record.Record) {
	a.stats.Records++
	if c := a.opts.customer; c != "" && r.Customer != "" && r.Customer != c {
		a.stats.OtherCustomer++
		return
	}
	a.named.Reset()
	param := noID
	if r.Action != "" {
		param = a.param(r.Category, r.Action)
	}
	if r.Time < a.opts.asOf {
		a.newest = max(a.newest, r.Time)
		if r.User.Named() {
			a.mention(r, &r.User, r.System, r.Project, r.Time, param)
		}
	} else {
		a.later = min(a.later, r.Time)
	}
	// A users[] element may carry its own time, earlier or later.
	for i := range r.Users {
		e := &r.Users[i]
		t, system, project := e.Time, e.System, e.Project
		if t == record.NoTime {
			t = r.Time
		}
		if t >= a.opts.asOf {
			a.later = min(a.later, t)
			continue
		}
		a.newest = max(a.newest, t)
		if !e.User.Named() {
			continue
		}
		if system == "" {
			system = r.System
		}
		if project == "" {
			project = r.Project
		}
		a.mention(r, &e.User, system, project, t, param)
	}
}

// mention is user u named by r at t (before as-of), in system and project.
func (a *Accumulator) mention(r *record.Record, u *record.User, system, project string, t int64, param uint32) {
	k, ok := a.keyer.Key(system, u)
	if !ok { // resolution would count it anonymous: it is nobody's report
		a.stats.Anonymous++
		return
	}
	obs := a.addObs(k, t)

	day := a.day(t)
	if day < 0 {
		return
	}
	ck := cellKey{obs: obs, day: day}
	// Named again the same day: the same observation counts once; another
	// spelling with the same email is the same identity, whose day counts
	// the record once, its projects still counting.
	again := a.named.Add(day, obs, a.keyer.Email())
	if again == observe.SameObs {
		return
	}
	counted := again == observe.SamePerson
	ci, ok := a.cells[ck]
	if !ok {
		ci = int32(len(a.cellVals))
		a.cells[ck] = ci
		a.cellVals = append(a.cellVals, cell{last: t, params: -1, projs: -1})
	}
	c := &a.cellVals[ci]
	c.last = max(c.last, t)
	if !counted {
		c.events = tally.AddSat(c.events, r.Count)
		if param != noID {
			c.params = a.addParam(c.params, param, r.Count)
		}
	}
	if project != "" {
		c.projs = a.addProject(c.projs, a.project(system, project))
	}
}

// day is the index of the day holding t, or -1 outside the days kept.
func (a *Accumulator) day(t int64) int32 {
	s := a.opts.starts
	if t < s[0] || t >= a.opts.end {
		return -1
	}
	if h := a.hint; h >= 0 && s[h] <= t && t < s[h+1] {
		return h
	}
	lo, hi := 0, len(s)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m+1] <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	a.hint = int32(lo)
	return a.hint
}

// param is the parameter id of (category, action), or noID.
func (a *Accumulator) param(category, action string) uint32 {
	k := varint.AppendField(varint.AppendField(a.key[:0], category), action)
	a.key = k
	id, ok := a.actIndex[string(k)]
	if !ok {
		id = noID
		if name, ok := ActionParameter(category, action); ok {
			id = tally.Intern(a.paramIndex, &a.paramNames, name)
		}
		a.actIndex[string(k)] = id
	}
	return id
}

func (a *Accumulator) project(system, project string) uint32 {
	k := varint.AppendField(varint.AppendField(a.key[:0], system), project)
	a.key = k
	if id, ok := a.projIndex[string(k)]; ok {
		return id
	}
	return tally.Intern(a.projIndex, &a.projKeys, string(k))
}

// addParam adds n to param in the list at head and returns the head.
func (a *Accumulator) addParam(head int32, param uint32, n int64) int32 {
	for i := head; i >= 0; i = a.paramPool[i].next {
		if p := &a.paramPool[i]; p.param == param {
			p.sum = tally.AddSat(p.sum, n)
			return head
		}
	}
	a.paramPool = append(a.paramPool, paramLink{param: param, next: head, sum: n})
	return int32(len(a.paramPool) - 1)
}

// addProject adds proj to the set at head and returns the head.
func (a *Accumulator) addProject(head int32, proj uint32) int32 {
	for i := head; i >= 0; i = a.projPool[i].next {
		if a.projPool[i].proj == proj {
			return head
		}
	}
	a.projPool = append(a.projPool, projLink{proj: proj, next: head})
	return int32(len(a.projPool) - 1)
}

// Merge folds o into a. o must not be used afterwards. Merging is
// associative and commutative, so any split of the input gives the same
// reports; siblings merge without remapping their observations.
func (a *Accumulator) Merge(o *Accumulator) {
	if o == a {
		return
	}
	a.settle()
	aobs, oobs := a.obs, o.obs.Live()
	aobs.Absorb(oobs, mergeObs)
	params := make([]uint32, len(o.paramNames))
	for i, n := range o.paramNames {
		params[i] = tally.Intern(a.paramIndex, &a.paramNames, n)
	}
	projs := make([]uint32, len(o.projKeys))
	for i, k := range o.projKeys {
		projs[i] = tally.Intern(a.projIndex, &a.projKeys, k)
	}
	for k, ci := range o.cells {
		src := &o.cellVals[ci]
		k.obs = o.obs.LiveID(k.obs)
		di, ok := a.cells[k]
		if !ok {
			di = int32(len(a.cellVals))
			a.cells[k] = di
			a.cellVals = append(a.cellVals, cell{last: src.last, params: -1, projs: -1})
		}
		// a.cellVals may move as the pools grow; index it each time.
		a.cellVals[di].events = tally.AddSat(a.cellVals[di].events, src.events)
		a.cellVals[di].last = max(a.cellVals[di].last, src.last)
		for i := src.params; i >= 0; i = o.paramPool[i].next {
			p := o.paramPool[i]
			a.cellVals[di].params = a.addParam(a.cellVals[di].params, params[p.param], p.sum)
		}
		for i := src.projs; i >= 0; i = o.projPool[i].next {
			a.cellVals[di].projs = a.addProject(a.cellVals[di].projs, projs[o.projPool[i].proj])
		}
	}
	a.newest = max(a.newest, o.newest)
	a.later = min(a.later, o.later)
	a.stats.Records += o.stats.Records
	a.stats.OtherCustomer += o.stats.OtherCustomer
	a.stats.Anonymous += o.stats.Anonymous
	*o = Accumulator{obs: oobs}
}

// settle re-keys a's cells when a's store was merged into another (a
// sibling's merge moved it), so that they hold live ids again.
func (a *Accumulator) settle() {
	if !a.obs.Moved() {
		return
	}
	cells := make(map[cellKey]int32, len(a.cells))
	for k, ci := range a.cells {
		k.obs = a.obs.LiveID(k.obs)
		cells[k] = ci
	}
	a.cells, a.obs = cells, a.obs.Live()
}

// Stats are the counts of what a saw (after merging, of the whole input).
func (a *Accumulator) Stats() Stats { return a.stats }
