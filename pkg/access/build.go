package access

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/identity"
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

// rowKey is one row while building.
type rowKey struct {
	day     int32
	ident   int32
	project uint32
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

	users, identOf := resolve(acc)
	rep.Quality.Identities = len(users)

	cols := opts.Columns
	if cols == nil {
		cols = seenActions(acc, identOf)
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

	// Fold the cells of each (day, user, project) into one row.
	nc := len(cols)
	rows := make(map[rowKey]int32)
	var keys []rowKey
	var counts []int64
	for k, i := range acc.cells {
		id := identOf[k.obs]
		if id < 0 {
			continue
		}
		rk := rowKey{day: k.day, ident: id, project: k.project}
		r, ok := rows[rk]
		if !ok {
			r = int32(len(keys))
			rows[rk] = r
			keys = append(keys, rk)
			counts = append(counts, make([]int64, nc)...)
		}
		if c := colOf[k.action]; c >= 0 {
			p := &counts[int(r)*nc+int(c)]
			*p = addSat(*p, acc.sums[i])
		}
	}

	order := sortRows(keys, users, acc.projNames)
	rep.Rows = make([]Row, len(order))
	used := make([]bool, len(users))
	for n, r := range order {
		k := keys[r]
		rep.Rows[n] = Row{
			Date:    d.date(k.day),
			User:    &users[k.ident],
			Project: acc.projNames[k.project],
			Counts:  counts[int(r)*nc : int(r+1)*nc : int(r+1)*nc],
		}
		if !used[k.ident] {
			used[k.ident] = true
			rep.Users++
		}
	}
	return rep
}

// resolve resolves acc's observations once and returns the users and, per
// observation, its user's index (-1 for an observation naming nobody).
func resolve(acc *Accumulator) ([]User, []int32) {
	obs := make([]identity.Observation, len(acc.obsKeys))
	for i, key := range acc.obsKeys {
		f, svc, _ := splitKey(key) // keys are built by observe
		s := acc.obsStats[i]
		obs[i] = identity.Observation{
			System: f[0], Email: f[1], Username: f[2], DisplayName: f[3],
			FirstName: f[4], LastName: f[5], Company: f[6], UserID: f[7],
			ServiceAccount: svc,
			Count:          s.count, First: s.first, Last: s.last,
		}
	}
	res := identity.Resolve(obs, identity.Options{})
	identOf := make([]int32, len(obs))
	for i := range identOf {
		identOf[i] = -1
	}
	users := make([]User, len(res.Identities))
	for i := range res.Identities {
		id := &res.Identities[i]
		users[i] = User{
			ProfileID: id.ProfileID,
			Email:     id.Email, Username: id.Username, DisplayName: id.DisplayName,
			FirstName: id.FirstName, LastName: id.LastName, Company: id.Company,
		}
		for _, o := range id.Observations {
			identOf[o] = int32(i)
		}
	}
	return users, identOf
}

// seenActions are the actions of the cells that make rows, sorted, each
// labelled by its name.
func seenActions(acc *Accumulator, identOf []int32) []Column {
	seen := make([]bool, len(acc.actNames))
	for k := range acc.cells {
		if identOf[k.obs] >= 0 {
			seen[k.action] = true
		}
	}
	cols := []Column{}
	for id, name := range acc.actNames {
		if seen[id] && name != "" {
			cols = append(cols, Column{Action: name, Label: name})
		}
	}
	slices.SortFunc(cols, func(x, y Column) int { return compareNames(x.Action, y.Action) })
	return cols
}

// sortRows returns the row indices in report order: date, email (none
// last), project, then username, display name, profile id. Users and
// projects are ranked once, so rows compare as integers.
func sortRows(keys []rowKey, users []User, projects []string) []int32 {
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
	userRank := make([]int32, len(users))
	emailRank := make([]int32, len(users))
	for r, u := range byUser {
		userRank[u] = int32(r)
		if r > 0 && users[u].Email == users[byUser[r-1]].Email {
			emailRank[u] = emailRank[byUser[r-1]]
		} else {
			emailRank[u] = int32(r)
		}
	}
	byName := make([]int32, len(projects))
	for i := range byName {
		byName[i] = int32(i)
	}
	slices.SortFunc(byName, func(x, y int32) int { return compareNames(projects[x], projects[y]) })
	projRank := make([]int32, len(projects))
	for r, p := range byName {
		projRank[p] = int32(r)
	}

	type sortKey struct{ day, email, project, user, row int32 }
	sk := make([]sortKey, len(keys))
	for i, k := range keys {
		sk[i] = sortKey{k.day, emailRank[k.ident], projRank[k.project], userRank[k.ident], int32(i)}
	}
	slices.SortFunc(sk, func(a, b sortKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.email, b.email),
			cmp.Compare(a.project, b.project), cmp.Compare(a.user, b.user))
	})
	order := make([]int32, len(sk))
	for i, k := range sk {
		order[i] = k.row
	}
	return order
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
