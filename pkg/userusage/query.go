package userusage

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Request is a query as a command line or a URL gives it: text, not yet
// checked. Fields are named after the API's query parameters.
type Request struct {
	UserKey    string // all, an email or a profile id
	Date       string // one date, YYYY-MM-DD; or From and To
	From, To   string // a range of dates, inclusive (one page set per date)
	Parameters string // comma-separated app:name
	Filters    string // comma-separated conditions
	MaxResults string // 1..1000; empty means 1000
	PageToken  string
	CustomerID string
}

// DefaultMaxResults and MaxMaxResults bound a page, as in the real API.
const (
	DefaultMaxResults = 1000
	MaxMaxResults     = 1000
)

// MaxDaysBack is how far before as-of a date may lie, as in the real API.
const MaxDaysBack = 450

// Query is a checked Request.
type Query struct {
	UserKey    string
	From, To   Date     // the dates, inclusive; From == To for one date
	Parameters []string // the names asked for, sorted, distinct; nil: all
	Filters    []Condition
	MaxResults int
	PageToken  string
	CustomerID string

	hash  [8]byte // of everything but the token
	start *cursor // where the token resumes; nil without one
}

// Error is a bad query. Param names the query parameter at fault, in the
// API's spelling ("date", "filters", "maxResults", ...); Status is the
// HTTP status the server answers with.
type Error struct {
	Status  int
	Param   string
	Message string
}

func (e *Error) Error() string {
	if e.Param == "" {
		return e.Message
	}
	return e.Param + ": " + e.Message
}

func badRequest(param, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Param: param, Message: fmt.Sprintf(format, args...)}
}

// ParseRequest checks r and returns its Query. Every error is an *Error.
func ParseRequest(r Request) (*Query, error) {
	q := &Query{UserKey: strings.TrimSpace(r.UserKey), CustomerID: strings.TrimSpace(r.CustomerID)}
	if q.UserKey == "" {
		return nil, badRequest("userKey", "a user key is required: all, an email or a profile id")
	}
	if strings.EqualFold(q.UserKey, "all") {
		q.UserKey = "all"
	}
	if err := q.parseDates(r); err != nil {
		return nil, err
	}
	for _, p := range strings.Split(r.Parameters, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !validName(p) {
			return nil, badRequest("parameters", "invalid parameter %q (want app:name, e.g. accounts:num_systems)", p)
		}
		q.Parameters = append(q.Parameters, p)
	}
	slices.Sort(q.Parameters)
	q.Parameters = slices.Compact(q.Parameters)

	filters, err := ParseFilters(r.Filters)
	if err != nil {
		return nil, badRequest("filters", "%v", err)
	}
	q.Filters = filters

	q.MaxResults = DefaultMaxResults
	if s := strings.TrimSpace(r.MaxResults); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxMaxResults {
			return nil, badRequest("maxResults", "invalid value %q: values must be within the range [1, %d]", s, MaxMaxResults)
		}
		q.MaxResults = n
	}
	q.hash = q.digest()

	if q.PageToken = strings.TrimSpace(r.PageToken); q.PageToken != "" {
		c, hash, err := decodeToken(q.PageToken)
		if err != nil {
			return nil, badRequest("pageToken", "%v", err)
		}
		if hash != q.hash {
			return nil, badRequest("pageToken", "the page token belongs to another query (user key, dates, parameters, filters, max results and customer id must be those of the query that gave it)")
		}
		if c.date < q.From || c.date > q.To {
			return nil, badRequest("pageToken", "the page token is for %s, outside the query's dates", c.date)
		}
		q.start = &c
	}
	return q, nil
}

func (q *Query) parseDates(r Request) error {
	date, from, to := strings.TrimSpace(r.Date), strings.TrimSpace(r.From), strings.TrimSpace(r.To)
	switch {
	case date != "" && (from != "" || to != ""):
		return badRequest("date", "give one date or a range from/to, not both")
	case date != "":
		d, err := ParseDate(date)
		if err != nil {
			if f, t, ok := cutRange(date); ok {
				return badRequest("date", "%q is a range: give its first date as from (%s) and its last as to (%s)", date, f, t)
			}
			return badRequest("date", "%v", err)
		}
		q.From, q.To = d, d
		return nil
	case from == "" && to == "":
		return badRequest("date", "a date is required (YYYY-MM-DD, or a range from/to)")
	case from == "" || to == "":
		return badRequest("date", "a range needs both its first date (from) and its last (to)")
	}
	f, err := ParseDate(from)
	if err != nil {
		return badRequest("from", "%v", err)
	}
	t, err := ParseDate(to)
	if err != nil {
		return badRequest("to", "%v", err)
	}
	if t < f {
		return badRequest("to", "the last date %s is before the first %s", t, f)
	}
	q.From, q.To = f, t
	return nil
}

// cutRange splits a date range written as one value, "first/last" or
// "first..last", as people write them.
func cutRange(s string) (first, last Date, ok bool) {
	for _, sep := range []string{"/", ".."} {
		if f, l, found := strings.Cut(s, sep); found {
			first, errF := ParseDate(f)
			last, errL := ParseDate(l)
			return first, last, errF == nil && errL == nil
		}
	}
	return 0, 0, false
}

// CheckDates applies the real API's date rules against as-of: no date
// after the as-of date (the date, in loc, of as-of's last instant) and
// none more than MaxDaysBack days before it. The messages are the API's.
func (q *Query) CheckDates(asOf time.Time, loc *time.Location) error {
	last := dateAt(asOf.UnixNano()-1, loc)
	if q.To > last {
		return badRequest("date", "Data for dates later than %s is not yet available. Please check back later", last)
	}
	if earliest := last - MaxDaysBack; q.From < earliest {
		return badRequest("date", "Data for dates earlier than %s is not available: reports go back at most %d days before %s", earliest, MaxDaysBack, last)
	}
	return nil
}

// Dates lists the query's dates in order.
func (q *Query) Dates() []Date {
	out := make([]Date, 0, int(q.To-q.From)+1)
	for d := q.From; d <= q.To; d++ {
		out = append(out, d)
	}
	return out
}

// digest hashes everything but the page token, in a canonical form: a
// token is only good for the query that gave it.
func (q *Query) digest() [8]byte {
	var b []byte
	b = append(b, tokenVersion)
	b = appendLenString(b, q.UserKey)
	b = binary.AppendVarint(b, int64(q.From))
	b = binary.AppendVarint(b, int64(q.To))
	b = binary.AppendUvarint(b, uint64(len(q.Parameters)))
	for _, p := range q.Parameters {
		b = appendLenString(b, p)
	}
	conds := make([]string, len(q.Filters))
	for i, c := range q.Filters {
		conds[i] = c.String()
	}
	slices.Sort(conds) // AND does not care about order
	b = binary.AppendUvarint(b, uint64(len(conds)))
	for _, c := range conds {
		b = appendLenString(b, c)
	}
	b = binary.AppendUvarint(b, uint64(q.MaxResults))
	b = appendLenString(b, q.CustomerID)
	sum := sha256.Sum256(b)
	return [8]byte(sum[:8])
}

func appendLenString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
