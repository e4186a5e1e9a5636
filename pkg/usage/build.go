package usage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/slab"
	"github.com/usagerep/usagerep/pkg/internal/varint"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/keystore"
	"github.com/usagerep/usagerep/pkg/record"
)

// TotalRowLabel labels the global row of Unique User Count.
const TotalRowLabel = "Total (all systems)"

// InputStats is what reading one input gave, for the data-quality section.
type InputStats struct {
	Name     string
	Read     int64 // records: good + rejected
	Rejected int64
	Reasons  map[string]int64
}

// BuildOptions say how to turn accumulated state into workbooks.
type BuildOptions struct {
	AsOf     time.Time // in the report's location
	Periods  []PeriodSpec
	Location *time.Location
	// ActiveWithin decides Status when the data has no integration_status.
	ActiveWithin           time.Duration
	ServiceAccountPatterns []string
	Inputs                 []InputStats
	// BetweenStages, when set, is called between the stages of a build
	// (before each workbook, after sealing the store, after preparing the
	// observations, after each window's rows), when what the stage before
	// allocated has just become garbage. A one-shot command passes
	// debug.FreeOSMemory: the next stage allocates arrays of other sizes,
	// and the freed ones would otherwise stay resident.
	BetweenStages func()
}

// NewConfig gives the accumulator configuration for these periods.
func NewConfig(asOf time.Time, periods []PeriodSpec) Config {
	cfg := Config{AsOf: asOf.UnixNano()}
	for _, p := range periods {
		cfg.Starts = append(cfg.Starts, p.Start(asOf).UnixNano())
	}
	return cfg
}

// Build turns the merged state into one workbook model per period.
func Build(acc *Accumulator, opts BuildOptions) *Report {
	bld := NewBuilder(acc, opts)
	rep := bld.Report()
	for i := range opts.Periods {
		rep.Workbooks = append(rep.Workbooks, bld.Workbook(i))
	}
	return rep
}

// Builder makes the workbook models one period at a time, so that a caller
// that renders each before asking for the next holds one window's rows at
// once, not every window's; the identities they come from are never all
// held.
type Builder struct {
	acc   *Accumulator
	opts  BuildOptions
	loc   *time.Location
	asOf  time.Time
	pairs map[string]*scopeStat

	// prepared is every distinct observation, interned once from the
	// store's keys; windows[i] is what period i saw of each, dropped once
	// its identities are resolved. Both come from sealing the store.
	prepared *identity.Prepared
	windows  []identity.Window
	built    []bool // periods whose workbook was built

	// entities[i] is period i's count of synced entities, made when the
	// builder is, so that the entity keys are let go before the
	// identities, the peak, are resolved.
	entities []entityCount
}

// entityCount is a window's distinct synced entities, per system pair
// (keyed by pairKey) and in total.
type entityCount struct {
	perPair map[string]int64
	total   int64
}

// NewBuilder prepares to build acc's workbooks. acc must not change
// afterwards, and is built once: the builder takes its observations and
// synced entities, letting each go once counted or resolved.
func NewBuilder(acc *Accumulator, opts BuildOptions) *Builder {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	bld := &Builder{acc: acc, opts: opts, loc: loc, asOf: opts.AsOf.In(loc), pairs: systemPairScopes(acc.projectPairs),
		built: make([]bool, len(opts.Periods))}
	starts := make([]int64, len(opts.Periods))
	for i, p := range opts.Periods {
		starts[i] = p.Start(bld.asOf).UnixNano()
	}
	bld.entities = countEntities(acc, starts)
	acc.entities = nil
	return bld
}

// Report is the report without its workbooks: what every workbook shares.
func (bld *Builder) Report() *Report {
	return &Report{AsOf: bld.asOf, Location: bld.loc}
}

// Workbook builds the model of period i (an index into BuildOptions.Periods).
// Each period is built once: what only its build needs is let go.
func (bld *Builder) Workbook(i int) Workbook {
	if bld.built[i] {
		panic(fmt.Sprintf("usage: the workbook of period %d was already built", i))
	}
	bld.built[i] = true
	bld.betweenStages()
	p := bld.opts.Periods[i]
	from := p.Start(bld.asOf)
	wb := Workbook{Period: Period{Spec: p.Text, Label: p.Label(), From: from, To: bld.asOf}}
	b := windowBuilder{acc: bld.acc, opts: &bld.opts, win: i, start: from.UnixNano(), loc: bld.loc, wb: &wb, entities: bld.entities[i]}
	b.startUsers()
	b.anonymous = bld.resolve(i, b.user)
	b.endUsers()
	bld.betweenStages()
	if !slices.Contains(bld.built, false) {
		// The last window is resolved: nothing needs the prepared
		// observations while its workbook is written.
		bld.prepared = nil
	}
	b.syncSheets(bld.pairs)
	b.summary()
	return wb
}

