package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"

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
	s.answer(w, r, "users", key, func(ctx context.Context, _ *inputState) (*result, error) {
		acc, err := userusage.NewAccumulator(userusage.Options{First: q.From, Last: q.To, Location: loc, AsOf: asOf, Customer: q.CustomerID})
		if err != nil {
			return nil, badQuery("date: %v", err)
		}
		accs, stats, err := report.Scan(ctx, s.cfg.Inputs, s.cfg.Scan, acc.Sibling)
		if err != nil {
			return nil, err
		}
		s.metrics.noteScan(stats)
		for _, o := range accs {
			acc.Merge(o)
		}
		store := userusage.Build(acc, userusage.BuildOptions{ServiceAccountPatterns: s.cfg.ServiceAccounts})
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
