package analytics

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/slab"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/internal/tally"
	"github.com/usagerep/usagerep/pkg/keystore"
	"github.com/usagerep/usagerep/pkg/observe"
)

// Dataset is an accumulator's state resolved into users: every report of
// the package is built from one. It holds per user only its days with
// activity, so it is as large as the (user, day) cells of the input.
type Dataset struct {
	From, To Day // the days kept per user
	AsOf     time.Time
	Location *time.Location
	Gap      time.Duration // the session gap used
	Users    []User        // in identity order (email, username, display name)
	// Events are the event names of User.Events, by id.
	Events []Event
	// Fields are the names of User.Latest (the accumulator's Latest
	// fields) and, with AllProps, of User.Props.
	Fields  []string
	Quality Quality
	// By is what Users are: identities, user ids or sessions.
	By ClientBy
}

// Event is one event: a category (may be empty) and an action (may be
// empty).
type Event struct {
	Category, Action string
}

// Name is "category/action", or the action alone without a category;
// "(none)" names an event with neither.
func (e Event) Name() string {
	switch {
	case e.Category == "" && e.Action == "":
		return NoneLabel
	case e.Category == "":
		return e.Action
	}
	return e.Category + "/" + e.Action
}

// User is one client and its activity: a resolved identity; with
// ByUserID a system's user id (UserID, Systems its one system, no
// identity fields); with BySession one session (Session its id, "" by
// the gap rule) and its identity's fields and latest values.
type User struct {
	ProfileID                    string
	Email, Username, DisplayName string
	FirstName, LastName, Company string
	Systems                      []string // sorted
	ServiceAccount               bool
	UserID                       string
	Session                      string
	// First and Last are the earliest and latest activity before as-of,
	// inside or outside the days kept (Unix ns); of a session, its own,
	// which lies in the days kept.
	First, Last int64
	// Days are the kept days with activity, ascending.
	Days []UserDay
	// Events are the occurrences per day and event, by day then event id
	// (only when the accumulator kept events).
	Events []DayEvent
	// Latest holds the latest value of each Options.Latest field, "" when
	// the user never had one.
	Latest []string
	// Props are the latest values of plan, customer and props.NAME (with
	// Options.AllProps), sorted by field name.
	Props []Prop
}

// UserDay is one user's activity on one day.
type UserDay struct {
	Day    Day
	Events int64 // occurrences: the sum of count
	// Sessions is the number of sessions that started this day, and
	// Runtime their runtime (ns): the durations given, else their span.
	Sessions int64
	Runtime  int64
}

// DayEvent is the occurrences of one event by one user on one day.
type DayEvent struct {
	Day   Day
	Event uint32 // index into Dataset.Events
	N     int64
}

// Prop is one latest value.
type Prop struct {
	Field, Value string
}

// BuildOptions tune resolution.
type BuildOptions struct {
	ServiceAccountPatterns []string
}

// Build resolves the identities of acc's observations, every one before
// as-of, once, and folds acc's parts into users. acc must not be used
// afterwards.
func Build(acc *Accumulator, opts BuildOptions) *Dataset {
	cfg := acc.cfg
	ds := &Dataset{
		From: cfg.cal.from, To: cfg.cal.to(), Location: cfg.opts.Location, AsOf: cfg.opts.AsOf,
		Gap: cfg.opts.SessionGap, Quality: acc.stats, By: cfg.opts.By,
	}
	parts := acc.parts
	if !acc.own.empty() {
		parts = append(parts, acc.own)
	}
	store := acc.obs.Live()
	b := &builder{cfg: cfg, ds: ds, store: store, off: store.Offsets(), parts: parts}
	b.events()
	b.fields()

	if cfg.opts.By == ByUserID {
		b.userIDClients()
	} else {
		b.identities(opts)
	}
	identOf := b.identOf
	i := 0
	for sh := range keystore.Shards {
		for _, st := range store.Shard(sh).States {
			if v := identOf[i]; v >= 0 {
				u := &ds.Users[v]
				u.First, u.Last = min(u.First, st.First), max(u.Last, st.Last)
			}
			i++
		}
	}
	if cfg.opts.By == BySession {
		// The sessions take their identity's latest values.
		b.latest()
		b.sessionClients()
	} else {
		b.days()
		b.latest()
	}
	*acc = Accumulator{}
	return ds
}

