// Package figures holds the summary figures that usagerep's peers compute
// over one report window, and compares them. The DuckDB program and the jq
// program print the same JSON, so the driver can check them field by field.
package figures

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TimeLayout is how times are exchanged: RFC 3339 in UTC, to the second,
// which is what usagerep-gen writes and what compares as text.
const TimeLayout = "2006-01-02T15:04:05Z"

// Unknown marks a figure a tool does not compute.
const Unknown = -1

// Figures are one tool's results over the window [From, To). Counts a tool
// does not produce are Unknown.
type Figures struct {
	Records  int64 `json:"records"`           // lines read
	InWindow int64 `json:"records_in_window"` // records with From <= time < To

	// Count distinct of the non-empty, lower-cased value over the
	// observations in the window: each record's own user and each users[]
	// element (at its own time when it has one).
	Emails    int64 `json:"distinct_emails"`
	Usernames int64 `json:"distinct_usernames"`

	// Over successful syncs in the window with both systems set.
	Syncs       int64 `json:"successful_syncs"`
	Entities    int64 `json:"entities_synced"` // spec 03's definition
	EntityTypes int64 `json:"entity_types"`    // distinct (end system, entity type)

	ProjectPairs []ProjectPair `json:"project_pairs"`
}

// ProjectPair is one row of Integrated Project Count: the two (system,
// project) ends ordered as usagerep orders them.
type ProjectPair struct {
	System1    string `json:"system1"`
	Project1   string `json:"project1"`
	System2    string `json:"system2"`
	Project2   string `json:"project2"`
	Syncs      int64  `json:"syncs"` // successful syncs in the window; Unknown for usagerep
	LastSynced string `json:"last_synced"`
}

// Unset returns Figures with every count Unknown.
func Unset() Figures {
	return Figures{Records: Unknown, InWindow: Unknown, Emails: Unknown, Usernames: Unknown,
		Syncs: Unknown, Entities: Unknown, EntityTypes: Unknown}
}

// Normalize sorts the project pairs so that two tools' lists compare.
func (f *Figures) Normalize() {
	slices.SortFunc(f.ProjectPairs, func(a, b ProjectPair) int {
		return cmp.Or(cmp.Compare(a.System1, b.System1), cmp.Compare(a.Project1, b.Project1),
			cmp.Compare(a.System2, b.System2), cmp.Compare(a.Project2, b.Project2))
	})
}

// Projects is Total Unique Projects: the distinct non-empty (system,
// project) ends of the project pairs.
func (f *Figures) Projects() int64 {
	seen := map[[2]string]bool{}
	for _, p := range f.ProjectPairs {
		for _, e := range [][2]string{{p.System1, p.Project1}, {p.System2, p.Project2}} {
			if e[1] != "" {
				seen[e] = true
			}
		}
	}
	return int64(len(seen))
}

// PairsChecksum is a short SHA-256 of the sorted pairs and their last
// synced times (not the sync counts, which usagerep does not show).
func (f *Figures) PairsChecksum() string {
	h := sha256.New()
	for _, p := range f.ProjectPairs {
		fmt.Fprintf(h, "%s\t%s\t%s\t%s\t%s\n", p.System1, p.Project1, p.System2, p.Project2, p.LastSynced)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Diff lists the figures where a and b differ. With full, every figure
// counts, sync counts per pair too; otherwise only those both tools know
// and that mean the same for both (usagerep's user counts resolve
// identities, so they never compare).
func Diff(a, b *Figures, full bool) []string {
	var out []string
	num := func(name string, x, y int64) {
		if x == y || (!full && (x == Unknown || y == Unknown)) {
			return
		}
		out = append(out, fmt.Sprintf("%s: %d vs %d", name, x, y))
	}
	num("records", a.Records, b.Records)
	num("records in window", a.InWindow, b.InWindow)
	num("distinct emails", a.Emails, b.Emails)
	num("distinct usernames", a.Usernames, b.Usernames)
	num("successful syncs", a.Syncs, b.Syncs)
	num("entities synced", a.Entities, b.Entities)
	num("entity types", a.EntityTypes, b.EntityTypes)
	num("project pairs", int64(len(a.ProjectPairs)), int64(len(b.ProjectPairs)))
	num("projects", a.Projects(), b.Projects())
	if len(a.ProjectPairs) != len(b.ProjectPairs) {
		return out
	}
	for i := range a.ProjectPairs {
		p, q := a.ProjectPairs[i], b.ProjectPairs[i]
		if !full {
			p.Syncs, q.Syncs = 0, 0
		}
		if p != q {
			out = append(out, fmt.Sprintf("project pair %d: %+v vs %+v", i, p, q))
		}
	}
	return out
}

// Window is [From, To) in UTC.
type Window struct{ From, To time.Time }

func (w Window) String() string {
	return "[" + w.From.UTC().Format(TimeLayout) + ", " + w.To.UTC().Format(TimeLayout) + ")"
}

// TopPairs returns up to n pairs with the most syncs, ties by name.
func (f *Figures) TopPairs(n int) []ProjectPair {
	top := slices.Clone(f.ProjectPairs)
	slices.SortStableFunc(top, func(a, b ProjectPair) int { return cmp.Compare(b.Syncs, a.Syncs) })
	return top[:min(n, len(top))]
}

// Label renders a pair as "S1/P1 <-> S2/P2".
func (p ProjectPair) Label() string {
	return strings.Join([]string{p.System1 + "/" + p.Project1, p.System2 + "/" + p.Project2}, " <-> ")
}
