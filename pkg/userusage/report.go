package userusage

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/record"
)

// Unknown lists the parameters q asks for that no report can have: not
// built-in and no action of the data. As in the real API, they are left
// out and the rest is returned.
func (s *Store) Unknown(q *Query) []string {
	var out []string
	for _, p := range q.Parameters {
		if _, ok := s.paramIDs[p]; !ok && builtinIndex(p) < 0 {
			out = append(out, p)
		}
	}
	return out
}

// Newest is the latest time of any record before as-of, and false when
// there was none.
func (s *Store) Newest() (time.Time, bool) {
	if s.newest == record.NoTime {
		return time.Time{}, false
	}
	return time.Unix(0, s.newest).UTC(), true
}

// Users is the number of users resolved, listed on some date or not.
func (s *Store) Users() int { return len(s.users) }

// Page answers q: the page its token points at, or its first page on its
// first date.
func (s *Store) Page(q *Query) (*Page, error) {
	var page *Page
	err := s.Pages(q, false, func(p *Page) error {
		page = p
		return errStop
	})
	if err == errStop {
		err = nil
	}
	return page, err
}

var errStop = errors.New("stop")

// Pages answers q date by date, in order, from the date of q's token (or
// q.From) to q.To: on each date its first page (after the token's report,
// on the token's date), and with all every following page too. A date
// after the newest record gives one page with no reports and the warning
// DATA_NOT_AVAILABLE. yield's error stops the walk and is returned.
func (s *Store) Pages(q *Query, all bool, yield func(*Page) error) error {
	if q.CustomerID != s.customer {
		return badRequest("customerId", "the data was read for customer id %q; the query has %q", s.customer, q.CustomerID)
	}
	if q.From < s.first || int(q.To-s.first) >= len(s.ends) {
		return fmt.Errorf("dates %s to %s were not all accumulated (have %s to %s)", q.From, q.To, s.first, s.first+Date(len(s.ends)-1))
	}
	only := int32(-1)
	if q.UserKey != "all" {
		var ok bool
		if only, ok = s.lookup(q.UserKey); !ok {
			return &Error{Status: http.StatusNotFound, Param: "userKey", Message: fmt.Sprintf("no user has the email, profile id or username %q", q.UserKey)}
		}
	}
	sel := s.selection(q)
	newest := Date(-1 << 31)
	if s.newest != record.NoTime {
		newest = dateAt(s.newest, s.loc)
	}
	from := q.From
	var after *cursor
	if q.start != nil {
		from, after = q.start.date, q.start
	}
	for d := from; d <= q.To; d++ {
		for {
			p := &Page{Date: d}
			switch {
			case d > newest:
				p.Warnings = []Warning{warning(WarnDataNotAvailable, fmt.Sprintf("Sorry, data for date %s for application %q is not available.", d, DefaultApp))}
			case d == newest:
				p.Warnings = []Warning{warning(WarnPartialDataAvailable, fmt.Sprintf("Data for date %s for application %q is not available right now, please try again after a few hours.", d, DefaultApp))}
			}
			var next *cursor
			if d <= newest {
				next = s.fill(p, q, sel, only, after)
			}
			if next != nil {
				p.NextPageToken = encodeToken(q.hash, *next)
			}
			if err := yield(p); err != nil {
				return err
			}
			if !all || next == nil {
				break
			}
			after = next
		}
		after = nil
	}
	return nil
}

func warning(code, msg string) Warning {
	return Warning{Code: code, Message: msg, Data: []WarningData{{Key: "application", Value: DefaultApp}}}
}

// lookup finds the user of key: any of their emails (case-insensitive),
// else their profile id, else (for data without emails, beyond the real
// API) a username that only one user has, compared as identities do.
func (s *Store) lookup(key string) (int32, bool) {
	if u, ok := s.byEmail[strings.ToLower(key)]; ok {
		return u, true
	}
	if u, ok := s.byProfile[key]; ok {
		return u, true
	}
	u, ok := s.byUsername[string(record.FoldUsername(nil, key))]
	return u, ok && u >= 0
}

// selection says which parameters a report shows.
type selection struct {
	all   bool
	names map[string]bool
}

func (s *Store) selection(q *Query) *selection {
	sel := &selection{all: q.Parameters == nil, names: map[string]bool{}}
	for _, p := range q.Parameters {
		sel.names[p] = true
	}
	return sel
}