// identities makes the dataset's users of the resolved identities.
func (b *builder) identities(opts BuildOptions) {
	// While the identities come the resolver's state is at its largest, so
	// each keeps only what its User takes, half a User's size; the Users
	// are made once the resolver is gone.
	type kept struct {
		profileID, email, username, displayName string
		firstName, lastName, company            string
		systems                                 []string
		service                                 bool
	}
	var ids []kept
	var systems slab.Slab[string] // one backing array for many identities' lists
	b.store.DropIndex()           // only for lookups while feeding
	res := observe.Resolve(b.store, observe.Tally, identity.Options{ServiceAccountPatterns: opts.ServiceAccountPatterns}, func(i, n int, id *identity.Identity) {
		if i == 0 {
			ids = make([]kept, n)
		}
		k := &ids[i]
		*k = kept{
			profileID: id.ProfileID, email: id.Email, username: id.Username, displayName: id.DisplayName,
			firstName: id.FirstName, lastName: id.LastName, company: id.Company,
			service: id.ServiceAccount,
		}
		k.systems = systems.Take(len(id.Systems))
		for j, s := range id.Systems {
			k.systems[j] = s.System
		}
	})
	b.identOf = res.IdentOf
	b.ds.Users = make([]User, len(ids))
	for i := range ids {
		k := &ids[i]
		b.ds.Users[i] = User{
			ProfileID: k.profileID, Email: k.email, Username: k.username, DisplayName: k.displayName,
			FirstName: k.firstName, LastName: k.lastName, Company: k.company,
			Systems: k.systems, ServiceAccount: k.service,
			First: math.MaxInt64, Last: math.MinInt64,
		}
	}
}

// userIDClients makes a user of each observation, a (system, user id)
// key, ordered by system then user id.
func (b *builder) userIDClients() {
	type sid struct {
		system, userID string
		obs            int32 // in offsets order
	}
	all := make([]sid, 0, b.store.Len())
	for sh := range keystore.Shards {
		for _, k := range b.store.Shard(sh).Keys() {
			s, id := parseUserIDKey(k)
			all = append(all, sid{system: s, userID: id, obs: int32(len(all))})
		}
	}
	slices.SortFunc(all, func(x, y sid) int {
		return cmp.Or(strings.Compare(x.system, y.system), strings.Compare(x.userID, y.userID))
	})
	b.identOf = make([]int32, len(all))
	b.ds.Users = make([]User, len(all))
	systems := make([]string, len(all)) // one backing array for the one-system lists
	for i, c := range all {
		b.identOf[c.obs] = int32(i)
		systems[i] = c.system
		b.ds.Users[i] = User{
			Systems: systems[i : i+1 : i+1], UserID: c.userID,
			First: math.MaxInt64, Last: math.MinInt64,
		}
	}
}

type builder struct {
	cfg     *config
	ds      *Dataset
	store   *observe.Store // the live store
	off     [keystore.Shards]int
	parts   []*part
	identOf []int32 // per observation in offsets order
	// evID and fieldID map each part's event and field ids to the
	// dataset's.
	evID, fieldID [][]uint32
}

// user is the user of observation id of p (-1 for none).
func (b *builder) user(p *part, id uint32) int32 {
	if p.obs != b.store {
		id = p.obs.LiveID(id)
	}
	sh, row := keystore.SplitID(id)
	return b.identOf[b.off[sh]+int(row)]
}

// events gives the dataset the parts' events, with ids in name order
// whatever order they were met in.
func (b *builder) events() {
	ids := map[evName]uint32{}
	var names []evName
	for _, p := range b.parts {
		for _, n := range p.evNames {
			if _, ok := ids[n]; !ok {
				ids[n] = 0
				names = append(names, n)
			}
		}
	}
	slices.SortFunc(names, func(a, b evName) int {
		return cmp.Or(strings.Compare(a.category, b.category), strings.Compare(a.action, b.action))
	})
	for id, n := range names {
		ids[n] = uint32(id)
		b.ds.Events = append(b.ds.Events, Event{Category: n.category, Action: n.action})
	}
	b.evID = make([][]uint32, len(b.parts))
	for i, p := range b.parts {
		b.evID[i] = make([]uint32, len(p.evNames))
		for j, n := range p.evNames {
			b.evID[i][j] = ids[n]
		}
	}
}

// fields gives the dataset the parts' fields: those of Options.Latest
// first, at their index, then the others in name order.
func (b *builder) fields() {
	n := b.cfg.latestN
	ids := map[string]uint32{}
	for i, f := range b.cfg.opts.Latest {
		if _, ok := ids[f.Name]; !ok {
			ids[f.Name] = uint32(i)
		}
		b.ds.Fields = append(b.ds.Fields, f.Name)
	}
	var more []string
	for _, p := range b.parts {
		for _, f := range p.fields[n:] {
			if _, ok := ids[f]; !ok {
				ids[f] = 0
				more = append(more, f)
			}
		}
	}
	slices.Sort(more)
	for _, f := range more {
		ids[f] = uint32(len(b.ds.Fields))
		b.ds.Fields = append(b.ds.Fields, f)
	}
	b.fieldID = make([][]uint32, len(b.parts))
	for i, p := range b.parts {
		b.fieldID[i] = make([]uint32, len(p.fields))
		for j, f := range p.fields {
			b.fieldID[i][j] = ids[f]
		}
		// Options.Latest's ids are their indexes in every part, whatever
		// their names.
		for j := range n {
			b.fieldID[i][j] = uint32(j)
		}
	}
}

