package access

import (
	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/internal/tally"
	"github.com/usagerep/usagerep/pkg/observe"
	"github.com/usagerep/usagerep/pkg/record"
)

// Accumulator is the mergeable state of one worker. It is fed borrowed
// records (source.Sink) and copies only the keys it keeps; once a key
// exists, a record costs no allocation.
type Accumulator struct {
	days *days // shared by siblings, read-only
	plan string

	// obs holds the distinct observations (key: identity.AppendKey of system,
	// email, username, display name, first name, last name, company,
	// user_id, then the service flag); siblings share it.
	obs *observe.Store

	projIndex map[string]uint32
	projNames []string
	actIndex  map[string]uint32
	actNames  []string // "" (no action) is an action id like any other

	// own holds, per (day, observation, project, action), the sum of
	// count; merged accumulators' cells stay in parts, folded by Build.
	own   cellPart
	parts []cellPart

	stats Quality

	keyer identity.Keyer
	named observe.Named[cellScope] // whom the current record has counted where
	hint  int32                    // the last day found
	lastP uint32                   // the last project's id (a cache)
	lastA uint32                   // the last action's id (a cache)
}

// cellPart is one accumulator's cells: ids of observations are ids of obs
// (resolved through its moves); projects and actions map into the
// holder's tables through proj and act (nil: the same ids).
type cellPart struct {
	obs       *observe.Store
	cells     map[cellKey]uint32 // -> index into sums: one map operation per mention
	sums      []int64
	proj, act []uint32
}

type cellKey struct {
	day     int32
	obs     uint32
	project uint32
	action  uint32
}

// NewAccumulator returns empty state for opts; it fails when the days are
// not a range (the last before the first, or outside years 1678-2261).
func NewAccumulator(opts Options) (*Accumulator, error) {
	d, err := newDays(opts)
	if err != nil {
		return nil, err
	}
	return newAccumulator(d, opts.Plan, observe.NewStore()), nil
}

// Sibling returns empty state of a's configuration sharing a's
// observations, for another worker: siblings may be fed concurrently, each
// from one goroutine, and merge like any accumulators.
func (a *Accumulator) Sibling() *Accumulator { return newAccumulator(a.days, a.plan, a.obs.Live()) }

func newAccumulator(d *days, plan string, obs *observe.Store) *Accumulator {
	return &Accumulator{
		days: d, plan: plan, obs: obs,
		projIndex: make(map[string]uint32),
		actIndex:  make(map[string]uint32),
		own:       cellPart{obs: obs, cells: make(map[cellKey]uint32)},
		hint:      -1,
		lastP:     noID,
		lastA:     noID,
	}
}

const noID = ^uint32(0)

// Record adds one record. It implements source.Sink.
func (a *Accumulator) Record(r *record.Record) {
	if a.obs.Moved() {
		a.rebase()
	}
	a.stats.Records++
	if a.plan != "" && r.Plan != a.plan {
		a.stats.OtherPlan++
		return
	}
	a.named.Reset()
	own := r.User.Named()
	if own || len(r.Users) == 0 {
		// A record naming nobody at all is an anonymous mention too.
		a.mention(r, &r.User, r.System, r.Project, r.Time)
	}
	for i := range r.Users {
		e := &r.Users[i]
		if !e.User.Named() {
			continue
		}
		t, system, project := e.Time, e.System, e.Project
		if t == record.NoTime {
			t = r.Time
		}
		if system == "" {
			system = r.System
		}
		if project == "" {
			project = r.Project
		}
		a.mention(r, &e.User, system, project, t)
	}
}

// rebase follows a's store to where a merge moved it: the cells so far
// keep resolving through the old one.
func (a *Accumulator) rebase() {
	if len(a.own.cells) > 0 {
		a.parts = append(a.parts, a.own)
	}
	a.obs = a.obs.Live()
	a.own = cellPart{obs: a.obs, cells: make(map[cellKey]uint32)}
}

// mention is one user named by r at time t.
func (a *Accumulator) mention(r *record.Record, u *record.User, system, project string, t int64) {
	day := a.days.index(t, a.hint)
	if day < 0 {
		a.stats.OutOfRange++
		return
	}
	a.hint = day
	key, ok := a.keyer.Key(system, u)
	if !ok { // resolution would count it anonymous: it can be nobody's row
		a.stats.Anonymous++
		return
	}
	obs := observe.Add(a.obs, key, t)
	if project == "" {
		a.stats.NoProject++
		return
	}
	k := cellKey{day: day, obs: obs, project: a.project(project), action: a.action(r.Action)}
	// The same person twice in one place: the record counts once there.
	if a.named.Add(cellScope{day: k.day, project: k.project, action: k.action}, obs, a.keyer.Email()) != observe.New {
		return
	}
	a.own.add(k, r.Count)
}

// cellScope is a cell without its observation: where one person counts
// once per record.
type cellScope struct {
	day             int32
	project, action uint32
}

func (p *cellPart) add(k cellKey, n int64) {
	i, ok := p.cells[k]
	if !ok {
		i = uint32(len(p.sums))
		p.cells[k] = i
		p.sums = append(p.sums, 0)
	}
	p.sums[i] = tally.AddSat(p.sums[i], n)
}

func (a *Accumulator) project(name string) uint32 {
	if a.lastP != noID && a.projNames[a.lastP] == name {
		return a.lastP
	}
	a.lastP = tally.Intern(a.projIndex, &a.projNames, name)
	return a.lastP
}

func (a *Accumulator) action(name string) uint32 {
	if a.lastA != noID && a.actNames[a.lastA] == name {
		return a.lastA
	}
	a.lastA = tally.Intern(a.actIndex, &a.actNames, name)
	return a.lastA
}

// Merge folds o into a. o must not be used afterwards. Merging is
// associative and commutative, so any split of the input gives one report.
// Cells are not folded here but by Build, which visits them once anyway.
func (a *Accumulator) Merge(o *Accumulator) {
	if o == a {
		return
	}
	a.obs.Live().Absorb(o.obs.Live(), observe.MergeStat)
	proj := remap(a.projIndex, &a.projNames, o.projNames)
	act := remap(a.actIndex, &a.actNames, o.actNames)
	o.own.proj, o.own.act = proj, act
	a.parts = append(a.parts, o.own)
	for _, p := range o.parts {
		p.proj, p.act = compose(proj, p.proj), compose(act, p.act)
		a.parts = append(a.parts, p)
	}
	a.stats.add(o.stats)
	*o = Accumulator{}
}

// compose maps through inner (nil: the same ids), then outer.
func compose(outer, inner []uint32) []uint32 {
	if inner == nil {
		return outer
	}
	out := make([]uint32, len(inner))
	for i, id := range inner {
		out[i] = outer[id]
	}
	return out
}

// remap interns names into index and returns each one's new id.
func remap(index map[string]uint32, names *[]string, from []string) []uint32 {
	ids := make([]uint32, len(from))
	for i, n := range from {
		ids[i] = tally.Intern(index, names, n)
	}
	return ids
}
