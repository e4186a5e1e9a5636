package analytics

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unsafe"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/record"
)

// Options fix what an Accumulator collects.
type Options struct {
	// From and To are the first and last day whose activity is kept per
	// user and day, inclusive; only their dates matter.
	From, To time.Time
	// Location draws the day boundaries; nil means UTC.
	Location *time.Location
	// AsOf is "now": mentions at or after it count nowhere. Zero means no
	// limit.
	AsOf time.Time
	// SessionGap: without a session id, a gap of more than this between
	// two activities of a user starts a new session. Zero means 30m.
	SessionGap time.Duration
	// Filters keep a mention only when it passes all of them.
	Filters []*Filter
	// Latest are the fields whose latest value per user is kept, for
	// segmentation.
	Latest []Field
	// AllProps keeps the latest value of plan, customer and every
	// props.NAME per user (the clients report).
	AllProps bool
	// Events keeps occurrences per user, day and event (category/action).
	Events bool
}

// DefaultSessionGap is the gap that starts a new session without a
// session id.
const DefaultSessionGap = 30 * time.Minute

// Quality counts what the accumulator saw and left out. A mention is a
// record's own user or one users[] element.
type Quality struct {
	Records   int64 // records seen
	Mentions  int64 // mentions of a user, named or not
	AfterAsOf int64 // mentions at or after as-of
	Filtered  int64 // mentions the filters dropped
	Anonymous int64 // mentions with no email, username or display name
	OutOfDays int64 // kept mentions outside the days kept per user
}

func (q *Quality) add(o Quality) {
	q.Records += o.Records
	q.Mentions += o.Mentions
	q.AfterAsOf += o.AfterAsOf
	q.Filtered += o.Filtered
	q.Anonymous += o.Anonymous
	q.OutOfDays += o.OutOfDays
}

// config is the read-only part of an accumulator, shared by siblings.
type config struct {
	opts    Options
	cal     *calendar
	asOf    int64 // math.MaxInt64 when there is none
	gap     int64 // ns
	latestN int   // fields of Options.Latest; AllProps fields come after
}

// Accumulator is the mergeable state of one worker, fed borrowed records
// (it implements source.Sink). Its state is per distinct observation of a
// user and per (observation, day); once those keys exist a record costs
// no allocation.
type Accumulator struct {
	cfg *config

	// Distinct observations: key (see observe) -> id.
	obsIndex map[string]uint32
	obsKeys  []string
	obsStats []obsStat

	// cells: per (observation, day) activity; cellState indexed by the
	// map's value.
	cells     map[cellKey]uint32
	cellState []cellState
	spans     spanArena // gap-rule sessions of every cell
	sessions  map[sessKey]sessSpan

	events    map[evKey]int64 // occurrences per (cell, event)
	evIndex   map[evName]uint32
	evNames   []evName
	lastEvent uint32

	// Latest values per (observation, field): field ids index fields.
	latest   map[latestKey]latestVal
	fieldIdx map[string]uint32
	fields   []string
	valIdx   map[string]uint32
	vals     []string

	stats Quality

	key   []byte // scratch: observation keys
	email []byte // scratch: email normalisation
	val   []byte // scratch: field values
	hint  Day
	m     Mention
}

type obsStat struct {
	count       int64
	first, last int64 // Unix ns, before as-of
}

type cellKey struct {
	obs uint32
	day Day
}

type cellState struct {
	events int64 // sum of count
	gap    int32 // head of the cell's gap-rule spans in spans, or -1
}

type sessKey struct {
	cell uint32
	id   uint64 // FNV-1a of the session id
}

// sessSpan is what one session id of a user covers on one day.
type sessSpan struct {
	first, last int64
	dur         int64 // ns of duration given, summed
	hasDur      bool
}

type evKey struct {
	cell uint32
	ev   uint32
}

// evName is an event: its category (may be empty) and action.
type evName struct{ category, action string }

type latestKey struct {
	obs   uint32
	field uint32
}

type latestVal struct {
	t   int64
	val uint32
}

// NewAccumulator returns empty state for opts.
func NewAccumulator(opts Options) (*Accumulator, error) {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.SessionGap == 0 {
		opts.SessionGap = DefaultSessionGap
	}
	if opts.SessionGap < 0 {
		return nil, errors.New("the session gap must be positive")
	}
	cal, err := newCalendar(DayOfDate(opts.From), DayOfDate(opts.To), opts.Location)
	if err != nil {
		return nil, err
	}
	for _, f := range opts.Latest {
		if !f.Segmentable() {
			return nil, fmt.Errorf("%s cannot segment users (a time has no segments)", f.Name)
		}
	}
	cfg := &config{opts: opts, cal: cal, asOf: math.MaxInt64, gap: int64(opts.SessionGap), latestN: len(opts.Latest)}
	if !opts.AsOf.IsZero() {
		cfg.asOf = opts.AsOf.UnixNano()
	}
	return newAccumulator(cfg), nil
}

// Sibling returns empty state of a's configuration, for another worker.
func (a *Accumulator) Sibling() *Accumulator { return newAccumulator(a.cfg) }

