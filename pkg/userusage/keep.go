package userusage

import (
	"time"
	"unsafe"

	"github.com/usagerep/usagerep/pkg/internal/slab"
)

// What a server needs to keep a Store and answer later queries from it
// rather than scan again: whether it is the Store of another as-of, and
// what it costs to keep.

// AnswersAsOf reports whether s is also what the same input gives for
// as-of t: no record or users[] element has a time between s's as-of and
// t, so exactly the same ones count, and every report, filter, page and
// warning is the same. (The days' ends it keeps may differ, but only past
// every time it holds.) A server that takes "now" as as-of, a new second
// each request, so keeps one Store for as long as nothing newer than it
// was in the input. Dates are not its business: Query.CheckDates applies
// their rules to t.
func (s *Store) AnswersAsOf(t time.Time) bool {
	ns := t.UnixNano()
	return s.newest < ns && ns <= s.later
}

// Bytes estimates the heap a Store holds (Build copies the users'
// strings out of the scan's blocks, so nothing else stays reachable from
// it). Maps are counted at a typical load; the estimate is within a small
// factor of the truth, which is what a cache budget needs.
func (s *Store) Bytes() int64 {
	const mapEntry = 48 // a string key, an int32 or uint32 value, the map's slack
	n := int64(unsafe.Sizeof(*s))
	n += int64(cap(s.users))*int64(unsafe.Sizeof(user{})) + int64(len(s.text))
	n += int64(len(s.byEmail)+len(s.byProfile)+len(s.paramIDs)) * mapEntry
	for k := range s.byUsername {
		n += mapEntry + int64(len(k))
	}
	n += int64(cap(s.userDays)) * int64(unsafe.Sizeof(userDay{}))
	for i := range s.userDays {
		n += int64(len(s.userDays[i].params)) * int64(unsafe.Sizeof(paramSum{}))
	}
	if len(s.userDays) > 0 {
		n += slab.MinBlock * int64(unsafe.Sizeof(paramSum{})) // the last slab's unused tail, at most
	}
	n += int64(cap(s.dayOff))*4 + int64(cap(s.ends))*8
	for _, p := range s.params {
		n += int64(unsafe.Sizeof(p)) + int64(len(p))
	}
	return n
}
