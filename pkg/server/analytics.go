package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/report"
)

// analyticsPrefix is the analytics reports' path: /v1/analytics/timeline,
// and the events sub-reports as /v1/analytics/events/table and so on.
const analyticsPrefix = "/v1/analytics/"

// analyticsRoutes are a route per analytics report, each taking the
// shared parameters, tz and as_of, and its own.
func (s *Server) analyticsRoutes() []route {
	var rs []route
	for _, name := range report.AnalyticsReports {
		params := append([]string{"tz", "as_of"}, report.AnalyticsSharedParams...)
		params = append(params, report.AnalyticsParams[name]...)
		slices.Sort(params)
		rs = append(rs, route{
			path: analyticsPrefix + strings.ReplaceAll(name, " ", "/"), name: "analytics-" + strings.ReplaceAll(name, " ", "-"),
			access: reportToken, params: slices.Compact(params), repeat: []string{"filter"},
			handle: func(w http.ResponseWriter, r *http.Request) { s.analyticsReport(w, r, name) },
		})
	}
	return rs
}

// analyticsReport answers an analytics report as the JSON `usagerep
// analytics <name> --format json` writes for the same query and inputs.
func (s *Server) analyticsReport(w http.ResponseWriter, r *http.Request, name string) {
	if !s.ready.Load() {
		s.writeError(w, r, http.StatusServiceUnavailable, "the inputs are still being read")
		return
	}
	q, key, err := s.analyticsQuery(name, r.URL.Query())
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	plan, err := report.ParseAnalytics(q)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, analyticsMessage(err))
		return
	}
	label := "analytics-" + strings.ReplaceAll(name, " ", "-")
	s.answer(w, r, label, key, func(ctx context.Context, _ *inputState) (*result, error) {
		rep, stats, err := report.BuildAnalytics(ctx, plan, s.cfg.Inputs, s.cfg.Scan)
		if err != nil {
			var ae *report.AnalyticsError
			if errors.As(err, &ae) {
				return nil, badQuery("%s", ae.QueryMessage())
			}
			return nil, err
		}
		s.metrics.noteScan(label, stats)
		var buf bytes.Buffer
		if err := report.WriteAnalyticsJSON(&buf, rep); err != nil {
			return nil, err
		}
		return &result{body: buf.Bytes(), contentType: "application/json; charset=utf-8"}, nil
	})
}

// analyticsQuery resolves tz and as_of and returns the query with its
// cache key.
func (s *Server) analyticsQuery(name string, v url.Values) (report.AnalyticsQuery, string, error) {
	loc, err := s.zone(v.Get("tz"))
	if err != nil {
		return report.AnalyticsQuery{}, "", err
	}
	asOf, err := s.asOf(v.Get("as_of"), loc)
	if err != nil {
		// usage.ParseAsOf speaks of --as-of.
		return report.AnalyticsQuery{}, "", badQuery("%s", analyticsMessage(&report.AnalyticsError{Param: "as_of", Msg: err.Error()}))
	}
	opts := url.Values{}
	for k, xs := range v {
		if k != "tz" && k != "as_of" {
			opts[k] = xs
		}
	}
	key := url.Values{"tz": {loc.String()}, "as_of": {asOf.Format(time.RFC3339Nano)}}
	for k, xs := range opts {
		key[k] = xs
	}
	q := report.AnalyticsQuery{Report: name, Location: loc, AsOf: asOf, Values: opts, ServiceAccounts: s.cfg.ServiceAccounts}
	return q, "analytics/" + name + "?" + key.Encode(), nil
}

// analyticsMessage is a bad option's message as a query names it.
func analyticsMessage(err error) string {
	var ae *report.AnalyticsError
	if errors.As(err, &ae) {
		return ae.QueryMessage()
	}
	return err.Error()
}
