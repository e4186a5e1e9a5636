package userusage

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/slab"
	"github.com/usagerep/usagerep/pkg/internal/varint"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/internal/tally"
	"github.com/usagerep/usagerep/pkg/keystore"
	"github.com/usagerep/usagerep/pkg/observe"
	"github.com/usagerep/usagerep/pkg/record"
)

// BuildOptions say how to resolve users.
type BuildOptions struct {
	// ServiceAccountPatterns are globs over lower-cased emails and
	// usernames marking service accounts (identity.Options).
	ServiceAccountPatterns []string
}

// Store is what Build makes of accumulated state: the users, resolved
// once over every observation before as-of, and their sums per day. It
// answers any number of queries on its dates (see Pages); it is not
// changed by them, so queries may run concurrently.
type Store struct {
	first    Date
	ends     []int64 // the end (Unix ns) of each day kept
	loc      *time.Location
	customer string
	newest   int64 // latest time of any record before as-of; NoTime if none
	later    int64 // earliest time of any record at or after as-of; MaxInt64 if none
	// text holds every user's strings in one block of the Store's own
	// (see own).
	text string

	users     []user // in report order: email (none last), then profile id
	byEmail   map[string]int32
	byProfile map[string]int32
	// byUsername: folded username -> user, -1 when several users have it.
	byUsername map[string]int32

	// userDays[dayOff[u]:dayOff[u+1]] are user u's days with mentions,
	// ascending.
	userDays []userDay
	dayOff   []int32
	// params are the action parameter names, sorted; paramSum.id indexes
	// them.
	params   []string
	paramIDs map[string]uint32
}

type user struct {
	email, profileID      string // email is lower-case, as observations keep it
	username, displayName string
	firstName, lastName   string
	service               bool
	first                 int64 // first mention (Unix ns)
	before                int64 // latest mention before the first day kept, or NoTime
	emails                []string
	usernames             []string
}

type userDay struct {
	day      int32
	events   int64
	last     int64 // latest mention up to the end of this day
	systems  int32
	projects int32
	params   []paramSum // by id, ascending
}

type paramSum struct {
	id  uint32
	sum int64
}

