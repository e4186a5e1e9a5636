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
}

func (a *spanArena) alloc(sp span) int32 {
	if a.free > 0 {
		i := a.free - 1
		a.free = a.s[i].next + 1
		a.s[i] = sp
		return i
	}
	a.s = append(a.s, sp)
	return int32(len(a.s) - 1)
}

func (a *spanArena) release(i int32) {
	a.s[i].next = a.free - 1
	a.free = i + 1
}

// add merges sp into the list at *head: it joins every span it comes
// within gap of (a gap of exactly gap does not split a session), and the
// spans it bridges join each other.
func (a *spanArena) add(head *int32, sp span, gap int64) {
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
		return
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
		a.release(n)
	}
}