// fill puts on p the reports of date p.Date after cursor after (nil: from
// the first), at most q.MaxResults, for user only (-1: every user). It
// returns the cursor of the page's last report when another report
// follows, else nil.
func (s *Store) fill(p *Page, q *Query, sel *selection, only int32, after *cursor) *cursor {
	di := int(p.Date - s.first)
	end := s.ends[di]
	lo, hi := 0, len(s.users)
	if only >= 0 {
		lo, hi = int(only), int(only)+1
	}
	if after != nil {
		lo = max(lo, s.resume(after))
	}
	var params []Parameter // scratch, reused per user
	last := -1
	for i := lo; i < hi; i++ {
		if s.users[i].first >= end {
			continue // first seen after this date
		}
		params = s.parameters(params[:0], i, di)
		if !matches(q.Filters, params) {
			continue
		}
		if len(p.Reports) == q.MaxResults {
			return s.cursorAt(p.Date, last)
		}
		u := &s.users[i]
		p.Reports = append(p.Reports, Report{
			Date:       p.Date,
			Entity:     Entity{CustomerID: s.customer, UserEmail: u.email, ProfileID: u.profileID},
			Parameters: sel.keep(params),
		})
		last = i
	}
	return nil
}

// cursorAt is the cursor of user i's report on date d.
func (s *Store) cursorAt(d Date, i int) *cursor {
	u := &s.users[i]
	c := &cursor{date: d, email: u.email, profileID: u.profileID}
	for j := i - 1; j >= 0 && s.users[j].email == u.email && s.users[j].profileID == u.profileID; j-- {
		c.dup++
	}
	return c
}

// resume is the index of the first user after cursor c.
func (s *Store) resume(c *cursor) int {
	n := len(s.users)
	lo, _ := slices.BinarySearchFunc(s.users, c, func(u user, c *cursor) int {
		return compareUsers(u.email, u.profileID, c.email, c.profileID)
	})
	if i := lo + int(c.dup); i < n && i >= lo && s.users[i].email == c.email && s.users[i].profileID == c.profileID {
		return i + 1
	}
	// The cursor's user is gone (other data): resume after its key.
	for lo < n && s.users[lo].email == c.email && s.users[lo].profileID == c.profileID {
		lo++
	}
	return lo
}

// parameters appends every parameter of user i on day di, in report
// order.
func (s *Store) parameters(dst []Parameter, i, di int) []Parameter {
	u := &s.users[i]
	var day *userDay
	lastSeen := u.before
	days := s.userDays[s.dayOff[i]:s.dayOff[i+1]]
	// The last day with mentions on or before di.
	k, found := slices.BinarySearchFunc(days, int32(di), func(d userDay, t int32) int { return int(d.day) - int(t) })
	if found {
		day = &days[k]
		lastSeen = day.last
	} else if k > 0 {
		lastSeen = days[k-1].last
	}
	str := func(b int, v string) {
		if v != "" {
			dst = append(dst, Parameter{Name: builtins[b].name, Type: TypeString, String: v})
		}
	}
	str(bFirstName, u.firstName)
	str(bLastName, u.lastName)
	str(bDisplayName, u.displayName)
	str(bUsername, u.username)
	dst = append(dst,
		Parameter{Name: ParamIsServiceAccount, Type: TypeBool, Bool: u.service},
		Parameter{Name: ParamFirstActivityTime, Type: TypeDatetime, Time: millis(u.first)},
		Parameter{Name: ParamLastActivityTime, Type: TypeDatetime, Time: millis(max(lastSeen, u.first))},
	)
	var systems, projects, events int64
	if day != nil {
		systems, projects, events = int64(day.systems), int64(day.projects), day.events
	}
	dst = append(dst,
		Parameter{Name: ParamNumSystems, Type: TypeInt, Int: systems},
		Parameter{Name: ParamNumProjects, Type: TypeInt, Int: projects},
		Parameter{Name: ParamNumEvents, Type: TypeInt, Int: events},
	)
	if day != nil {
		for _, ps := range day.params {
			dst = append(dst, Parameter{Name: s.params[ps.id], Type: TypeInt, Int: ps.sum})
		}
	}
	return dst
}

// millis is the instant ns (Unix ns) in UTC, cut to whole milliseconds
// as the API shows it.
func millis(ns int64) time.Time {
	ms := ns / 1e6
	if ns%1e6 < 0 {
		ms--
	}
	return time.UnixMilli(ms).UTC()
}

// matches reports whether params satisfy every condition; a condition on
// a parameter the user does not have is false.
func matches(conds []Condition, params []Parameter) bool {
	for i := range conds {
		c := &conds[i]
		ok := false
		for j := range params {
			if params[j].Name == c.Name {
				ok = c.match(&params[j])
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// keep copies the parameters sel shows.
func (sel *selection) keep(params []Parameter) []Parameter {
	if sel.all {
		return slices.Clone(params)
	}
	out := make([]Parameter, 0, len(sel.names))
	for _, p := range params {
		if sel.names[p.Name] {
			out = append(out, p)
		}
	}
	return out
}