// bucket groups items by user: it returns, per user u, the items'
// positions order[start[u]:start[u+1]].
func bucket(users int, n int, userOf func(i int) int32) (start []int32, order []int32) {
	start = make([]int32, users+1)
	for i := range n {
		if u := userOf(i); u >= 0 {
			start[u+1]++
		}
	}
	for u := range users {
		start[u+1] += start[u]
	}
	next := slices.Clone(start[:users])
	order = make([]int32, start[users])
	for i := range n {
		if u := userOf(i); u >= 0 {
			order[next[u]] = int32(i)
			next[u]++
		}
	}
	return start, order
}

// days folds every user's cells into its days: events, and the sessions
// of the gap rule and of session ids, each counted on the day it started.
func (b *builder) days() {
	ds := b.ds
	// The parts' cells in one numbering: part i's cell c is base[i]+c.
	base := make([]int32, len(b.parts))
	n, nSess, nEv := 0, 0, 0
	for i, p := range b.parts {
		base[i] = int32(n)
		n += len(p.cellState)
		nSess += len(p.sessions)
		nEv += len(p.events)
	}
	cellDay := make([]Day, n)
	cellUser := make([]int32, n)
	for i, p := range b.parts {
		for k, c := range p.cells {
			cellDay[base[i]+int32(c)], cellUser[base[i]+int32(c)] = k.day, b.user(p, k.obs)
		}
		p.cells = nil // the cells' keys are in cellDay and cellUser now
	}
	cStart, cOrder := bucket(len(ds.Users), len(cellDay), func(i int) int32 { return cellUser[i] })

	type sessRow struct {
		user int32
		day  Day
		id   uint64
		sessSpan
	}
	sess := make([]sessRow, 0, nSess)
	for i, p := range b.parts {
		for k, s := range p.sessions {
			c := base[i] + int32(k.cell)
			sess = append(sess, sessRow{user: cellUser[c], day: cellDay[c], id: k.id, sessSpan: s})
		}
		p.sessions = nil
	}
	sStart, sOrder := bucket(len(ds.Users), len(sess), func(i int) int32 { return sess[i].user })

	type evRow struct {
		user int32
		DayEvent
	}
	evs := make([]evRow, 0, nEv)
	for i, p := range b.parts {
		for k, n := range p.events {
			c := base[i] + int32(k.cell)
			evs = append(evs, evRow{user: cellUser[c], DayEvent: DayEvent{Day: cellDay[c], Event: b.evID[i][k.ev], N: n}})
		}
		p.events = nil
	}
	eStart, eOrder := bucket(len(ds.Users), len(evs), func(i int) int32 { return evs[i].user })
	// partOf is the part of cell c and c's index in it.
	partOf := func(c int32) (*part, int32) {
		i, found := slices.BinarySearch(base, c)
		if !found {
			i--
		}
		for i+1 < len(base) && base[i+1] == c { // parts without cells share a base
			i++
		}
		return b.parts[i], c - base[i]
	}

	// One backing array each: no user needs more than its cells.
	allDays := make([]UserDay, 0, len(cellDay))
	allEvents := make([]DayEvent, 0, len(evs))
	type gapSpan struct {
		span
		day Day
	}
	var spans []gapSpan
	var ids []int32
	gap := int64(ds.Gap)
	for u := range ds.Users {
		user := &ds.Users[u]
		ids = append(ids[:0], cOrder[cStart[u]:cStart[u+1]]...)
		slices.SortFunc(ids, func(x, y int32) int { return cmp.Compare(cellDay[x], cellDay[y]) })
		d0 := len(allDays)
		spans = spans[:0]
		for _, c := range ids {
			day := cellDay[c]
			if n := len(allDays); n == d0 || allDays[n-1].Day != day {
				allDays = append(allDays, UserDay{Day: day})
			}
			ud := &allDays[len(allDays)-1]
			p, pc := partOf(c)
			ud.Events = tally.AddSat(ud.Events, p.cellState[pc].events)
			for s := p.cellState[pc].gap; s >= 0; s = p.spans.s[s].next {
				spans = append(spans, gapSpan{span: p.spans.s[s], day: day})
			}
		}
		user.Days = allDays[d0:len(allDays):len(allDays)]
		addSession := func(day Day, first, last, dur int64, hasDur bool) {
			i, _ := slices.BinarySearchFunc(user.Days, day, func(d UserDay, day Day) int { return cmp.Compare(d.Day, day) })
			d := &user.Days[i]
			d.Sessions++
			if !hasDur {
				dur = last - first
			}
			d.Runtime = tally.AddSat(d.Runtime, dur)
		}

		// The gap rule across the days and observations of the user.
		slices.SortFunc(spans, func(x, y gapSpan) int { return cmp.Compare(x.first, y.first) })
		for i := 0; i < len(spans); {
			cur := spans[i].span
			day := spans[i].day
			j := i + 1
			for ; j < len(spans) && spans[j].first-cur.last <= gap; j++ {
				cur.last = max(cur.last, spans[j].last)
				cur.dur = tally.AddSat(cur.dur, spans[j].dur)
				cur.hasDur = cur.hasDur || spans[j].hasDur
			}
			addSession(day, cur.first, cur.last, cur.dur, cur.hasDur)
			i = j
		}

		// Session ids: one session per id, whatever days it spans.
		rows := sOrder[sStart[u]:sStart[u+1]]
		slices.SortFunc(rows, func(x, y int32) int {
			return cmp.Or(cmp.Compare(sess[x].id, sess[y].id), cmp.Compare(sess[x].first, sess[y].first))
		})
		for i := 0; i < len(rows); {
			cur := sess[rows[i]]
			j := i + 1
			for ; j < len(rows) && sess[rows[j]].id == cur.id; j++ {
				o := sess[rows[j]]
				cur.last = max(cur.last, o.last)
				cur.dur = tally.AddSat(cur.dur, o.dur)
				cur.hasDur = cur.hasDur || o.hasDur
			}
			addSession(cur.day, cur.first, cur.last, cur.dur, cur.hasDur)
			i = j
		}

		// Events, the same event of one day from several observations
		// added up.
		rows = eOrder[eStart[u]:eStart[u+1]]
		slices.SortFunc(rows, func(x, y int32) int {
			return cmp.Or(cmp.Compare(evs[x].Day, evs[y].Day), cmp.Compare(evs[x].Event, evs[y].Event))
		})
		e0 := len(allEvents)
		for _, r := range rows {
			e := evs[r].DayEvent
			if n := len(allEvents); n > e0 && allEvents[n-1].Day == e.Day && allEvents[n-1].Event == e.Event {
				allEvents[n-1].N = tally.AddSat(allEvents[n-1].N, e.N)
				continue
			}
			allEvents = append(allEvents, e)
		}
		if len(allEvents) > e0 {
			user.Events = allEvents[e0:len(allEvents):len(allEvents)]
		}
	}
}

