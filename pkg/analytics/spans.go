package analytics

import "github.com/usagerep/usagerep/pkg/internal/tally"

// span is a run of one user's activity on one day without a session id
// in which no two consecutive times are more than the session gap apart:
// one session of the gap rule, or a piece of one that later times or
// other days join.
type span struct {
	first, last int64 // Unix ns
	dur         int64 // ns of duration given, summed
	hasDur      bool
	next        int32 // the next span of the list, later in time; -1 ends it
}

// spanArena holds the spans of every cell as linked lists in one slice,
// which the garbage collector need not scan. A cell's list is sorted by
// time and any two of its spans are more than the gap apart, so a day of
// D holds at most D/gap+1 spans (49 for 24 hours and 30 minutes)
// whatever the number of records.
type spanArena struct {
	s []span
	// free is 1 + the head of the spans merged away, kept for reuse; 0
	// when there are none (so the zero arena is ready).
	free int32

	// perSpan (BySession) keeps each span's events in x, parallel to s,
	// and its occurrences per event as a list in ev: a span is part of
	// one session only, so its events are the session's. Without it
	// spans cost what they did.
	perSpan bool
	x       []spanX
	ev      []spanEv
}

// spanX is a span's events (the sum of count) and the head of its list
// in spanArena.ev, -1 for none.
type spanX struct {
	events int64
	ev     int32
}

// spanEv is occurrences of one event in a span; an event may appear
// twice in a list once spans merged, which Build folds.
type spanEv struct {
	ev   uint32
	n    int64
	next int32
}

func (a *spanArena) alloc(sp span) int32 {
	if a.free > 0 {
		i := a.free - 1
		a.free = a.s[i].next + 1
		a.s[i] = sp
		if a.perSpan {
			a.x[i] = spanX{ev: -1}
		}
		return i
	}
	a.s = append(a.s, sp)
	if a.perSpan {
		a.x = append(a.x, spanX{ev: -1})
	}
	return int32(len(a.s) - 1)
}

// addEvents adds n occurrences of event ev (noID: none named) to span i.
func (a *spanArena) addEvents(i int32, ev uint32, n int64) {
	x := &a.x[i]
	x.events = tally.AddSat(x.events, n)
	if ev == noID {
		return
	}
	for e := x.ev; e >= 0; e = a.ev[e].next {
		if a.ev[e].ev == ev {
			a.ev[e].n = tally.AddSat(a.ev[e].n, n)
			return
		}
	}
	a.ev = append(a.ev, spanEv{ev: ev, n: n, next: x.ev})
	x.ev = int32(len(a.ev) - 1)
}

// absorbX folds span o's events into span c's (perSpan), o merging
// into c: the lists join, o's after c's.
func (a *spanArena) absorbX(c, o int32) {
	xc, xo := &a.x[c], a.x[o]
	xc.events = tally.AddSat(xc.events, xo.events)
	if xo.ev < 0 {
		return
	}
	if xc.ev < 0 {
		xc.ev = xo.ev
		return
	}
	e := xc.ev
	for a.ev[e].next >= 0 {
		e = a.ev[e].next
	}
	a.ev[e].next = xo.ev
}

func (a *spanArena) release(i int32) {
	a.s[i].next = a.free - 1
	a.free = i + 1
}

// add merges sp into the list at *head: it joins every span it comes
// within gap of (a gap of exactly gap does not split a session), and the
// spans it bridges join each other. It returns the span holding sp.
func (a *spanArena) add(head *int32, sp span, gap int64) int32 {
	prev := int32(-1)
	cur := *head
	for cur >= 0 && sp.first-a.s[cur].last > gap {
		prev, cur = cur, a.s[cur].next
	}
	if cur < 0 || a.s[cur].first-sp.last > gap {
		sp.next = cur
		i := a.alloc(sp)
		if prev < 0 {
			*head = i
		} else {
			a.s[prev].next = i
		}
		return i
	}
	c := &a.s[cur]
	c.first, c.last = min(c.first, sp.first), max(c.last, sp.last)
	c.dur = tally.AddSat(c.dur, sp.dur)
	c.hasDur = c.hasDur || sp.hasDur
	for n := c.next; n >= 0 && a.s[n].first-c.last <= gap; n = c.next {
		o := a.s[n]
		c.last = max(c.last, o.last)
		c.dur = tally.AddSat(c.dur, o.dur)
		c.hasDur = c.hasDur || o.hasDur
		c.next = o.next
		if a.perSpan {
			a.absorbX(cur, n)
		}
		a.release(n)
	}
	return cur
}
