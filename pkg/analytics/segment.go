package analytics

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Segment labels that are no value of the field.
const (
	// NoneLabel is the segment of users who never had a value.
	NoneLabel = "(none)"
	// OtherLabel gathers the values past the top N.
	OtherLabel = "Other"
	// AllLabel is the one segment of an unsegmented report.
	AllLabel = "All"
)

// DefaultTop is how many values of a segmentation keep their own segment.
const DefaultTop = 10

// segmentation puts each user of a population into one segment: a user's
// value is its latest value of the field, the top values by number of
// users (ties: the smaller value) keep their name, the others are
// OtherLabel.
type segmentation struct {
	Labels []string // in order: by users, most first; OtherLabel last
	of     []int32  // by user: index into Labels, -1 outside the population
	single bool     // no segmentation: every user is in Labels[0]
}

// noSegments is the segmentation of an unsegmented report.
func noSegments() *segmentation {
	return &segmentation{Labels: []string{AllLabel}, single: true}
}

// segmentUsers segments the users of pop by field (an index into
// User.Latest), keeping the top values.
func segmentUsers(ds *Dataset, pop []int32, field, top int) *segmentation {
	counts := map[string]int{}
	for _, u := range pop {
		counts[latestLabel(&ds.Users[u], field)]++
	}
	type vc struct {
		v string
		n int
	}
	var vals []vc
	for v, n := range counts {
		vals = append(vals, vc{v, n})
	}
	slices.SortFunc(vals, func(a, b vc) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.v, b.v)) })
	s := &segmentation{of: make([]int32, len(ds.Users))}
	for i := range s.of {
		s.of[i] = -1
	}
	index := map[string]int32{}
	for i, x := range vals {
		if i == top && len(vals) > top {
			s.Labels = append(s.Labels, OtherLabel)
			break
		}
		index[x.v] = int32(i)
		s.Labels = append(s.Labels, x.v)
	}
	other := int32(len(s.Labels) - 1)
	for _, u := range pop {
		i, ok := index[latestLabel(&ds.Users[u], field)]
		if !ok {
			i = other
		}
		s.of[u] = i
	}
	return s
}

func latestLabel(u *User, field int) string {
	if v := u.Latest[field]; v != "" {
		return v
	}
	return NoneLabel
}

// segment is user u's segment; a user outside the population is in none
// (-1).
func (s *segmentation) segment(u int32) int {
	if s.single {
		return 0
	}
	return int(s.of[u])
}

// SegmentOptions choose a segmentation.
type SegmentOptions struct {
	// By is the field segmenting users (its index in the accumulator's
	// Latest fields), -1 for none.
	By int
	// Top is how many values keep their own segment; 0 means DefaultTop.
	Top int
}

func (o SegmentOptions) top() int {
	if o.Top <= 0 {
		return DefaultTop
	}
	return o.Top
}

// segments builds the segmentation o asks for over pop.
func (o SegmentOptions) segments(ds *Dataset, pop []int32) (*segmentation, error) {
	if o.By < 0 {
		return noSegments(), nil
	}
	if o.By >= len(ds.Fields) || len(ds.Users) > 0 && o.By >= len(ds.Users[0].Latest) {
		return nil, fmt.Errorf("segmentation field %d was not kept", o.By)
	}
	return segmentUsers(ds, pop, o.By, o.top()), nil
}