// latest gives each user the latest value of each kept field over its
// observations.
func (b *builder) latest() {
	ds := b.ds
	type uf struct {
		user  int32
		field uint32
	}
	type val struct {
		t int64
		v string
	}
	best := make(map[uf]val)
	for i, p := range b.parts {
		for k, v := range p.latest {
			u := b.user(p, k.obs)
			if u < 0 {
				continue
			}
			key := uf{u, b.fieldID[i][k.field]}
			s := p.vals[v.val]
			cur, ok := best[key]
			if !ok || v.t > cur.t || v.t == cur.t && s < cur.v {
				best[key] = val{v.t, s}
			}
		}
		p.latest = nil
	}
	n := b.cfg.latestN
	if n > 0 {
		all := make([]string, n*len(ds.Users))
		for u := range ds.Users {
			ds.Users[u].Latest = all[u*n : (u+1)*n : (u+1)*n]
		}
	}
	allProps := b.cfg.opts.AllProps
	for k, v := range best {
		u := &ds.Users[k.user]
		if int(k.field) < n {
			u.Latest[k.field] = v.v
		}
		if name := ds.Fields[k.field]; allProps && isPropField(name) {
			u.Props = append(u.Props, Prop{Field: name, Value: v.v})
		}
	}
	if allProps {
		for u := range ds.Users {
			slices.SortFunc(ds.Users[u].Props, func(x, y Prop) int { return strings.Compare(x.Field, y.Field) })
		}
	}
}

// isPropField says whether a kept field is one of a user's properties
// (plan, customer, props.NAME) rather than a segmentation's.
func isPropField(name string) bool {
	return name == "plan" || name == "customer" || strings.HasPrefix(name, "props.")
}
