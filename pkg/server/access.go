package server

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	accessrep "github.com/usagerep/usagerep/pkg/access" // the report; "access" is the routes' type here
	"github.com/usagerep/usagerep/pkg/report"
	"github.com/usagerep/usagerep/pkg/source"
	"github.com/usagerep/usagerep/pkg/usage"
)

// accessParams are the query parameters of /export/access.
var accessParams = []string{"from", "to", "tz", "plan", "columns", "format", "as_of"}

// accessReport answers GET /export/access with the bytes `usagerep access`
// writes for the same query and inputs: CSV, or format=xlsx or json.
func (s *Server) accessReport(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		s.writeError(w, r, http.StatusServiceUnavailable, "the inputs are still being read")
		return
	}
	aq, key, err := s.accessQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s.answer(w, r, "access", key, func(ctx context.Context, _ *inputState) (*result, error) {
		acc, err := report.NewAccessAccumulator(aq)
		if err != nil {
			return nil, badQuery("from, to: %v", err)
		}
		rep, stats, err := report.BuildAccess(ctx, acc, aq, func(ctx context.Context, newSink func() *accessrep.Accumulator) ([]*accessrep.Accumulator, source.Stats, error) {
			return report.Scan(ctx, s.cfg.Inputs, s.cfg.Scan, newSink)
		})
		if err != nil {
			return nil, err
		}
		s.metrics.noteScan("access", stats)
		var buf bytes.Buffer
		if err := report.WriteAccess(&buf, rep, aq.AccessFormat); err != nil {
			return nil, err
		}
		return &result{body: buf.Bytes(), contentType: aq.ContentType(), filename: aq.FileName()}, nil
	})
}

// accessQuery checks the query and returns it with its cache key. Every
// error names its parameter.
func (s *Server) accessQuery(q url.Values) (report.AccessQuery, string, error) {
	var aq report.AccessQuery
	loc, err := s.zone(q.Get("tz"))
	if err != nil {
		return aq, "", err
	}
	from, err := queryDay("from", q.Get("from"))
	if err != nil {
		return aq, "", err
	}
	to, err := queryDay("to", q.Get("to"))
	if err != nil {
		return aq, "", err
	}
	if to.Before(from) {
		return aq, "", badQuery("from: %s is after to %s", q.Get("from"), q.Get("to"))
	}
	cols, err := report.AccessColumns(q.Get("columns"), s.cfg.AccessProfiles)
	if err != nil {
		return aq, "", badQuery("columns: %v", err)
	}
	format := "csv"
	if v := q.Get("format"); v != "" {
		if format, err = report.ParseAccessFormat(v); err != nil {
			return aq, "", badQuery("format: %v", err)
		}
	}
	// As the CLI: an as-of (the query's, else --as-of) ends the range;
	// without one the range alone decides.
	var asOf time.Time
	v := q.Get("as_of")
	if v == "" {
		v = s.cfg.AsOf
	}
	if v != "" {
		if asOf, err = usage.ParseAsOf(v, loc); err != nil {
			return aq, "", badQuery("as_of: %v", err)
		}
	}
	aq = report.AccessQuery{
		From: from, To: to, Location: loc, Plan: strings.TrimSpace(q.Get("plan")), AsOf: asOf, Columns: cols,
		AccessFormat: report.AccessFormat{Format: format},
	}
	norm := url.Values{
		"from": {from.Format(time.DateOnly)}, "to": {to.Format(time.DateOnly)}, "tz": {loc.String()},
		"plan": {aq.Plan}, "columns": {strings.ToLower(q.Get("columns"))}, "format": {format},
	}
	if !asOf.IsZero() {
		norm.Set("as_of", asOf.Format(time.RFC3339Nano))
	}
	return aq, "access?" + norm.Encode(), nil
}

// queryDay reads a required day parameter.
func queryDay(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, badQuery("%s: required, a day like 2026-03-01", name)
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, badQuery("%s: %q is not a day like 2026-03-01", name, v)
	}
	return d, nil
}
