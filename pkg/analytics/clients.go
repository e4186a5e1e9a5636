package analytics

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/internal/tally"
)

// ClientsOptions choose the clients list.
type ClientsOptions struct {
	Segment SegmentOptions
	Offset  int
	Limit   int // 0 means all
}

// Clients is one row per user active in the range, in identity order
// (email, username, display name), with its latest properties.
type Clients struct {
	Total    int      // users before paging
	Offset   int      // the first row's position among them
	Fields   []string // the property columns: plan, customer, props.NAME, sorted
	Segments []string // by row, the user's segment; nil unsegmented
	Users    []*User
	Usage    []ClientUsage // by row
	By       ClientBy      // what a row is, which chooses the columns
}

// ClientUsage is a user's activity over the range.
type ClientUsage struct {
	Days, Sessions, Events int64
	Runtime                int64 // ns
}

// BuildClients lists the users active in the range, paged.
func BuildClients(ds *Dataset, opts ClientsOptions) (*Clients, error) {
	if opts.Offset < 0 || opts.Limit < 0 {
		return nil, errors.New("offset and limit must be 0 or more")
	}
	pop := ds.activeUsers()
	seg, err := opts.Segment.segments(ds, pop)
	if err != nil {
		return nil, err
	}
	c := &Clients{Total: len(pop), Offset: opts.Offset, By: ds.By}
	fields := map[string]bool{}
	for _, u := range pop {
		for _, p := range ds.Users[u].Props {
			fields[p.Field] = true
		}
	}
	for f := range fields {
		c.Fields = append(c.Fields, f)
	}
	slices.Sort(c.Fields)
	lo := min(opts.Offset, len(pop))
	hi := len(pop)
	if opts.Limit > 0 {
		hi = min(lo+opts.Limit, hi)
	}
	for _, u := range pop[lo:hi] { // users are in identity order already
		user := &ds.Users[u]
		c.Users = append(c.Users, user)
		var x ClientUsage
		for _, d := range user.Days {
			if ds.inRange(d.Day) {
				x.Days++
				x.Sessions = tally.AddSat(x.Sessions, d.Sessions)
				x.Events = tally.AddSat(x.Events, d.Events)
				x.Runtime = tally.AddSat(x.Runtime, d.Runtime)
			}
		}
		c.Usage = append(c.Usage, x)
		if !seg.single {
			c.Segments = append(c.Segments, seg.Labels[seg.segment(u)])
		}
	}
	return c, nil
}

// clientColumns are the columns naming a row and its activity, by what a
// client is: an identity's fields, a user id and its system, or a
// session, its user and its times.
func (c *Clients) clientColumns() ([]Column, func(u *User, x ClientUsage, dst []Value)) {
	switch c.By {
	case ByUserID:
		return []Column{
				{Key: "system", Header: "System", Kind: KindText},
				{Key: "user_id", Header: "User id", Kind: KindText},
				{Key: "first_seen", Header: "First seen", Kind: KindTime},
				{Key: "last_seen", Header: "Last seen", Kind: KindTime},
				{Key: "active_days", Header: "Active days", Kind: KindInt},
				{Key: "sessions", Header: "Sessions", Kind: KindInt},
				{Key: "events", Header: "Events", Kind: KindInt},
			}, func(u *User, x ClientUsage, dst []Value) {
				dst[0], dst[1] = text(u.Systems[0]), text(u.UserID)
				dst[2], dst[3] = Value{Time: time.Unix(0, u.First)}, Value{Time: time.Unix(0, u.Last)}
				dst[4], dst[5], dst[6] = count(x.Days), count(x.Sessions), count(x.Events)
			}
	case BySession:
		// A session is one session: its runtime says more than a count
		// of 1.
		return []Column{
				{Key: "session", Header: "Session", Kind: KindText},
				{Key: "profile_id", Header: "Profile Id", Kind: KindText},
				{Key: "user", Header: "User", Kind: KindText},
				{Key: "start", Header: "Start", Kind: KindTime},
				{Key: "end", Header: "End", Kind: KindTime},
				{Key: "runtime_hours", Header: "Runtime (hours)", Kind: KindHours},
				{Key: "active_days", Header: "Active days", Kind: KindInt},
				{Key: "events", Header: "Events", Kind: KindInt},
			}, func(u *User, x ClientUsage, dst []Value) {
				dst[0], dst[1], dst[2] = text(u.Session), text(u.ProfileID), text(cmpOr(u.Email, u.Username, u.DisplayName))
				dst[3], dst[4] = Value{Time: time.Unix(0, u.First)}, Value{Time: time.Unix(0, u.Last)}
				dst[5], dst[6], dst[7] = hours(x.Runtime), count(x.Days), count(x.Events)
			}
	}
	return identityColumns, func(u *User, x ClientUsage, dst []Value) {
		for j, s := range []string{u.ProfileID, u.Email, u.Username, u.DisplayName, u.FirstName, u.LastName, u.Company, strings.Join(u.Systems, "; ")} {
			dst[j] = text(s)
		}
		dst[8] = Value{Time: time.Unix(0, u.First)}
		dst[9] = Value{Time: time.Unix(0, u.Last)}
		dst[10], dst[11], dst[12] = count(x.Days), count(x.Sessions), count(x.Events)
	}
}