func (bld *Builder) betweenStages() {
	if bld.opts.BetweenStages != nil {
		bld.opts.BetweenStages()
	}
}

// resolve resolves window win's identities, hands each to yield in report
// order, and returns the anonymous count.
func (bld *Builder) resolve(win int, yield func(i, n int, id *identity.Identity)) int64 {
	if bld.prepared == nil {
		keys, windows := bld.acc.obs.live().seal()
		bld.windows = windows
		bld.betweenStages()
		bld.prepared = identity.PrepareKeys(keys, identity.Options{ServiceAccountPatterns: bld.opts.ServiceAccountPatterns})
		bld.betweenStages()
	}
	w := bld.windows[win]
	bld.windows[win] = identity.Window{}
	// One identity at a time: the rows are all that is kept of them.
	return bld.prepared.ResolveWindowEach(w, yield)
}

// windowBuilder builds one workbook from the shared state.
type windowBuilder struct {
	acc   *Accumulator
	opts  *BuildOptions
	win   int
	start int64
	loc   *time.Location
	wb    *Workbook
	// entities is the window's count of synced entities.
	entities entityCount

	anonymous, ambiguous int64

	// While the rows are built: the per-system counts, and one backing
	// array per few thousand rows for their aliases and systems, rather
	// than one small allocation each.
	perSystem map[string]*SystemUserCount
	aliases   slab.Slab[string]
	systems   slab.Slab[SystemSeen]
}

func (b *windowBuilder) time(ns int64) time.Time {
	if ns == record.NoTime {
		return time.Time{}
	}
	return time.Unix(0, ns).In(b.loc)
}

func (b *windowBuilder) startUsers() {
	b.perSystem = map[string]*SystemUserCount{}
	b.wb.UserTotal.System = TotalRowLabel
}

// user adds the row of identity id, the i-th of n in report order.
func (b *windowBuilder) user(i, n int, id *identity.Identity) {
	if i == 0 {
		b.wb.Users = make([]UserRow, 0, n)
	}
	total, sum := &b.wb.UserTotal, &b.wb.Summary
	total.Count++
	total.add(id.Class)
	if id.ServiceAccount {
		sum.ServiceAccounts++
	}
	if id.Ambiguous {
		b.ambiguous++
	}
	row := UserRow{
		Email: id.Email, Username: id.Username, DisplayName: id.DisplayName,
		Interactions:   id.Interactions,
		ServiceAccount: id.ServiceAccount,
		LastSeen:       b.time(id.LastSeen),
		Duplicates:     id.Duplicates,
		IdentifiedBy:   id.Class,
		Ambiguous:      id.Ambiguous,
		ProfileID:      id.ProfileID,
	}
	row.Aliases = b.aliases.Take(len(id.EmailAliases) + len(id.UsernameAliases) + len(id.DisplayNameAliases))
	at := copy(row.Aliases, id.EmailAliases)
	at += copy(row.Aliases[at:], id.UsernameAliases)
	copy(row.Aliases[at:], id.DisplayNameAliases)
	row.ObservedIn = b.systems.Take(len(id.Systems))
	for k, s := range id.Systems {
		row.ObservedIn[k] = SystemSeen{System: s.System, First: b.time(s.First), Last: b.time(s.Last)}
		c := b.perSystem[s.System]
		if c == nil {
			c = &SystemUserCount{System: s.System}
			b.perSystem[s.System] = c
		}
		c.Count++
		c.add(id.Class)
	}
	b.wb.Users = append(b.wb.Users, row)
}

