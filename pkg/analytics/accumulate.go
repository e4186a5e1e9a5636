package analytics

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unsafe"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/internal/tally"
	"github.com/usagerep/usagerep/pkg/observe"
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
	// By is what a client is; ByUserID keys observations by system and
	// user id instead of identity fields, BySession keeps events per
	// session.
	By ClientBy
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
	NoUserID  int64 // with ByUserID: mentions without a user_id
	OutOfDays int64 // kept mentions outside the days kept per user
}

func (q *Quality) add(o Quality) {
	q.Records += o.Records
	q.Mentions += o.Mentions
	q.AfterAsOf += o.AfterAsOf
	q.Filtered += o.Filtered
	q.Anonymous += o.Anonymous
	q.NoUserID += o.NoUserID
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
// (it implements source.Sink). The distinct observations of users are in
// a store that siblings share, so each is kept once whichever worker saw
// it; what is kept per (observation, day) is the worker's own part, which
// a merge hands over whole rather than folds: Build visits every cell
// anyway, and a merge of siblings costs nothing. Once its keys exist a
// record costs no allocation.
type Accumulator struct {
	cfg *config

	obs   *observe.Store // shared by siblings
	own   *part
	parts []*part // merged accumulators' parts, and own ones from before a move

	stats Quality

	key   []byte // scratch: user id keys
	keyer identity.Keyer
	// Whom the current record has named so far, and when.
	named observe.Named[int64]
	val   []byte // scratch: field values
	hint  Day
	m     Mention
}

// part is one worker's activity per (observation, day). Its observation
// ids are ids of obs, resolved through obs's moves once it merged into
// another store; events, fields and values have ids of its own tables.
type part struct {
	obs *observe.Store

	// cells: per (observation, day) activity; cellState indexed by the
	// map's value.
	cells     map[cellKey]uint32
	cellState []cellState
	spans     spanArena // gap-rule sessions of every cell
	sessions  map[sessKey]sessSpan

	events map[evKey]int64 // occurrences per (cell, event); nil without Options.Events or BySession
	// BySession: the events of session ids per (cell, id, event), the
	// total under event noID (event ids only with Options.Events), and
	// the ids' text; gap-rule spans keep theirs in spans.x.
	sessEvents map[sessEvKey]int64
	sessNames  map[uint64]string
	evIndex    map[evName]uint32
	evNames    []evName
	lastEvent  uint32

	// Latest values per (observation, field): field ids index fields, the
	// first ones those of Options.Latest.
	latest   map[latestKey]latestVal
	fieldIdx map[string]uint32
	fields   []string
	valIdx   map[string]uint32
	vals     []string
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

type sessEvKey struct {
	sessKey
	ev uint32
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
	return newAccumulator(cfg, observe.NewStore()), nil
}

// Sibling returns empty state of a's configuration sharing a's
// observations, for another worker: siblings may be fed concurrently,
// each from one goroutine, and merge like any accumulators.
func (a *Accumulator) Sibling() *Accumulator { return newAccumulator(a.cfg, a.obs.Live()) }

func newAccumulator(cfg *config, obs *observe.Store) *Accumulator {
	return &Accumulator{
		cfg:  cfg,
		obs:  obs,
		own:  newPart(cfg, obs),
		key:  make([]byte, 0, 256),
		hint: noDay,
	}
}

func newPart(cfg *config, obs *observe.Store) *part {
	p := &part{
		obs:       obs,
		cells:     make(map[cellKey]uint32),
		sessions:  make(map[sessKey]sessSpan),
		evIndex:   make(map[evName]uint32),
		latest:    make(map[latestKey]latestVal),
		fieldIdx:  make(map[string]uint32),
		valIdx:    make(map[string]uint32),
		lastEvent: noID,
	}
	switch {
	case cfg.opts.By == BySession:
		p.sessEvents = make(map[sessEvKey]int64)
		p.sessNames = make(map[uint64]string)
		p.spans.perSpan = true
	case cfg.opts.Events:
		p.events = make(map[evKey]int64)
	}
	// Options.Latest's fields are ids 0.. in order, as keepLatest uses
	// them.
	for i, f := range cfg.opts.Latest {
		if _, ok := p.fieldIdx[f.Name]; !ok {
			p.fieldIdx[f.Name] = uint32(i)
		}
		p.fields = append(p.fields, f.Name)
	}
	return p
}

// empty says whether p holds nothing: sessions and events belong to cells.
func (p *part) empty() bool { return len(p.cells) == 0 && len(p.latest) == 0 }

const noID = ^uint32(0)

// Record adds one record. It implements source.Sink.
func (a *Accumulator) Record(r *record.Record) {
	if a.obs.Moved() {
		a.rebase()
	}
	a.stats.Records++
	a.named.Reset()
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

// rebase follows a's store to where a merge moved it; the part so far
// keeps its ids, resolved through the old store.
func (a *Accumulator) rebase() {
	if !a.own.empty() {
		a.parts = append(a.parts, a.own)
	}
	a.obs = a.obs.Live()
	a.own = newPart(a.cfg, a.obs)
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
	var key []byte
	if a.cfg.opts.By == ByUserID {
		// The id alone is the client, whoever else the mention names.
		if u.UserID == "" {
			a.stats.NoUserID++
			return
		}
		a.key = appendUserIDKey(a.key[:0], m.System, u.UserID)
		key = a.key
	} else {
		k, ok := a.keyer.Key(m.System, u)
		if !ok {
			a.stats.Anonymous++ // resolution would name nobody
			return
		}
		key = k
	}
	obs := observe.Add(a.obs, key, m.Time)
	a.keepLatest(obs, m)

	day := a.cfg.cal.day(m.Time, a.hint)
	if day == noDay {
		a.stats.OutOfDays++
		return
	}
	a.hint = day
	var email []byte
	if a.cfg.opts.By != ByUserID {
		email = a.keyer.Email()
	}
	// A person named again at the same instant (the same observation, or
	// one with the same email) adds no activity of their own.
	if a.named.Add(m.Time, obs, email) != observe.New {
		return // the record's events and duration count once for this person
	}
	r := m.R
	p := a.own
	ci := p.cell(obs, day)
	c := &p.cellState[ci]
	c.events = tally.AddSat(c.events, r.Count)
	var dur int64
	if r.HasDuration {
		dur = durationNs(r.Duration)
	}
	if r.Session != "" {
		k := sessKey{cell: ci, id: hashString(r.Session)}
		s, ok := p.sessions[k]
		if !ok {
			s = sessSpan{first: m.Time, last: m.Time}
		}
		s.first, s.last = min(s.first, m.Time), max(s.last, m.Time)
		s.dur = tally.AddSat(s.dur, dur)
		s.hasDur = s.hasDur || r.HasDuration
		p.sessions[k] = s
		if p.sessEvents != nil {
			p.sessionEvent(k, r, a.cfg.opts.Events)
		}
	} else {
		i := p.spans.add(&c.gap, span{first: m.Time, last: m.Time, dur: dur, hasDur: r.HasDuration}, a.cfg.gap)
		if p.spans.perSpan {
			ev := noID
			if a.cfg.opts.Events {
				ev = p.event(r.Category, r.Action)
			}
			p.spans.addEvents(i, ev, r.Count)
		}
	}
	if p.events != nil {
		k := evKey{cell: ci, ev: p.event(r.Category, r.Action)}
		p.events[k] = tally.AddSat(p.events[k], r.Count)
	}
}

// sessionEvent adds r's events to session k's (BySession).
func (p *part) sessionEvent(k sessKey, r *record.Record, events bool) {
	if _, ok := p.sessNames[k.id]; !ok {
		p.sessNames[k.id] = strings.Clone(r.Session)
	}
	t := sessEvKey{sessKey: k, ev: noID}
	p.sessEvents[t] = tally.AddSat(p.sessEvents[t], r.Count)
	if events {
		t.ev = p.event(r.Category, r.Action)
		p.sessEvents[t] = tally.AddSat(p.sessEvents[t], r.Count)
	}
}

// cell returns the index of (obs, day)'s state, making it if need be.
func (p *part) cell(obs uint32, day Day) uint32 {
	k := cellKey{obs: obs, day: day}
	i, ok := p.cells[k]
	if !ok {
		i = uint32(len(p.cellState))
		p.cells[k] = i
		p.cellState = append(p.cellState, cellState{gap: -1})
	}
	return i
}

// keepLatest updates the latest values of the fields kept per user.
func (a *Accumulator) keepLatest(obs uint32, m *Mention) {
	p := a.own
	for i := range a.cfg.opts.Latest {
		f := &a.cfg.opts.Latest[i]
		var ok bool
		a.val, ok = f.value(m, a.val[:0])
		if ok {
			p.setLatest(obs, uint32(i), m.Time, view(a.val))
		}
	}
	if !a.cfg.opts.AllProps {
		return
	}
	r := m.R
	if r.Plan != "" {
		p.setLatest(obs, p.field("plan"), m.Time, r.Plan)
	}
	if r.Customer != "" {
		p.setLatest(obs, p.field("customer"), m.Time, r.Customer)
	}
	for _, pr := range r.Props {
		if pr.Value == "" {
			continue
		}
		a.val = append(append(a.val[:0], "props."...), pr.Key...)
		p.setLatest(obs, p.field(view(a.val)), m.Time, pr.Value)
	}
}

// setLatest keeps v (borrowed) for (obs, field) when it is the latest so
// far; of two values at one instant the smaller wins, so the result does
// not depend on the order of the input.
func (p *part) setLatest(obs, field uint32, t int64, v string) {
	k := latestKey{obs: obs, field: field}
	cur, ok := p.latest[k]
	if ok && (t < cur.t || t == cur.t && v >= p.vals[cur.val]) {
		return
	}
	p.latest[k] = latestVal{t: t, val: p.value(v)}
}

// field returns the id of a field name (borrowed).
func (p *part) field(name string) uint32 {
	if id, ok := p.fieldIdx[name]; ok {
		return id
	}
	name = strings.Clone(name)
	id := uint32(len(p.fields))
	p.fieldIdx[name] = id
	p.fields = append(p.fields, name)
	return id
}

func (p *part) value(v string) uint32 {
	if id, ok := p.valIdx[v]; ok {
		return id
	}
	s := strings.Clone(v)
	id := uint32(len(p.vals))
	p.valIdx[s] = id
	p.vals = append(p.vals, s)
	return id
}

// event returns the id of (category, action); the last one is cached.
func (p *part) event(category, action string) uint32 {
	if p.lastEvent != noID {
		if n := p.evNames[p.lastEvent]; n.category == category && n.action == action {
			return p.lastEvent
		}
	}
	k := evName{category, action}
	id, ok := p.evIndex[k]
	if !ok {
		k = evName{strings.Clone(category), strings.Clone(action)}
		id = uint32(len(p.evNames))
		p.evIndex[k] = id
		p.evNames = append(p.evNames, k)
	}
	p.lastEvent = id
	return id
}

// Merge folds o into a; o must not be used afterwards. Merging is
// associative and commutative, so any split of the input gives the same
// state. Observations fold into a's store, unless o shares it (a
// sibling); o's parts join a's as they are, for Build to fold.
func (a *Accumulator) Merge(o *Accumulator) {
	if o == a {
		return
	}
	a.obs.Live().Absorb(o.obs.Live(), observe.MergeStat)
	if !o.own.empty() {
		a.parts = append(a.parts, o.own)
	}
	a.parts = append(a.parts, o.parts...)
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
