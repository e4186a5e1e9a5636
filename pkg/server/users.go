package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/usagerep/usagerep/pkg/report"
	"github.com/usagerep/usagerep/pkg/userusage"
)

// usersPath is the Reports API's user usage path, so its clients work
// with only their endpoint changed.
const usersPath = "/admin/reports/v1/usage/users/{userKey}/dates/{date}"

// usersParams are the API's query parameters of that path, and the
// system parameters its clients send (alt=json, prettyPrint=false).
var usersParams = []string{"parameters", "filters", "maxResults", "pageToken", "customerId", "alt", "prettyPrint"}

// userUsage answers one page of the user usage report, the JSON
// `usagerep users` writes for the same query (one line of it).
func (s *Server) userUsage(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		s.writeError(w, r, http.StatusServiceUnavailable, "the inputs are still being read")
		return
	}
	v := r.URL.Query()
	if alt := v.Get("alt"); alt != "" && alt != "json" {
		s.writeError(w, r, http.StatusBadRequest, "alt: only json is served")
		return
	}
	q, err := userusage.ParseRequest(userusage.Request{
		UserKey: r.PathValue("userKey"), Date: r.PathValue("date"),
		Parameters: v.Get("parameters"), Filters: v.Get("filters"), MaxResults: v.Get("maxResults"),
		PageToken: v.Get("pageToken"), CustomerID: v.Get("customerId"),
	})
	loc := s.cfg.Location
	asOf, aerr := s.asOf("", loc)
	if err == nil {
		err = aerr
	}
	if err == nil {
		err = q.CheckDates(asOf, loc)
	}
	if err != nil {
		s.writeUsersError(w, r, err)
		return
	}
	key := "users?" + url.Values{
		"userKey": {q.UserKey}, "date": {q.From.String()}, "parameters": {v.Get("parameters")}, "filters": {v.Get("filters")},
		"maxResults": {v.Get("maxResults")}, "pageToken": {q.PageToken}, "customerId": {q.CustomerID}, "as_of": {asOf.String()},
	}.Encode()
	// A page is cheap once the date's state is at hand: it takes no slot,
	// and the state takes one only when it has to be computed.
	s.respond(w, r, "users", key, func(in *inputState) (*result, error) {
		store, err := s.usersState(in, q.From, q.CustomerID, asOf)
		if err != nil {
			return nil, err
		}
		page, err := store.Page(q)
		if err != nil {
			var ue *userusage.Error
			if errors.As(err, &ue) {
				return nil, &queryError{code: ue.Status, msg: ue.Error()}
			}
			return nil, err
		}
		return &result{body: append(userusage.AppendJSON(nil, page), '\n'), contentType: "application/json; charset=UTF-8"}, nil
	})
}

// usersState is the users report's state of date for customer as of
// asOf: the inputs scanned, accumulated and resolved into a Store, which
// answers every page, user key, parameter and filter of that date. It is
// what costs: one scan, then one identity resolution. So it is kept in
// the result cache, bounded by its Bytes with everything else, and one
// computation is shared by every request that needs it meanwhile; a new
// fingerprint of the inputs is a new key. Its key leaves as-of out: a
// Store answers for a later as-of as long as nothing in the input lies
// between (Store.AnswersAsOf), so a client paging with "now" as as-of
// (a new second each page) is served from the one Store.
func (s *Server) usersState(in *inputState, date userusage.Date, customer string, asOf time.Time) (*userusage.Store, error) {
	key := "users-state?" + url.Values{"date": {date.String()}, "customerId": {customer}}.Encode() + "#" + in.fingerprint
	if st, ok := s.cache.get(key).(*userusage.Store); ok && st.AnswersAsOf(asOf) {
		return st, nil
	}
	compute := func() (*userusage.Store, error) {
		st, err := slotted(s, "users", func(ctx context.Context) (*userusage.Store, error) {
			return s.scanUsers(ctx, date, customer, asOf)
		})
		if err != nil {
			return nil, err
		}
		if s.inputs.Load().fingerprint == in.fingerprint {
			size := st.Bytes()
			if !s.cache.put(key, st, size) && s.cfg.CacheBytes > 0 && !s.stateTooBig.Swap(true) {
				s.log.Warn("the users report's state is larger than the cache (cache_bytes); each page scans the inputs again",
					"bytes", size, "cache_bytes", s.cfg.CacheBytes)
			}
		}
		return st, nil
	}
	// The flight is the page's, not a request's: it must not end with one.
	st, _, err := s.states.do(context.Background(), key, compute)
	if err == nil && !st.AnswersAsOf(asOf) {
		// Joined a computation of another as-of with records between.
		st, _, err = s.states.do(context.Background(), key+"@"+asOf.Format(time.RFC3339Nano), compute)
	}
	return st, err
}

// scanUsers reads the inputs into the Store of one date.
func (s *Server) scanUsers(ctx context.Context, date userusage.Date, customer string, asOf time.Time) (*userusage.Store, error) {
	if s.cfg.usersScanHook != nil {
		s.cfg.usersScanHook()
	}
	acc, err := userusage.NewAccumulator(userusage.Options{First: date, Last: date, Location: s.cfg.Location, AsOf: asOf, Customer: customer})
	if err != nil {
		return nil, badQuery("date: %v", err)
	}
	accs, stats, err := report.Scan(ctx, s.cfg.Inputs, s.cfg.Scan, acc.Sibling)
	if err != nil {
		return nil, err
	}
	s.metrics.noteScan("users", stats)
	for _, o := range accs {
		acc.Merge(o)
	}
	return userusage.Build(acc, userusage.BuildOptions{ServiceAccountPatterns: s.cfg.ServiceAccounts}), nil
}

// writeUsersError answers a bad query with its status, naming the
// parameter.
func (s *Server) writeUsersError(w http.ResponseWriter, r *http.Request, err error) {
	var ue *userusage.Error
	var qe *queryError
	switch {
	case errors.As(err, &ue):
		s.writeError(w, r, ue.Status, ue.Error())
	case errors.As(err, &qe):
		s.writeError(w, r, http.StatusBadRequest, qe.msg)
	default:
		s.writeError(w, r, http.StatusBadRequest, err.Error())
	}
}
