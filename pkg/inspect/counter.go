// Package inspect is the model of `usagerep inspect`: what a log bundle
// holds, counted in one pass by mergeable per-worker Counters, what a
// sample of its raw records says about its shape, and the advice drawn
// from both. It knows nothing of terminals or JSON encoding; its Report
// is a plain struct.
package inspect

import (
	"math/bits"

	"github.com/usagerep/usagerep/pkg/record"
	"github.com/usagerep/usagerep/pkg/source"
)

// Limits bound the memory of a Counter, whatever the size of the input.
type Limits struct {
	// Distinct is how many distinct systems, projects, actions and
	// property names each are kept exactly; past it a Counter says
	// "more than Distinct".
	Distinct int
	// Observations is how many distinct observations (who was seen, and
	// where) each worker keeps to resolve identities; past it users are
	// counted by the fields of their observations only.
	Observations int
}

// DefaultLimits hold about 70 MB at most per worker.
var DefaultLimits = Limits{Distinct: 10_000, Observations: 500_000}

// numBits is the width of record.Record.Present.
const numBits = 64

// Counter accumulates what inspect reports about the records of one
// worker. It implements source.Sink; it needs no lock, allocates only
// for values it has not seen, and Counters merge (Merge).
type Counter struct {
	limits Limits

	records    int64
	syncs      int64
	failures   int64
	present    [numBits]int64
	withUsers  int64 // records with a users[] array
	withProps  int64
	withoutWho int64 // records naming nobody, in their fields or users[]

	systems, projects, actions, props *distinct
	propCache                         []*entry // by position in Props

	obs *observations
}

// NewCounter returns an empty Counter with limits l.
func NewCounter(l Limits) *Counter {
	if l.Distinct <= 0 {
		l.Distinct = DefaultLimits.Distinct
	}
	if l.Observations <= 0 {
		l.Observations = DefaultLimits.Observations
	}
	return &Counter{
		limits:   l,
		systems:  newDistinct(l.Distinct),
		projects: newDistinct(l.Distinct),
		actions:  newDistinct(l.Distinct),
		props:    newDistinct(l.Distinct),
		obs:      newObservations(l.Observations),
	}
}

// Record implements source.Sink.
func (c *Counter) Record(r *record.Record) {
	c.records++
	if r.Kind == record.KindSync {
		c.syncs++
	}
	if r.Outcome == record.OutcomeFailure {
		c.failures++
	}
	for p := r.Present; p != 0; p &= p - 1 {
		c.present[bits.TrailingZeros64(p)]++
	}
	c.systems.add(r.System)
	c.projects.add(r.Project)
	c.actions.add(r.Action)
	if len(r.Props) > 0 {
		c.withProps++
		for i := range r.Props {
			c.addProp(i, r.Props[i].Key)
		}
	}

	named := false
	if r.User.Named() {
		named = c.obs.add(&r.User, r.System) || named
	}
	if len(r.Users) > 0 {
		c.withUsers++
		for i := range r.Users {
			e := &r.Users[i]
			if !e.User.Named() {
				continue
			}
			system := e.System
			if system == "" {
				system = r.System
			}
			named = c.obs.add(&e.User, system) || named
		}
	}
	if !named {
		c.withoutWho++
	}
}

// addProp counts property name k, the i-th of its record. Records of one
// source list their properties in the same order, so the entry that
// counted position i last time is tried first.
func (c *Counter) addProp(i int, k string) {
	if i < len(c.propCache) {
		if e := c.propCache[i]; e != nil && e.key == k {
			e.n++
			return
		}
	} else if i < 64 {
		c.propCache = append(c.propCache, make([]*entry, i+1-len(c.propCache))...)
	}
	e := c.props.add(k)
	if i < len(c.propCache) {
		c.propCache[i] = e
	}
}

// Merge adds o's counts into c; o must not be used afterwards.
func (c *Counter) Merge(o *Counter) {
	c.records += o.records
	c.syncs += o.syncs
	c.failures += o.failures
	for i := range c.present {
		c.present[i] += o.present[i]
	}
	c.withUsers += o.withUsers
	c.withProps += o.withProps
	c.withoutWho += o.withoutWho
	c.systems.merge(o.systems)
	c.projects.merge(o.projects)
	c.actions.merge(o.actions)
	c.props.merge(o.props)
	c.propCache = nil
	c.obs.merge(o.obs)
}

// Records is how many records c counted.
func (c *Counter) Records() int64 { return c.records }

var _ source.Sink = (*Counter)(nil)