// cmpOr is the first non-empty string.
func cmpOr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

var identityColumns = []Column{
	{Key: "profile_id", Header: "Profile Id", Kind: KindText},
	{Key: "email", Header: "Email", Kind: KindText},
	{Key: "username", Header: "Username", Kind: KindText},
	{Key: "display_name", Header: "Display Name", Kind: KindText},
	{Key: "first_name", Header: "First name", Kind: KindText},
	{Key: "last_name", Header: "Last name", Kind: KindText},
	{Key: "company", Header: "Company", Kind: KindText},
	{Key: "systems", Header: "Systems", Kind: KindText},
	{Key: "first_seen", Header: "First seen", Kind: KindTime},
	{Key: "last_seen", Header: "Last seen", Kind: KindTime},
	{Key: "active_days", Header: "Active days", Kind: KindInt},
	{Key: "sessions", Header: "Sessions", Kind: KindInt},
	{Key: "events", Header: "Events", Kind: KindInt},
}

// Report is the list as one table, no chart: it is no series.
func (c *Clients) Report() []*Table {
	cols, fill := c.clientColumns()
	cols = slices.Clip(cols)
	fixed := len(cols)
	if c.Segments != nil {
		cols = append(cols, Column{Key: "segment", Header: "Segment", Kind: KindText})
	}
	props := len(cols)
	for _, f := range c.Fields {
		cols = append(cols, Column{Key: f, Header: f, Kind: KindText})
	}
	title := "Users active in the range and their latest properties"
	switch c.By {
	case ByUserID:
		title = "User ids active in the range and their latest properties"
	case BySession:
		title = "Sessions active in the range and their users' latest properties"
	}
	return []*Table{{
		Name: "Clients", Title: title + rowsOf(c.Offset, len(c.Users), c.Total),
		Columns: cols, Len: len(c.Users),
		Row: func(i int, dst []Value) {
			u := c.Users[i]
			fill(u, c.Usage[i], dst)
			if c.Segments != nil {
				dst[fixed] = text(c.Segments[i])
			}
			// Both sorted by field: one merge.
			k := 0
			for j, f := range c.Fields {
				for k < len(u.Props) && u.Props[k].Field < f {
					k++
				}
				if k < len(u.Props) && u.Props[k].Field == f {
					dst[props+j] = text(u.Props[k].Value)
				} else {
					dst[props+j] = Value{Empty: true}
				}
			}
		},
	}}
}

// rowsOf says which rows of how many a page holds.
func rowsOf(offset, n, total int) string {
	if n == total {
		return ""
	}
	return fmt.Sprintf(" (rows %d to %d of %d)", offset+1, offset+n, total)
}