// Build resolves the users of acc's observations and folds acc's sums per
// user and day. acc must not be used afterwards.
func Build(acc *Accumulator, opts BuildOptions) *Store {
	c := acc.opts
	s := &Store{
		first:    c.first,
		ends:     make([]int64, len(c.starts)-1),
		loc:      c.loc,
		customer: c.customer,
		newest:   acc.newest,
		later:    acc.later,
	}
	for i := range s.ends {
		s.ends[i] = min(c.starts[i+1], c.asOf)
	}
	acc.settle()
	store := acc.obs
	store.DropIndex() // only for lookups while feeding

	// Observations in shard and row order; off[shard] + row is an
	// observation's index. Each identity is taken as it comes: the users
	// keep only part of it.
	var users []user
	off := store.Offsets()
	res := observe.Resolve(store, func(st *obsStat) identity.Tally {
		return identity.Tally{Count: st.count, First: st.first, Last: st.last}
	}, identity.Options{ServiceAccountPatterns: opts.ServiceAccountPatterns}, func(i, n int, id *identity.Identity) {
		if i == 0 {
			users = make([]user, n)
		}
		u := &users[i]
		*u = user{
			email: id.Email, profileID: id.ProfileID,
			username: id.Username, displayName: id.DisplayName,
			firstName: id.FirstName, lastName: id.LastName,
			service: id.ServiceAccount,
			first:   1<<63 - 1, before: record.NoTime,
		}
		if id.Email != "" {
			u.emails = append(u.emails, id.Email)
		}
		u.emails = append(u.emails, id.EmailAliases...)
		if id.Username != "" {
			u.usernames = append(u.usernames, id.Username)
		}
		u.usernames = append(u.usernames, id.UsernameAliases...)
		for _, o := range id.Observations {
			st := obsAt(store, &off, o)
			u.first = min(u.first, st.first)
			u.before = max(u.before, st.before)
		}
	})
	keys, obsUser := res.Keys, res.IdentOf

	// Report order; order[k] is the identity at position k.
	order := make([]int32, len(users))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int {
		ux, uy := &users[x], &users[y]
		return cmp.Or(compareUsers(ux.email, ux.profileID, uy.email, uy.profileID),
			strings.Compare(ux.username, uy.username), strings.Compare(ux.displayName, uy.displayName))
	})
	rank := make([]int32, len(users))
	s.users = make([]user, len(users))
	for k, i := range order {
		rank[i] = int32(k)
		s.users[k] = users[i]
	}
	s.own()
	for o := range obsUser {
		if obsUser[o] >= 0 {
			obsUser[o] = rank[obsUser[o]]
		}
	}
	s.byEmail = make(map[string]int32)
	s.byProfile = make(map[string]int32, len(s.users))
	s.byUsername = make(map[string]int32)
	for k := range s.users {
		u := &s.users[k]
		for _, e := range u.emails {
			s.byEmail[strings.ToLower(e)] = int32(k)
		}
		if _, dup := s.byProfile[u.profileID]; !dup {
			s.byProfile[u.profileID] = int32(k)
		}
		for _, n := range u.usernames {
			n = string(record.FoldUsername(nil, n))
			if prev, seen := s.byUsername[n]; seen && prev != int32(k) {
				s.byUsername[n] = -1 // two users: a username names neither
			} else {
				s.byUsername[n] = int32(k)
			}
		}
		u.emails, u.usernames = nil, nil
	}

	// Only actions someone had are parameters: an anonymous record's
	// action names none.
	used := make([]bool, len(acc.paramNames))
	for _, l := range acc.paramPool {
		used[l.param] = true
	}
	for i, n := range acc.paramNames {
		if used[i] {
			s.params = append(s.params, n)
		}
	}
	slices.Sort(s.params)
	s.paramIDs = make(map[string]uint32, len(s.params))
	for i, n := range s.params {
		s.paramIDs[n] = uint32(i)
	}
	paramNew := make([]uint32, len(acc.paramNames))
	for i, n := range acc.paramNames {
		paramNew[i] = s.paramIDs[n]
	}
	s.days(acc, store, &off, keys, obsUser, paramNew)
	return s
}

// obsAt is the state of observation o, in shard and row order with
// offsets off, read in place rather than from a copy of every state.
func obsAt(store *obsStore, off *[keystore.Shards]int, o int) *obsStat {
	sh := sort.Search(keystore.Shards, func(k int) bool { return off[k] > o }) - 1
	return &store.Shard(sh).States[o-off[sh]]
}

// own copies the users' strings, which share the scan's blocks of
// observation keys, into one block of the Store's own: a Store kept after
// the scan (serve keeps some) then holds only what Bytes counts. Users'
// email aliases are copied too, as they key byEmail; their usernames are
// folded into new strings anyway.
func (s *Store) own() {
	fields := func(u *user, f func(*string)) {
		for _, p := range []*string{&u.email, &u.profileID, &u.username, &u.displayName, &u.firstName, &u.lastName} {
			f(p)
		}
		for i := range u.emails {
			f(&u.emails[i])
		}
	}
	n := 0
	for i := range s.users {
		fields(&s.users[i], func(p *string) { n += len(*p) })
	}
	var b strings.Builder
	b.Grow(n)
	for i := range s.users {
		fields(&s.users[i], func(p *string) { b.WriteString(*p) })
	}
	s.text = b.String()
	off := 0
	for i := range s.users {
		fields(&s.users[i], func(p *string) {
			l := len(*p)
			*p = s.text[off : off+l]
			off += l
		})
	}
}

