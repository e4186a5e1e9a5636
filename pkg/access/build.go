package access

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/internal/tally"
	"github.com/usagerep/usagerep/pkg/keystore"
	"github.com/usagerep/usagerep/pkg/observe"
)

// Report is the access report: plain values, nothing of CSV or Excel.
type Report struct {
	From, To time.Time // first and last day, as midnight UTC
	Location *time.Location
	Plan     string
	Columns  []Column
	// Rows are sorted by date, email (none last), project, then username,
	// display name and profile id: a total order.
	Rows []Row
	// Users is the number of distinct users with at least one row.
	Users   int
	Quality Quality
}

// Row is one user's access to one project on one day.
type Row struct {
	Date    time.Time // the calendar day in the report's zone, as midnight UTC
	User    *User
	Project string
	Counts  []int64 // the sum of count per Report.Columns
}

// User is a resolved identity: its primary values over the range.
type User struct {
	ProfileID                    string
	Email, Username, DisplayName string
	FirstName, LastName, Company string
}

// Quality counts what did not become rows. A mention is a record's own
// user or one users[] element; a record naming nobody is one mention.
type Quality struct {
	Records    int64 // records seen
	OtherPlan  int64 // records of another plan than Options.Plan
	OutOfRange int64 // mentions outside the days (or at or after as-of)
	Anonymous  int64 // mentions in range with no email, username or display name
	NoProject  int64 // named mentions in range without a project
	Identities int   // users observed in range, with rows or not
}

func (q *Quality) add(o Quality) {
	q.Records += o.Records
	q.OtherPlan += o.OtherPlan
	q.OutOfRange += o.OutOfRange
	q.Anonymous += o.Anonymous
	q.NoProject += o.NoProject
}

// BuildOptions say how to lay out the report.
type BuildOptions struct {
	// Columns are the action columns, in order. Nil: every action of the
	// records that made rows, sorted, labelled by its name.
	Columns []Column
	Plan    string         // shown in the report
	Loc     *time.Location // shown in the report; nil means UTC
}

// Build resolves the identities of acc's observations and makes the rows.
// acc must not be used afterwards.
func Build(acc *Accumulator, opts BuildOptions) *Report {
	loc := opts.Loc
	if loc == nil {
		loc = time.UTC
	}
	d := acc.days
	rep := &Report{From: d.date(0), To: d.date(int32(d.n - 1)), Location: loc, Plan: opts.Plan, Quality: acc.stats}

	store := acc.obs.Live()
	store.DropIndex() // only for lookups while feeding
	users, identOf := resolve(store)
	rep.Quality.Identities = len(users)
	rk := rankUsers(users)
	projRank, byProj := rankNames(acc.projNames)

	ents := entries(acc, store, identOf, rk, projRank)
	cols := opts.Columns
	if cols == nil {
		cols = seenActions(acc.actNames, ents)
	}
	rep.Columns = slices.Clone(cols)
	colOf := make([]int32, len(acc.actNames))
	for i := range colOf {
		colOf[i] = -1
	}
	for c, col := range cols {
		if id, ok := acc.actIndex[col.Action]; ok {
			colOf[id] = int32(c)
		}
	}
	for i := range ents {
		ents[i].col = colOf[ents[i].col]
	}
	sortEntries(ents, d.n)

	// Equal keys are one row: one (day, user, project).
	n := 0
	for i := range ents {
		if i == 0 || !ents[i].sameRow(&ents[i-1]) {
			n++
		}
	}
	nc := len(cols)
	counts := make([]int64, n*nc)
	rep.Rows = make([]Row, n)
	used := make([]bool, len(users))
	r, day := -1, int32(-1)
	var date time.Time
	for i := range ents {
		e := &ents[i]
		if i == 0 || !e.sameRow(&ents[i-1]) {
			r++
			if e.day() != day {
				day = e.day()
				date = d.date(day)
			}
			u := rk.byRank[e.userRank()]
			rep.Rows[r] = Row{Date: date, User: &users[u], Project: acc.projNames[byProj[e.projRank()]],
				Counts: counts[r*nc : (r+1)*nc : (r+1)*nc]}
			if !used[u] {
				used[u] = true
				rep.Users++
			}
		}
		if e.col >= 0 {
			p := &counts[r*nc+int(e.col)]
			*p = tally.AddSat(*p, e.sum)
		}
	}
	return rep
}

// entry is one cell of a listed user, keyed for sorting: hi is the day and
// the email's rank, lo the project's and the user's rank, so the order of
// (hi, lo) is the report's order and equal keys are one row.
type entry struct {
	hi, lo uint64
	col    int32 // the action's id, then its column (-1: not a column)
	sum    int64
}

func (e *entry) day() int32            { return int32(e.hi >> 32) }
func (e *entry) userRank() int32       { return int32(uint32(e.lo)) }
func (e *entry) projRank() int32       { return int32(e.lo >> 32) }
func (e *entry) sameRow(o *entry) bool { return e.hi == o.hi && e.lo == o.lo }

func compareEntries(a, b entry) int {
	return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo))
}