// endUsers finishes the user sheets once every row is in.
func (b *windowBuilder) endUsers() {
	for _, c := range b.perSystem {
		b.wb.UserCounts = append(b.wb.UserCounts, *c)
	}
	slices.SortFunc(b.wb.UserCounts, func(x, y SystemUserCount) int { return compareNames(x.System, y.System) })
	b.wb.Summary.TotalUsers = b.wb.UserTotal.Count
	b.wb.Summary.ByClass = b.wb.UserTotal.ClassCounts
	b.perSystem, b.aliases, b.systems = nil, slab.Slab[string]{}, slab.Slab[SystemSeen]{}
}

func (c *ClassCounts) add(class identity.Class) {
	switch class {
	case identity.ClassUsernameOrEmail:
		c.UsernamesOrEmails++
	case identity.ClassEmail:
		c.Emails++
	case identity.ClassDisplayName:
		c.DisplayNames++
	case identity.ClassUsername:
		c.Usernames++
	}
}

// systemPairScopes folds project-pair scopes into system-pair scopes.
func systemPairScopes(projectPairs map[string]*scopeStat) map[string]*scopeStat {
	out := map[string]*scopeStat{}
	for k, s := range projectPairs {
		f, _ := varint.Fields(k)
		pk := pairKey(f[0], f[2])
		d := out[pk]
		if d == nil {
			d = newScope()
			out[pk] = d
		}
		d.merge(s)
	}
	return out
}

func (b *windowBuilder) status(s *scopeStat) string {
	switch {
	case s.status == record.StatusActive:
		return "Active"
	case s.status == record.StatusInactive:
		return "Inactive"
	case s.lastSynced != record.NoTime && b.acc.cfg.AsOf-s.lastSynced <= int64(b.opts.ActiveWithin):
		return "Active"
	}
	return "Inactive"
}

func (b *windowBuilder) syncSheets(systemPairs map[string]*scopeStat) {
	wb, sum := b.wb, &b.wb.Summary

	entityTypes := map[[2]string]bool{}
	for k, s := range b.acc.entityTypes {
		if s.lastSynced < b.start {
			continue
		}
		f, _ := varint.Fields(k)
		wb.EntityTypes = append(wb.EntityTypes, EntityTypeRow{
			SystemPair: pairLabel(f[0], f[1]), EndSystem: f[2], EntityType: f[3],
			Status: b.status(s), LastSynced: b.time(s.lastSynced),
		})
		entityTypes[[2]string{f[2], f[3]}] = true
	}
	sum.TotalEntityTypes = int64(len(entityTypes))
	slices.SortFunc(wb.EntityTypes, func(x, y EntityTypeRow) int {
		return cmp.Or(compareNames(x.SystemPair, y.SystemPair), compareNames(x.EndSystem, y.EndSystem), compareNames(x.EntityType, y.EntityType))
	})

	projects := map[[2]string]bool{}
	for k, s := range b.acc.projectPairs {
		if s.lastSynced < b.start {
			continue
		}
		f, _ := varint.Fields(k)
		for _, e := range [][2]string{{f[0], f[1]}, {f[2], f[3]}} {
			if e[1] != "" {
				projects[e] = true
			}
		}
		if f[1] == "" && f[3] == "" {
			continue
		}
		wb.ProjectPairs = append(wb.ProjectPairs, ProjectPairRow{
			System1: f[0], Project1: f[1], System2: f[2], Project2: f[3],
			Status: b.status(s), LastUpdated: b.time(s.updated), LastSynced: b.time(s.lastSynced),
		})
	}
	sum.TotalProjects = int64(len(projects))
	slices.SortFunc(wb.ProjectPairs, func(x, y ProjectPairRow) int {
		return cmp.Or(compareNames(x.System1, y.System1), compareNames(x.System2, y.System2),
			compareNames(x.Project1, y.Project1), compareNames(x.Project2, y.Project2))
	})

	sum.TotalEntitiesSynced = b.entities.total
	for k, s := range systemPairs {
		if s.lastSynced < b.start {
			continue
		}
		f, _ := varint.Fields(k)
		wb.SystemPairs = append(wb.SystemPairs, SystemPairRow{
			System1: f[0], System2: f[1], Entities: b.entities.perPair[k], LastSynced: b.time(s.lastSynced),
		})
	}
	slices.SortFunc(wb.SystemPairs, func(x, y SystemPairRow) int {
		return cmp.Or(compareNames(x.System1, y.System1), compareNames(x.System2, y.System2))
	})
}

