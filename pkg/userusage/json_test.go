package userusage

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	reports "google.golang.org/api/admin/reports/v1"
)

// decode reads one document with the official client's type, refusing
// fields it does not know.
func decode(t *testing.T, doc []byte) *reports.UsageReports {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	var out reports.UsageReports
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("the API client cannot read %s: %v", doc, err)
	}
	return &out
}

// TestJSONReadByTheClient writes pages of the fixture and reads them back
// with google.golang.org/api/admin/reports/v1, field by field.
func TestJSONReadByTheClient(t *testing.T) {
	opts := fixtureOptions(t)
	opts.Customer = "C03az79cb"
	s := Build(accumulate(t, opts, fixture(t)), BuildOptions{})
	q := query(t, Request{UserKey: "all", Date: "2026-03-03", MaxResults: "1", CustomerID: "C03az79cb"})
	p, err := s.Page(q)
	if err != nil {
		t.Fatal(err)
	}
	doc := AppendJSON(nil, p)
	got := decode(t, doc)
	if got.Kind != "admin#reports#usageReports" || got.NextPageToken == "" || len(got.Warnings) != 0 || len(got.UsageReports) != 1 {
		t.Fatalf("document: %s", doc)
	}
	r := got.UsageReports[0]
	if r.Kind != "admin#reports#usageReport" || r.Date != "2026-03-03" || r.Entity == nil ||
		r.Entity.Type != "USER" || r.Entity.CustomerId != "C03az79cb" || r.Entity.UserEmail != "alice@x.com" || r.Entity.ProfileId != profileOf(t, s, "alice@x.com") {
		t.Errorf("report head: %+v entity %+v", r, r.Entity)
	}
	byName := map[string]*reports.UsageReportParameters{}
	var names []string
	for _, prm := range r.Parameters {
		byName[prm.Name] = prm
		names = append(names, prm.Name)
	}
	wantNames := "accounts:first_name accounts:last_name accounts:display_name accounts:username accounts:is_service_account accounts:first_activity_time accounts:last_activity_time accounts:num_systems accounts:num_projects usage:num_events source_control:num_push_event usage:num_comment"
	if strings.Join(names, " ") != wantNames {
		t.Errorf("parameters %v, want %s", names, wantNames)
	}
	checks := []struct {
		name string
		ok   func(*reports.UsageReportParameters) bool
	}{
		{"accounts:first_name", func(p *reports.UsageReportParameters) bool { return p.StringValue == "Alice" }},
		{"accounts:username", func(p *reports.UsageReportParameters) bool { return p.StringValue == "asmith" }},
		{"accounts:is_service_account", func(p *reports.UsageReportParameters) bool { return !p.BoolValue }},
		{"accounts:first_activity_time", func(p *reports.UsageReportParameters) bool { return p.DatetimeValue == "2026-03-01T09:00:00.000Z" }},
		{"accounts:last_activity_time", func(p *reports.UsageReportParameters) bool { return p.DatetimeValue == "2026-03-03T23:30:00.123Z" }},
		{"accounts:num_systems", func(p *reports.UsageReportParameters) bool { return p.IntValue == 2 }},
		{"usage:num_events", func(p *reports.UsageReportParameters) bool { return p.IntValue == 9 }},
		{"source_control:num_push_event", func(p *reports.UsageReportParameters) bool { return p.IntValue == 5 }},
		{"usage:num_comment", func(p *reports.UsageReportParameters) bool { return p.IntValue == 4 }},
	}
	for _, c := range checks {
		if p := byName[c.name]; p == nil || !c.ok(p) {
			t.Errorf("%s read back as %+v", c.name, p)
		}
	}
	// The exact spelling the client cannot tell: intValue a string,
	// boolValue false present.
	for _, frag := range []string{`{"name":"usage:num_events","intValue":"9"}`, `{"name":"accounts:is_service_account","boolValue":false}`} {
		if !bytes.Contains(doc, []byte(frag)) {
			t.Errorf("document lacks %s", frag)
		}
	}

	// Warnings, with their data; no reports at all on a date with no data.
	opts.AsOf = time.Unix(0, ts(t, "2026-03-10T00:00:00Z"))
	opts.Last = day(t, "2026-03-09")
	s = Build(accumulate(t, opts, fixture(t)), BuildOptions{})
	for _, tt := range []struct {
		date, code, message string
		reports             bool
	}{
		{"2026-03-05", "PARTIAL_DATA_AVAILABLE", `Data for date 2026-03-05 for application "usage" is not available right now, please try again after a few hours.`, true},
		{"2026-03-06", "DATA_NOT_AVAILABLE", `Sorry, data for date 2026-03-06 for application "usage" is not available.`, false},
	} {
		p, err := s.Page(query(t, Request{UserKey: "all", Date: tt.date, CustomerID: "C03az79cb"}))
		if err != nil {
			t.Fatal(err)
		}
		doc := AppendJSON(nil, p)
		got := decode(t, doc)
		if len(got.Warnings) != 1 {
			t.Fatalf("%s: %s", tt.date, doc)
		}
		w := got.Warnings[0]
		if w.Code != tt.code || w.Message != tt.message || len(w.Data) != 1 || w.Data[0].Key != "application" || w.Data[0].Value != "usage" {
			t.Errorf("%s: warning %+v data %+v", tt.date, w, w.Data)
		}
		if (len(got.UsageReports) > 0) != tt.reports || got.NextPageToken != "" {
			t.Errorf("%s: %d reports, token %q", tt.date, len(got.UsageReports), got.NextPageToken)
		}
		if !tt.reports && bytes.Contains(doc, []byte(`"usageReports":`)) {
			t.Errorf("%s: an empty usageReports is written: %s", tt.date, doc)
		}
	}
}

// TestJSONStringEscaping: strings are escaped as encoding/json escapes
// them (without HTML escaping), for any bytes.
