package analytics

import (
	"cmp"
	"slices"
	"strings"

	"github.com/usagerep/usagerep/pkg/internal/tally"
)

// sessionClients replaces the dataset's identities by their sessions
// (BySession): each session id of a user, and each run of its activity
// without one under the gap rule (across its days and observations), is
// one client, with its identity's fields and latest values, its own
// first and last activity, and its days and events. A session counts one
// session, and its runtime, on the day it starts. Sessions are those of
// the days kept.
func (b *builder) sessionClients() {
	ds := b.ds
	parents := ds.Users
	// A piece is one session's part of one cell: a gap-rule span or a
	// session id's (cell, id) entry.
	type piece struct {
		user int32
		isID bool
		id   uint64 // the session id's hash
		day  Day
		sessSpan
		events int64
		part   int32
		span   int32 // the gap-rule span in the part's arena; -1 for an id
	}
	type idEvent struct {
		user int32
		id   uint64
		DayEvent
	}
	var pieces []piece
	var idEvents []idEvent
	names := map[uint64]string{}
	for pi, p := range b.parts {
		cellUser := make([]int32, len(p.cellState))
		cellDay := make([]Day, len(p.cellState))
		for k, c := range p.cells {
			cellUser[c], cellDay[c] = b.user(p, k.obs), k.day
		}
		for c := range p.cellState {
			if cellUser[c] < 0 {
				continue
			}
			for s := p.cellState[c].gap; s >= 0; s = p.spans.s[s].next {
				sp := &p.spans.s[s]
				pieces = append(pieces, piece{
					user: cellUser[c], day: cellDay[c], events: p.spans.x[s].events, part: int32(pi), span: s,
					sessSpan: sessSpan{first: sp.first, last: sp.last, dur: sp.dur, hasDur: sp.hasDur},
				})
			}
		}
		for k, s := range p.sessions {
			if cellUser[k.cell] < 0 {
				continue
			}
			pieces = append(pieces, piece{
				user: cellUser[k.cell], isID: true, id: k.id, day: cellDay[k.cell], sessSpan: s,
				events: p.sessEvents[sessEvKey{sessKey: k, ev: noID}], part: int32(pi), span: -1,
			})
		}
		for k, n := range p.sessEvents {
			if k.ev == noID || cellUser[k.cell] < 0 {
				continue
			}
			idEvents = append(idEvents, idEvent{user: cellUser[k.cell], id: k.id,
				DayEvent: DayEvent{Day: cellDay[k.cell], Event: b.evID[pi][k.ev], N: n}})
		}
		// Of two ids with one hash (in different users), the smaller
		// names both, whatever the order of the parts.
		for id, n := range p.sessNames {
			if cur, ok := names[id]; !ok || n < cur {
				names[id] = n
			}
		}
	}
	slices.SortFunc(pieces, func(x, y piece) int {
		if x.isID != y.isID {
			if x.isID {
				return cmp.Or(cmp.Compare(x.user, y.user), 1)
			}
			return cmp.Or(cmp.Compare(x.user, y.user), -1)
		}
		return cmp.Or(cmp.Compare(x.user, y.user), cmp.Compare(x.id, y.id), cmp.Compare(x.first, y.first))
	})
	slices.SortFunc(idEvents, func(x, y idEvent) int {
		return cmp.Or(cmp.Compare(x.user, y.user), cmp.Compare(x.id, y.id), cmp.Compare(x.Day, y.Day), cmp.Compare(x.Event, y.Event))
	})

	var out []User
	allDays := make([]UserDay, 0, len(pieces))
	var allEvents []DayEvent
	var evs []DayEvent
	ei := 0
	// emit makes the session of group, its pieces in time order.
	emit := func(group []piece) {
		g0 := &group[0]
		u := parents[g0.user]
		u.Days, u.Events, u.Session = nil, nil, ""
		u.First, u.Last = g0.first, g0.last
		var dur int64
		hasDur := false
		d0 := len(allDays)
		evs = evs[:0]
		for i := range group {
			pc := &group[i]
			u.Last = max(u.Last, pc.last)
			dur = tally.AddSat(dur, pc.dur)
			hasDur = hasDur || pc.hasDur
			if n := len(allDays); n == d0 || allDays[n-1].Day != pc.day {
				allDays = append(allDays, UserDay{Day: pc.day})
			}
			d := &allDays[len(allDays)-1]
			d.Events = tally.AddSat(d.Events, pc.events)
			if pc.span >= 0 {
				p := b.parts[pc.part]
				for e := p.spans.x[pc.span].ev; e >= 0; e = p.spans.ev[e].next {
					se := &p.spans.ev[e]
					evs = append(evs, DayEvent{Day: pc.day, Event: b.evID[pc.part][se.ev], N: se.n})
				}
			}
		}
		if g0.isID {
			u.Session = names[g0.id]
			for ei < len(idEvents) && cmp.Or(cmp.Compare(idEvents[ei].user, g0.user), cmp.Compare(idEvents[ei].id, g0.id)) < 0 {
				ei++
			}
			for ; ei < len(idEvents) && idEvents[ei].user == g0.user && idEvents[ei].id == g0.id; ei++ {
				evs = append(evs, idEvents[ei].DayEvent)
			}
		}
		if !hasDur {
			dur = u.Last - u.First
		}
		// The pieces are in time order, so the first day is the start's.
		allDays[d0].Sessions, allDays[d0].Runtime = 1, dur
		u.Days = allDays[d0:len(allDays):len(allDays)]
		if len(evs) > 0 {
			slices.SortFunc(evs, func(x, y DayEvent) int { return cmp.Or(cmp.Compare(x.Day, y.Day), cmp.Compare(x.Event, y.Event)) })
			e0 := len(allEvents)
			for _, e := range evs {
				if n := len(allEvents); n > e0 && allEvents[n-1].Day == e.Day && allEvents[n-1].Event == e.Event {
					allEvents[n-1].N = tally.AddSat(allEvents[n-1].N, e.N)
					continue
				}
				allEvents = append(allEvents, e)
			}
			u.Events = allEvents[e0:len(allEvents):len(allEvents)]
		}
		out = append(out, u)
	}
	gap := int64(ds.Gap)
	for i := 0; i < len(pieces); {
		user := pieces[i].user
		o0 := len(out)
		for i < len(pieces) && pieces[i].user == user {
			j := i + 1
			if !pieces[i].isID {
				// The gap rule across the user's days and observations.
				last := pieces[i].last
				for ; j < len(pieces) && pieces[j].user == user && !pieces[j].isID && pieces[j].first-last <= gap; j++ {
					last = max(last, pieces[j].last)
				}
			} else {
				for ; j < len(pieces) && pieces[j].user == user && pieces[j].isID && pieces[j].id == pieces[i].id; j++ {
				}
			}
			emit(pieces[i:j])
			i = j
		}
		// A user's sessions in time order, ties by id.
		slices.SortStableFunc(out[o0:], func(x, y User) int {
			return cmp.Or(cmp.Compare(x.First, y.First), strings.Compare(x.Session, y.Session))
		})
	}
	ds.Users = out
}