// entries lists every cell of every part whose observation is a user's,
// and lets go of the cells.
func entries(acc *Accumulator, store *observe.Store, identOf []int32, rk userRanks, projRank []int32) []entry {
	off := store.Offsets()
	parts := append([]cellPart{acc.own}, acc.parts...)
	acc.own, acc.parts = cellPart{}, nil
	n := 0
	for _, p := range parts {
		n += len(p.cells)
	}
	ents := make([]entry, 0, n)
	for i := range parts {
		p := &parts[i]
		moved := p.obs != store
		for k, si := range p.cells {
			id := k.obs
			if moved {
				id = p.obs.LiveID(id)
			}
			sh, row := keystore.SplitID(id)
			u := identOf[off[sh]+int(row)]
			if u < 0 {
				continue
			}
			proj, act := k.project, k.action
			if p.proj != nil {
				proj = p.proj[proj]
			}
			if p.act != nil {
				act = p.act[act]
			}
			ents = append(ents, entry{
				hi:  uint64(k.day)<<32 | uint64(rk.email[u]),
				lo:  uint64(projRank[proj])<<32 | uint64(rk.user[u]),
				col: int32(act),
				sum: p.sums[si],
			})
		}
		*p = cellPart{} // its cells are entries now
	}
	return ents
}

// sortEntries sorts by day into buckets in place (an American flag sort),
// then each day's entries on every core.
func sortEntries(ents []entry, days int) {
	start := make([]int, days+1)
	for i := range ents {
		start[ents[i].day()+1]++
	}
	for d := 1; d <= days; d++ {
		start[d] += start[d-1]
	}
	next := slices.Clone(start[:days])
	for d := range days {
		for i := next[d]; i < start[d+1]; i = next[d] {
			e := ents[i]
			for t := int(e.day()); t != d; t = int(e.day()) {
				j := next[t]
				next[t]++
				ents[j], e = e, ents[j]
			}
			ents[i] = e
			next[d]++
		}
	}
	var day atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), days) {
		wg.Go(func() {
			for d := int(day.Add(1) - 1); d < days; d = int(day.Add(1) - 1) {
				slices.SortFunc(ents[start[d]:start[d+1]], compareEntries)
			}
		})
	}
	wg.Wait()
}

// resolve resolves the store's observations once and returns the users
// and, per observation (in offsets order), its user's index (-1 for one
// naming nobody).
func resolve(store *observe.Store) ([]User, []int32) {
	var users []User
	// One identity at a time: the users keep only its names.
	res := observe.Resolve(store, observe.Tally, identity.Options{}, func(i, n int, id *identity.Identity) {
		if i == 0 {
			users = make([]User, n)
		}
		users[i] = User{
			ProfileID: id.ProfileID,
			Email:     id.Email, Username: id.Username, DisplayName: id.DisplayName,
			FirstName: id.FirstName, LastName: id.LastName, Company: id.Company,
		}
	})
	return users, res.IdentOf
}

// seenActions are the actions of the entries, sorted, each labelled by its
// name; "" (no action) is none.
func seenActions(names []string, ents []entry) []Column {
	seen := make([]bool, len(names))
	for i := range ents {
		seen[ents[i].col] = true
	}
	cols := []Column{}
	for id, name := range names {
		if seen[id] && name != "" {
			cols = append(cols, Column{Action: name, Label: name})
		}
	}
	slices.SortFunc(cols, func(x, y Column) int { return compareNames(x.Action, y.Action) })
	return cols
}

// userRanks order users as rows order them after the day: by email (none
// last), then, after the project, by username, display name, profile id.
type userRanks struct {
	user, email []int32 // by user index
	byRank      []int32 // user index by rank
}

func rankUsers(users []User) userRanks {
	byUser := make([]int32, len(users))
	for i := range byUser {
		byUser[i] = int32(i)
	}
	// Folded once, not at every comparison.
	folded := make([][2]string, len(users))
	for i := range users {
		folded[i] = [2]string{strings.ToLower(users[i].Username), strings.ToLower(users[i].DisplayName)}
	}
	slices.SortFunc(byUser, func(x, y int32) int {
		a, b := &users[x], &users[y]
		fa, fb := &folded[x], &folded[y]
		return cmp.Or(
			compareEmptyLast(a.Email, b.Email),
			compareEmptyLast(fa[0], fb[0]), compareEmptyLast(a.Username, b.Username),
			compareEmptyLast(fa[1], fb[1]), compareEmptyLast(a.DisplayName, b.DisplayName),
			strings.Compare(a.ProfileID, b.ProfileID),
			cmp.Compare(x, y), // identity order is itself deterministic
		)
	})
	rk := userRanks{user: make([]int32, len(users)), email: make([]int32, len(users)), byRank: byUser}
	for r, u := range byUser {
		rk.user[u] = int32(r)
		// Users sharing an email (only "none") share its rank, so the
		// project decides between them before the user does.
		if r > 0 && users[u].Email == users[byUser[r-1]].Email {
			rk.email[u] = rk.email[byUser[r-1]]
		} else {
			rk.email[u] = int32(r)
		}
	}
	return rk
}

// rankNames ranks names by compareNames: rank by id, and id by rank.
func rankNames(names []string) (rank, byRank []int32) {
	byRank = make([]int32, len(names))
	for i := range byRank {
		byRank[i] = int32(i)
	}
	slices.SortFunc(byRank, func(x, y int32) int { return compareNames(names[x], names[y]) })
	rank = make([]int32, len(names))
	for r, id := range byRank {
		rank[id] = int32(r)
	}
	return rank, byRank
}

// compareEmptyLast compares strings, sorting the empty string last.
func compareEmptyLast(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return strings.Compare(a, b)
}

// compareNames orders names case-insensitively, then exactly, so sorting
// is total.
func compareNames(a, b string) int {
	return cmp.Or(strings.Compare(strings.ToLower(a), strings.ToLower(b)), strings.Compare(a, b))
}