func newAccumulator(cfg *config) *Accumulator {
	a := &Accumulator{
		cfg:       cfg,
		obsIndex:  make(map[string]uint32),
		cells:     make(map[cellKey]uint32),
		sessions:  make(map[sessKey]sessSpan),
		evIndex:   make(map[evName]uint32),
		latest:    make(map[latestKey]latestVal),
		fieldIdx:  make(map[string]uint32),
		valIdx:    make(map[string]uint32),
		key:       make([]byte, 0, 256),
		email:     make([]byte, 0, 64),
		hint:      noDay,
		lastEvent: noID,
	}
	if cfg.opts.Events {
		a.events = make(map[evKey]int64)
	}
	for _, f := range cfg.opts.Latest {
		a.field(f.Name)
	}
	return a
}

const noID = ^uint32(0)

// Record adds one record. It implements source.Sink.
func (a *Accumulator) Record(r *record.Record) {
	a.stats.Records++
	if r.User.Named() || len(r.Users) == 0 {
		mentionOf(&a.m, r, nil)
		a.mention(&a.m)
	}
	for i := range r.Users {
		if !r.Users[i].User.Named() {
			continue
		}
		mentionOf(&a.m, r, &r.Users[i])
		a.mention(&a.m)
	}
}

func (a *Accumulator) mention(m *Mention) {
	a.stats.Mentions++
	if m.Time >= a.cfg.asOf {
		a.stats.AfterAsOf++
		return
	}
	if !MatchAll(a.cfg.opts.Filters, m) {
		a.stats.Filtered++
		return
	}
	u := m.User
	var email []byte
	if u.Email != "" {
		var ok bool
		if a.email, ok = record.NormalizeEmail(a.email[:0], u.Email); ok {
			email = a.email
		}
	}
	if len(email) == 0 && u.Username == "" && u.DisplayName == "" {
		a.stats.Anonymous++ // resolution would name nobody
		return
	}
	obs := a.observe(u, m.System, email, m.Time)
	a.keepLatest(obs, m)

	day := a.cfg.cal.day(m.Time, a.hint)
	if day == noDay {
		a.stats.OutOfDays++
		return
	}
	a.hint = day
	r := m.R
	ci := a.cell(obs, day)
	c := &a.cellState[ci]
	c.events = addSat(c.events, r.Count)
	var dur int64
	if r.HasDuration {
		dur = durationNs(r.Duration)
	}
	if r.Session != "" {
		k := sessKey{cell: ci, id: hashString(r.Session)}
		s, ok := a.sessions[k]
		if !ok {
			s = sessSpan{first: m.Time, last: m.Time}
		}
		s.first, s.last = min(s.first, m.Time), max(s.last, m.Time)
		s.dur = addSat(s.dur, dur)
		s.hasDur = s.hasDur || r.HasDuration
		a.sessions[k] = s
	} else {
		a.spans.add(&c.gap, span{first: m.Time, last: m.Time, dur: dur, hasDur: r.HasDuration}, a.cfg.gap)
	}
	if a.events != nil {
		k := evKey{cell: ci, ev: a.event(r.Category, r.Action)}
		a.events[k] = addSat(a.events[k], r.Count)
	}
}

// cell returns the index of (obs, day)'s state, making it if need be.
func (a *Accumulator) cell(obs uint32, day Day) uint32 {
	k := cellKey{obs: obs, day: day}
	i, ok := a.cells[k]
	if !ok {
		i = uint32(len(a.cellState))
		a.cells[k] = i
		a.cellState = append(a.cellState, cellState{gap: -1})
	}
	return i
}

// observe notes one observation and returns its id. The key holds every
// field identity resolution reads, length-prefixed.
func (a *Accumulator) observe(u *record.User, system string, email []byte, t int64) uint32 {
	k := identity.AppendKey(a.key[:0], system, email, u)
	a.key = k
	id, ok := a.obsIndex[string(k)]
	if !ok {
		key := string(k)
		id = uint32(len(a.obsKeys))
		a.obsIndex[key] = id
		a.obsKeys = append(a.obsKeys, key)
		a.obsStats = append(a.obsStats, obsStat{first: t, last: t})
	}
	s := &a.obsStats[id]
	s.count++
	s.first, s.last = min(s.first, t), max(s.last, t)
	return id
}

// keepLatest updates the latest values of the fields kept per user.
func (a *Accumulator) keepLatest(obs uint32, m *Mention) {
	for i := range a.cfg.opts.Latest {
		f := &a.cfg.opts.Latest[i]
		var ok bool
		a.val, ok = f.value(m, a.val[:0])
		if ok {
			a.setLatest(obs, uint32(i), m.Time, view(a.val))
		}
	}
	if !a.cfg.opts.AllProps {
		return
	}
	r := m.R
	if r.Plan != "" {
		a.setLatest(obs, a.field("plan"), m.Time, r.Plan)
	}
	if r.Customer != "" {
		a.setLatest(obs, a.field("customer"), m.Time, r.Customer)
	}
	for _, p := range r.Props {
		if p.Value == "" {
			continue
		}
		a.val = append(append(a.val[:0], "props."...), p.Key...)
		id, ok := a.fieldIdx[string(a.val)]
		if !ok {
			id = a.field(string(a.val))
		}
		a.setLatest(obs, id, m.Time, p.Value)
	}
}

