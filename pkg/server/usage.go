package server

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/report"
	"github.com/usagerep/usagerep/pkg/usage"
)

// maxPeriods bounds the workbooks of one query, and so its cost.
const maxPeriods = 12

// usageReports answers GET /export/usage-reports?period=&as_of=&tz= with
// the bytes `usagerep export` writes for the same query and inputs.
func (s *Server) usageReports(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		s.writeError(w, r, http.StatusServiceUnavailable, "the inputs are still being read")
		return
	}
	q := r.URL.Query()
	loc, err := s.zone(q.Get("tz"))
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	ps := q.Get("period")
	if ps == "" {
		ps = "6m,1y"
	}
	periods, err := usage.ParsePeriods(ps)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, "period: "+err.Error())
		return
	}
	if len(periods) > maxPeriods {
		s.writeError(w, r, http.StatusBadRequest, "period: at most 12 periods")
		return
	}
	asOf, err := s.asOf(q.Get("as_of"), loc)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	labels := make([]string, len(periods))
	for i, p := range periods {
		labels[i] = p.Label()
	}
	key := "usage-reports?period=" + strings.Join(labels, ",") + "&as_of=" + asOf.Format(time.RFC3339Nano) + "&tz=" + loc.String()
	uq := report.UsageQuery{
		AsOf: asOf, Location: loc, Periods: periods,
		ActiveWithin: s.cfg.ActiveWithin, ServiceAccounts: s.cfg.ServiceAccounts,
	}
	s.answer(w, r, "usage-reports", key, func(ctx context.Context, _ *inputState) (*result, error) {
		var buf bytes.Buffer
		stats, err := report.UsageZip(ctx, &buf, s.cfg.Inputs, s.cfg.Scan, uq)
		if err != nil {
			return nil, err
		}
		s.metrics.noteScan("usage-reports", stats)
		return &result{body: buf.Bytes(), contentType: "application/zip", filename: "Usage Reports.zip"}, nil
	})
}

// zone is the query's time zone, or the server's.
func (s *Server) zone(name string) (*time.Location, error) {
	if name == "" {
		return s.cfg.Location, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || strings.EqualFold(name, "local") {
		return nil, badQuery("tz: not an IANA time zone name (e.g. UTC, Europe/Berlin)")
	}
	return loc, nil
}

// asOf is the query's as_of, else the server's --as-of, else now (to the
// second, so that requests within one second share a computation).
func (s *Server) asOf(v string, loc *time.Location) (time.Time, error) {
	if v == "" {
		v = s.cfg.AsOf
	}
	if v == "" {
		return s.cfg.Now().In(loc).Truncate(time.Second), nil
	}
	t, err := usage.ParseAsOf(v, loc)
	if err != nil {
		return time.Time{}, badQuery("as_of: %v", err)
	}
	return t, nil
}
