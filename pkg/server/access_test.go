package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	accessrep "github.com/usagerep/usagerep/pkg/access"
	"github.com/usagerep/usagerep/pkg/report"
	"github.com/usagerep/usagerep/pkg/usage"
)

// testProfiles stand for the config file's access.columns.
var testProfiles = map[string][]accessrep.Column{
	"mine": {{Action: "sync", Label: "Syncs"}, {Action: "comment", Label: "Comments"}},
}

// referenceAccess is what report.AccessReport, the CLI's path, writes.
func referenceAccess(t *testing.T, cfg Config, q report.AccessQuery) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := report.AccessReport(context.Background(), &buf, cfg.Inputs, cfg.Scan, q); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAccessEndpoint(t *testing.T) {
	cfg := testConfig(t, sampleDir(t))
	cfg.AccessProfiles = testProfiles
	s := newWarm(t, cfg)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	c := ts.Client()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	asOf, err := usage.ParseAsOf(testAsOf, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	base := report.AccessQuery{From: day("2025-10-01"), To: day("2026-11-22"), Location: time.UTC, AsOf: asOf}

	t.Run("csv by default", func(t *testing.T) {
		resp, body := get(t, c, ts.URL+"/export/access?from=2025-10-01&to=2026-11-22", tokAdmin)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="access.csv"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		if want := referenceAccess(t, cfg, base); !bytes.Equal(body, want) {
			t.Fatalf("the download differs from report.AccessReport's bytes:\n%s\nwant\n%s", body, want)
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v", err)
		}
		if len(rows) < 2 || !slices.Equal(rows[0][:6], []string{"Date", "First name", "Last name", "Email", "Company", "Project"}) {
			t.Fatalf("header %q, %d rows", rows[0], len(rows))
		}
		for _, r := range rows[1:] {
			if len(r) != len(rows[0]) || r[0] < "2025-10-01" || r[0] > "2026-11-22" {
				t.Fatalf("row %q outside the range or of the wrong width", r)
			}
		}
	})
	t.Run("every parameter", func(t *testing.T) {
		resp, body := get(t, c, ts.URL+"/export/access?from=2026-03-01&to=2026-10-31&tz=Europe/Berlin&plan=enterprise&columns=MINE&format=csv&as_of=2026-10-15", tokAdmin)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		berlin, _ := time.LoadLocation("Europe/Berlin")
		asOf, _ := usage.ParseAsOf("2026-10-15", berlin)
		q := report.AccessQuery{From: day("2026-03-01"), To: day("2026-10-31"), Location: berlin, Plan: "enterprise", AsOf: asOf, Columns: testProfiles["mine"]}
		if want := referenceAccess(t, cfg, q); !bytes.Equal(body, want) {
			t.Fatalf("the download differs from report.AccessReport's bytes:\n%s\nwant\n%s", body, want)
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 2 {
			t.Fatalf("no rows: %q", rows)
		}
		if !slices.Equal(rows[0][6:], []string{"Syncs", "Comments"}) {
			t.Errorf("the config profile's columns are not used: %q", rows[0])
		}
	})
	t.Run("cintoo, a built-in profile", func(t *testing.T) {
		resp, body := get(t, c, ts.URL+"/export/access?from=2025-10-01&to=2026-11-22&columns=cintoo", tokAdmin)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		head, _, _ := strings.Cut(string(body), "\r\n")
		if !strings.HasSuffix(head, ",Scans uploaded,360 Images uploaded,Scans downloaded,Crops downloaded,Unified mesh creation,Tags uploaded,Tags downloaded") {
			t.Errorf("header %q", head)
		}
	})
	t.Run("json", func(t *testing.T) {
		resp, body := get(t, c, ts.URL+"/export/access?from=2025-10-01&to=2026-11-22&format=JSON", tokAdmin)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "application/json; charset=utf-8" || cd != `attachment; filename="access.json"` {
			t.Errorf("Content-Type %q, Content-Disposition %q", ct, cd)
		}
		q := base
		q.Format = "json"
		if !bytes.Equal(body, referenceAccess(t, cfg, q)) {
			t.Fatal("the download differs from report.AccessReport's bytes")
		}
		var objs []map[string]any
		if err := json.Unmarshal(body, &objs); err != nil || len(objs) == 0 {
			t.Fatalf("JSON: %d objects (%v)", len(objs), err)
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		resp, body := get(t, c, ts.URL+"/export/access?from=2025-10-01&to=2026-11-22&format=xlsx", tokAdmin)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || cd != `attachment; filename="access.xlsx"` {
			t.Errorf("Content-Type %q, Content-Disposition %q", ct, cd)
		}
		q := base
		q.Format = "xlsx"
		if !bytes.Equal(body, referenceAccess(t, cfg, q)) {
			t.Fatal("the download differs from report.AccessReport's bytes")
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("not a workbook: %v", err)
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil || len(rows) < 2 || rows[0][0] != "Date" {
			t.Fatalf("sheet rows %d (%v)", len(rows), err)
		}
	})
	t.Run("HEAD", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodHead, ts.URL+"/export/access?from=2025-10-01&to=2026-11-22", nil)
		req.Header.Set("Authorization", "Bearer "+tokAdmin)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.ContentLength <= 0 {
			t.Fatalf("HEAD: %d, length %d", resp.StatusCode, resp.ContentLength)
		}
	})
}

func TestAccessQueryValidation(t *testing.T) {
	cfg := testConfig(t, sampleDir(t))
	cfg.AccessProfiles = testProfiles
	s := newWarm(t, cfg)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	for name, c := range map[string]struct{ query, param string }{
		"no from":          {"to=2026-03-31", "from"},
		"no to":            {"from=2026-03-01", "to"},
		"bad from":         {"from=2026-3-1&to=2026-03-31", "from"},
		"bad to":           {"from=2026-03-01&to=2026-02-30", "to"},
		"from after to":    {"from=2026-03-05&to=2026-03-01", "from"},
		"year out of span": {"from=1000-01-01&to=2026-03-01", "from, to"},
		"unknown columns":  {"from=2026-03-01&to=2026-03-31&columns=nope", "columns"},
		"unknown format":   {"from=2026-03-01&to=2026-03-31&format=zip", "format"},
		"bad as_of":        {"from=2026-03-01&to=2026-03-31&as_of=soon", "as_of"},
		"bad tz":           {"from=2026-03-01&to=2026-03-31&tz=Mars/Olympus", "tz"},
		"tz traversal":     {"from=2026-03-01&to=2026-03-31&tz=../../etc/passwd", "tz"},
		"unknown":          {"from=2026-03-01&to=2026-03-31&bom=1", "bom"},
		"repeated":         {"from=2026-03-01&from=2026-03-02&to=2026-03-31", "from"},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := get(t, ts.Client(), ts.URL+"/export/access?"+c.query, tokAdmin)
			if resp.StatusCode != 400 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			e := wantEnvelope(t, body, 400, "invalid")
			if !strings.Contains(e.Error.Message, c.param) {
				t.Errorf("message %q does not name %s", e.Error.Message, c.param)
			}
		})
	}
	t.Run("the profile names are listed", func(t *testing.T) {
		_, body := get(t, ts.Client(), ts.URL+"/export/access?from=2026-03-01&to=2026-03-31&columns=nope", tokAdmin)
		if e := wantEnvelope(t, body, 400, "invalid"); !strings.Contains(e.Error.Message, "known: cintoo, mine") {
			t.Errorf("message %q", e.Error.Message)
		}
	})
}