// days folds the cells of acc, per (observation, day), into userDays,
// per (user, day).
func (s *Store) days(acc *Accumulator, store *obsStore, off *[keystore.Shards]int, keys []string, obsUser []int32, paramNew []uint32) {
	type ref struct {
		user int32
		day  int32
		obs  int32
		cell int32
	}
	refs := make([]ref, 0, len(acc.cells))
	for k, ci := range acc.cells {
		id := k.obs // acc merged everything: its ids are its store's
		shard, row := keystore.SplitID(id)
		o := off[shard] + int(row)
		if u := obsUser[o]; u >= 0 {
			refs = append(refs, ref{user: u, day: k.day, obs: int32(o), cell: ci})
		}
	}
	slices.SortFunc(refs, func(x, y ref) int { return cmp.Or(cmp.Compare(x.user, y.user), cmp.Compare(x.day, y.day)) })

	// Scratch sets, by id, stamped with the group they were last set in.
	systemIDs := map[string]int32{}
	systemOf := make([]int32, len(keys))
	for i, key := range keys {
		sys := identity.KeySystem(key)
		id, ok := systemIDs[sys]
		if !ok {
			id = int32(len(systemIDs))
			systemIDs[sys] = id
		}
		systemOf[i] = id
	}
	sysStamp := make([]int32, len(systemIDs))
	projStamp := make([]int32, len(acc.projKeys))
	paramStamp := make([]int32, len(s.params))
	paramVal := make([]int64, len(s.params))
	var touched []uint32
	// An empty system or project counts for nothing.
	noSystem, hasNoSystem := systemIDs[""]
	emptyProj := make([]bool, len(acc.projKeys))
	for i, k := range acc.projKeys {
		f, _ := varint.Fields(k)
		emptyProj[i] = len(f) != 2 || f[1] == ""
	}

	s.dayOff = make([]int32, len(s.users)+1)
	var sums slab.Slab[paramSum]
	stamp := int32(0)
	for i := 0; i < len(refs); {
		j := i
		stamp++
		d := userDay{day: refs[i].day, last: record.NoTime}
		touched = touched[:0]
		for ; j < len(refs) && refs[j].user == refs[i].user && refs[j].day == refs[i].day; j++ {
			c := &acc.cellVals[refs[j].cell]
			d.events = tally.AddSat(d.events, c.events)
			d.last = max(d.last, c.last)
			if sys := systemOf[refs[j].obs]; sysStamp[sys] != stamp && (!hasNoSystem || sys != noSystem) {
				sysStamp[sys] = stamp
				d.systems++
			}
			for p := c.projs; p >= 0; p = acc.projPool[p].next {
				if id := acc.projPool[p].proj; projStamp[id] != stamp && !emptyProj[id] {
					projStamp[id] = stamp
					d.projects++
				}
			}
			for p := c.params; p >= 0; p = acc.paramPool[p].next {
				l := acc.paramPool[p]
				id := paramNew[l.param]
				if paramStamp[id] != stamp {
					paramStamp[id] = stamp
					paramVal[id] = 0
					touched = append(touched, id)
				}
				paramVal[id] = tally.AddSat(paramVal[id], l.sum)
			}
		}
		if len(touched) > 0 {
			slices.Sort(touched)
			d.params = sums.Take(len(touched))
			for k, id := range touched {
				d.params[k] = paramSum{id: id, sum: paramVal[id]}
			}
		}
		s.userDays = append(s.userDays, d)
		s.dayOff[refs[i].user+1]++
		i = j
	}
	for u := range s.users {
		s.dayOff[u+1] += s.dayOff[u]
	}
	// Running latest mention: up to the end of each day.
	for u := range s.users {
		last := s.users[u].before
		for k := s.dayOff[u]; k < s.dayOff[u+1]; k++ {
			last = max(last, s.userDays[k].last)
			s.userDays[k].last = last
		}
	}
}

// compareUsers is the report order: email, users without one last, then
// profile id.
func compareUsers(emailA, profileA, emailB, profileB string) int {
	switch {
	case emailA == "" && emailB != "":
		return 1
	case emailA != "" && emailB == "":
		return -1
	}
	return cmp.Or(strings.Compare(emailA, emailB), strings.Compare(profileA, profileB))
}