// countEntities counts, for each window (window w starts at starts[w]),
// the distinct entities acc synced successfully in it, in one pass over
// the entities: the windows all end at as-of, so an entity last synced at
// t is in every window that starts at or before t.
func countEntities(acc *Accumulator, starts []int64) []entityCount {
	perPair := map[string][]int64{} // pairKey -> entities per window
	oneEnded := map[string]int64{}  // (system, id) of one-ended entities, counted once in total -> latest sync
	total := make([]int64, len(starts))
	countIn := func(c []int64, last int64) {
		for w, start := range starts {
			if last >= start {
				c[w]++
			}
		}
	}
	pairCounts := func(pair []byte) []int64 {
		c := perPair[string(pair)]
		if c == nil {
			c = make([]int64, len(starts))
			perPair[string(pair)] = c
		}
		return c
	}
	var buf []byte
	ents := acc.entities.Live()
	for i := range keystore.Shards {
		sh := ents.Shard(i)
		for row, k := range sh.Keys() {
			last := sh.States[row]
			switch fields := k[1:]; k[0] {
			case '2': // sysX, idX, sysY, idY
				s1, rest, _ := varint.CutField(fields)
				_, rest, _ = varint.CutField(rest)
				s2, _, _ := varint.CutField(rest)
				if systemLess(s2, s1) {
					s1, s2 = s2, s1
				}
				buf = varint.AppendField(varint.AppendField(buf[:0], s1), s2)
				countIn(pairCounts(buf), last)
				countIn(total, last)
			case '1': // s1, s2, end system, id: the pair's key, then the end's
				_, rest, _ := varint.CutField(fields)
				_, end, _ := varint.CutField(rest)
				countIn(pairCounts(unsafeBytes(fields[:len(fields)-len(end)])), last)
				if t, ok := oneEnded[end]; !ok || last > t {
					oneEnded[end] = last
				}
			}
		}
	}
	for _, last := range oneEnded {
		countIn(total, last)
	}
	counts := make([]entityCount, len(starts))
	for w := range counts {
		counts[w] = entityCount{perPair: map[string]int64{}, total: total[w]}
	}
	for pair, c := range perPair {
		for w, n := range c {
			if n > 0 {
				counts[w].perPair[pair] = n
			}
		}
	}
	for k, syncs := range acc.noIDSyncs {
		for w := range counts {
			counts[w].perPair[k] += syncs[w]
			counts[w].total += syncs[w]
		}
	}
	return counts
}

func (b *windowBuilder) summary() {
	sum := &b.wb.Summary
	q := &sum.Quality
	q.RecordsInWindow = b.acc.inWindow[b.win]
	q.Anonymous = b.anonymous
	q.AmbiguousIdentities = b.ambiguous
	seen := map[string]bool{}
	for _, in := range b.opts.Inputs {
		sum.Inputs = append(sum.Inputs, in.Name)
		sq := SourceQuality{Source: in.Name, Read: in.Read, Rejected: in.Rejected}
		for reason, n := range in.Reasons {
			sq.RejectReasons = append(sq.RejectReasons, ReasonCount{Reason: reason, Count: n})
		}
		slices.SortFunc(sq.RejectReasons, func(x, y ReasonCount) int {
			return cmp.Or(cmp.Compare(y.Count, x.Count), strings.Compare(x.Reason, y.Reason))
		})
		if aq := b.acc.quality[in.Name]; aq != nil {
			sq.InvalidEmails, sq.SyncsWithoutPeer = aq.invalidEmails, aq.syncsWithoutPeer
		}
		seen[in.Name] = true
		q.RecordsRead += in.Read
		q.RecordsRejected += in.Rejected
		q.Sources = append(q.Sources, sq)
	}
	// Problems of sources the caller did not list still show.
	var extra []SourceQuality
	for name, aq := range b.acc.quality {
		if !seen[name] {
			extra = append(extra, SourceQuality{Source: name, InvalidEmails: aq.invalidEmails, SyncsWithoutPeer: aq.syncsWithoutPeer})
		}
	}
	slices.SortFunc(extra, func(x, y SourceQuality) int { return strings.Compare(x.Source, y.Source) })
	q.Sources = append(q.Sources, extra...)
}

func pairLabel(s1, s2 string) string { return s1 + " <-> " + s2 }

// compareNames orders names case-insensitively, then exactly, so sorting
// is total and deterministic.
func compareNames(a, b string) int {
	return cmp.Or(compareFold(a, b), strings.Compare(a, b))
}
