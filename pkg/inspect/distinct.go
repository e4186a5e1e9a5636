package inspect

import (
	"cmp"
	"slices"
	"strings"
)

// entry is one distinct value and the records that had it.
type entry struct {
	key string // owned (cloned)
	n   int64
}

// distinct counts records by value, exactly for the first cap values; the
// records of any later value are only counted as other. Records with the
// empty value (the field absent) are counted as missing.
type distinct struct {
	cap     int
	m       map[string]*entry
	other   int64 // records whose value was past the cap
	over    bool  // some value was past the cap
	missing int64
	last    *entry // the entry of the previous value: runs are common
}

func newDistinct(cap int) *distinct {
	return &distinct{cap: cap, m: make(map[string]*entry)}
}

// add counts one record with value s (borrowed) and returns its entry,
// nil when s is empty or past the cap.
func (d *distinct) add(s string) *entry {
	if s == "" {
		d.missing++
		return nil
	}
	if e := d.last; e != nil && e.key == s {
		e.n++
		return e
	}
	e := d.m[s]
	if e == nil {
		if len(d.m) >= d.cap {
			d.other++
			d.over = true
			return nil
		}
		e = &entry{key: strings.Clone(s)}
		d.m[e.key] = e
	}
	e.n++
	d.last = e
	return e
}

// merge adds o's counts into d.
func (d *distinct) merge(o *distinct) {
	d.missing += o.missing
	d.other += o.other
	d.over = d.over || o.over
	d.last = nil
	// In sorted order, so which values fit under the cap does not depend
	// on map order.
	for _, oe := range o.sorted() {
		if e := d.m[oe.key]; e != nil {
			e.n += oe.n
			continue
		}
		if len(d.m) >= d.cap {
			d.other += oe.n
			d.over = true
			continue
		}
		d.m[oe.key] = &entry{key: oe.key, n: oe.n}
	}
}

// sorted lists the entries by count, most first, then by value.
func (d *distinct) sorted() []*entry {
	out := make([]*entry, 0, len(d.m))
	for _, e := range d.m {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *entry) int {
		return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.key, b.key))
	})
	return out
}
