package analytics

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/identity"
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

// User is one resolved identity and its activity.
type User struct {
	ProfileID                    string
	Email, Username, DisplayName string
	FirstName, LastName, Company string
	Systems                      []string // sorted
	ServiceAccount               bool
	// First and Last are the earliest and latest activity before as-of,
	// inside or outside the days kept (Unix ns).
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
// as-of, once, and folds acc's cells into users. acc must not be used
// afterwards.
func Build(acc *Accumulator, opts BuildOptions) *Dataset {
	cfg := acc.cfg
	ds := &Dataset{
		From: cfg.cal.from, To: cfg.cal.to(), Location: cfg.opts.Location, AsOf: cfg.opts.AsOf,
		Gap: cfg.opts.SessionGap, Quality: acc.stats,
	}
	// Events get ids in name order, whatever order they were met in.
	evOrder := make([]uint32, len(acc.evNames))
	for i := range evOrder {
		evOrder[i] = uint32(i)
	}
	slices.SortFunc(evOrder, func(x, y uint32) int {
		a, b := acc.evNames[x], acc.evNames[y]
		return cmp.Or(strings.Compare(a.category, b.category), strings.Compare(a.action, b.action))
	})
	evID := make([]uint32, len(evOrder))
	for id, i := range evOrder {
		n := acc.evNames[i]
		ds.Events = append(ds.Events, Event{Category: n.category, Action: n.action})
		evID[i] = uint32(id)
	}
	ds.Fields = slices.Clone(acc.fields)

	res, identOf := resolve(acc, opts)
	ds.Users = make([]User, len(res.Identities))
	for i := range res.Identities {
		id := &res.Identities[i]
		u := &ds.Users[i]
		*u = User{
			ProfileID: id.ProfileID, Email: id.Email, Username: id.Username, DisplayName: id.DisplayName,
			FirstName: id.FirstName, LastName: id.LastName, Company: id.Company,
			ServiceAccount: id.ServiceAccount,
		}
		for _, s := range id.Systems {
			u.Systems = append(u.Systems, s.System)
		}
		first, last := int64(1<<63-1), int64(-1<<63)
		for _, o := range id.Observations {
			s := acc.obsStats[o]
			first, last = min(first, s.first), max(last, s.last)
		}
		u.First, u.Last = first, last
	}
	b := &builder{acc: acc, ds: ds, identOf: identOf, evID: evID}
	b.days()
	b.latest()
	*acc = Accumulator{}
	return ds
}

// resolve runs identity resolution over every observation and returns,
// per observation, its user (-1 for none).
func resolve(acc *Accumulator, opts BuildOptions) (identity.Result, []int32) {
	obs := make([]identity.Observation, len(acc.obsKeys))
	for i, key := range acc.obsKeys {
		o, _ := identity.ParseKey(key) // keys are made by observe
		s := acc.obsStats[i]
		o.Count, o.First, o.Last = s.count, s.first, s.last
		obs[i] = o
	}
	res := identity.Resolve(obs, identity.Options{ServiceAccountPatterns: opts.ServiceAccountPatterns})
	identOf := make([]int32, len(obs))
	for i := range identOf {
		identOf[i] = -1
	}
	for i := range res.Identities {
		for _, o := range res.Identities[i].Observations {
			identOf[o] = int32(i)
		}
	}
	return res, identOf
}

type builder struct {
	acc     *Accumulator
	ds      *Dataset
	identOf []int32
	evID    []uint32 // the dataset's event id of each accumulator event
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
	acc, ds := b.acc, b.ds
	cellDay := make([]Day, len(acc.cellState))
	cellUser := make([]int32, len(acc.cellState))
	for k, i := range acc.cells {
		cellDay[i], cellUser[i] = k.day, b.identOf[k.obs]
	}
	cStart, cOrder := bucket(len(ds.Users), len(cellDay), func(i int) int32 { return cellUser[i] })

	type sessRow struct {
		user int32
		day  Day
		id   uint64
		sessSpan
	}
	sess := make([]sessRow, 0, len(acc.sessions))
	for k, s := range acc.sessions {
		sess = append(sess, sessRow{user: cellUser[k.cell], day: cellDay[k.cell], id: k.id, sessSpan: s})
	}
	sStart, sOrder := bucket(len(ds.Users), len(sess), func(i int) int32 { return sess[i].user })

	type evRow struct {
		user int32
		DayEvent
	}
	evs := make([]evRow, 0, len(acc.events))
	for k, n := range acc.events {
		evs = append(evs, evRow{user: cellUser[k.cell], DayEvent: DayEvent{Day: cellDay[k.cell], Event: b.evID[k.ev], N: n}})
	}
	eStart, eOrder := bucket(len(ds.Users), len(evs), func(i int) int32 { return evs[i].user })

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
			ud.Events = addSat(ud.Events, acc.cellState[c].events)
			for s := acc.cellState[c].gap; s >= 0; s = acc.spans.s[s].next {
				spans = append(spans, gapSpan{span: acc.spans.s[s], day: day})
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
			d.Runtime = addSat(d.Runtime, dur)
		}

		// The gap rule across the days and observations of the user.
		slices.SortFunc(spans, func(x, y gapSpan) int { return cmp.Compare(x.first, y.first) })
		for i := 0; i < len(spans); {
			cur := spans[i].span
			day := spans[i].day
			j := i + 1
			for ; j < len(spans) && spans[j].first-cur.last <= gap; j++ {
				cur.last = max(cur.last, spans[j].last)
				cur.dur = addSat(cur.dur, spans[j].dur)
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
				cur.dur = addSat(cur.dur, o.dur)
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
				allEvents[n-1].N = addSat(allEvents[n-1].N, e.N)
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
	acc, ds := b.acc, b.ds
	type uf struct {
		user  int32
		field uint32
	}
	best := make(map[uf]latestVal)
	for k, v := range acc.latest {
		u := b.identOf[k.obs]
		if u < 0 {
			continue
		}
		key := uf{u, k.field}
		cur, ok := best[key]
		if !ok || v.t > cur.t || v.t == cur.t && acc.vals[v.val] < acc.vals[cur.val] {
			best[key] = v
		}
	}
	n := acc.cfg.latestN
	if n > 0 {
		all := make([]string, n*len(ds.Users))
		for u := range ds.Users {
			ds.Users[u].Latest = all[u*n : (u+1)*n : (u+1)*n]
		}
	}
	for k, v := range best {
		u := &ds.Users[k.user]
		if int(k.field) < n {
			u.Latest[k.field] = acc.vals[v.val]
		}
		if name := acc.fields[k.field]; acc.cfg.opts.AllProps && isPropField(name) {
			u.Props = append(u.Props, Prop{Field: name, Value: acc.vals[v.val]})
		}
	}
	if acc.cfg.opts.AllProps {
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