// setLatest keeps v (borrowed) for (obs, field) when it is the latest so
// far; of two values at one instant the smaller wins, so the result does
// not depend on the order of the input.
func (a *Accumulator) setLatest(obs, field uint32, t int64, v string) {
	k := latestKey{obs: obs, field: field}
	cur, ok := a.latest[k]
	if ok && (t < cur.t || t == cur.t && v >= a.vals[cur.val]) {
		return
	}
	a.latest[k] = latestVal{t: t, val: a.value(v)}
}

func (a *Accumulator) field(name string) uint32 {
	if id, ok := a.fieldIdx[name]; ok {
		return id
	}
	name = strings.Clone(name)
	id := uint32(len(a.fields))
	a.fieldIdx[name] = id
	a.fields = append(a.fields, name)
	return id
}

func (a *Accumulator) value(v string) uint32 {
	if id, ok := a.valIdx[v]; ok {
		return id
	}
	s := strings.Clone(v)
	id := uint32(len(a.vals))
	a.valIdx[s] = id
	a.vals = append(a.vals, s)
	return id
}

// event returns the id of (category, action); the last one is cached.
func (a *Accumulator) event(category, action string) uint32 {
	if a.lastEvent != noID {
		if n := a.evNames[a.lastEvent]; n.category == category && n.action == action {
			return a.lastEvent
		}
	}
	k := evName{category, action}
	id, ok := a.evIndex[k]
	if !ok {
		k = evName{strings.Clone(category), strings.Clone(action)}
		id = uint32(len(a.evNames))
		a.evIndex[k] = id
		a.evNames = append(a.evNames, k)
	}
	a.lastEvent = id
	return id
}

// Merge folds o into a; o must not be used afterwards. Merging is
// associative and commutative, so any split of the input gives the same
// state.
func (a *Accumulator) Merge(o *Accumulator) {
	if o == a {
		return
	}
	if len(o.cells) > len(a.cells) {
		*a, *o = *o, *a
	}
	obs := make([]uint32, len(o.obsKeys))
	for i, key := range o.obsKeys {
		src := o.obsStats[i]
		id, ok := a.obsIndex[key]
		if !ok {
			id = uint32(len(a.obsKeys))
			a.obsIndex[key] = id
			a.obsKeys = append(a.obsKeys, key)
			a.obsStats = append(a.obsStats, src)
		} else {
			s := &a.obsStats[id]
			s.count += src.count
			s.first, s.last = min(s.first, src.first), max(s.last, src.last)
		}
		obs[i] = id
	}
	cellOf := make([]uint32, len(o.cellState))
	for k, i := range o.cells {
		ci := a.cell(obs[k.obs], k.day)
		cellOf[i] = ci
		src := &o.cellState[i]
		c := &a.cellState[ci]
		c.events = addSat(c.events, src.events)
		for s := src.gap; s >= 0; s = o.spans.s[s].next {
			a.spans.add(&a.cellState[ci].gap, o.spans.s[s], a.cfg.gap)
		}
	}
	for k, s := range o.sessions {
		k.cell = cellOf[k.cell]
		cur, ok := a.sessions[k]
		if ok {
			s.first, s.last = min(s.first, cur.first), max(s.last, cur.last)
			s.dur = addSat(s.dur, cur.dur)
			s.hasDur = s.hasDur || cur.hasDur
		}
		a.sessions[k] = s
	}
	if o.events != nil {
		evs := make([]uint32, len(o.evNames))
		for i, n := range o.evNames {
			evs[i] = a.event(n.category, n.action)
		}
		for k, n := range o.events {
			k = evKey{cell: cellOf[k.cell], ev: evs[k.ev]}
			a.events[k] = addSat(a.events[k], n)
		}
	}
	fields := make([]uint32, len(o.fields))
	for i, f := range o.fields {
		fields[i] = a.field(f)
	}
	for k, v := range o.latest {
		a.setLatest(obs[k.obs], fields[k.field], v.t, o.vals[v.val])
	}
	a.stats.add(o.stats)
	*o = Accumulator{}
}

// view is b as a string without a copy, for a lookup or a value that is
// cloned before it is kept.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// addSat adds two non-negative numbers, stopping at the largest int64.
func addSat(x, y int64) int64 {
	if s := x + y; s >= x {
		return s
	}
	return math.MaxInt64
}

// durationNs converts a duration in seconds to whole nanoseconds: sums of
// integers do not depend on the order they are added in.
func durationNs(sec float64) int64 {
	switch {
	case !(sec > 0):
		return 0
	case sec >= math.MaxInt64/1e9:
		return math.MaxInt64
	}
	return int64(math.Round(sec * 1e9))
}

// hashString is FNV-1a, 64 bits: session ids are compared by hash within
// one user, where a collision is vanishingly unlikely.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
