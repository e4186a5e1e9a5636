package inspect

import (
	"cmp"
	"slices"
	"strings"

	"github.com/usagerep/usagerep/pkg/source"
)

// Location is where a rejected record was, and why.
type Location struct {
	Source string `json:"source"`
	Line   int64  `json:"line"`
	Detail string `json:"detail,omitempty"`
}

// RejectLog keeps a few example locations of every reject reason: the
// earliest by source name and line, so that they do not depend on which
// worker got there first. Add is not safe for concurrent use.
type RejectLog struct {
	perReason int
	examples  map[string][]Location
}

// NewRejectLog keeps perReason examples of each reason.
func NewRejectLog(perReason int) *RejectLog {
	return &RejectLog{perReason: perReason, examples: map[string][]Location{}}
}

// Add notes r; its Raw bytes are not kept.
func (l *RejectLog) Add(r source.Reject) {
	ex := l.examples[r.Reason]
	loc := Location{Source: r.Source, Line: r.Line, Detail: r.Detail}
	i, _ := slices.BinarySearchFunc(ex, loc, compareLocation)
	if i >= l.perReason {
		return
	}
	loc.Source, loc.Detail = strings.Clone(loc.Source), shorten(loc.Detail, 120)
	ex = slices.Insert(ex, i, loc)
	if len(ex) > l.perReason {
		ex = ex[:l.perReason]
	}
	l.examples[r.Reason] = ex
}

func compareLocation(a, b Location) int {
	return cmp.Or(strings.Compare(a.Source, b.Source), cmp.Compare(a.Line, b.Line))
}

// Examples returns the example locations of reason, earliest first.
func (l *RejectLog) Examples(reason string) []Location { return l.examples[reason] }
