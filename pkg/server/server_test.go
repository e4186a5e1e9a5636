package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/usagerep/usagerep/pkg/report"
)

func TestAuth(t *testing.T) {
	s := newWarm(t, testConfig(t, sampleDir(t)))
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	type tc struct {
		auth string // the whole Authorization header
		code int
	}
	cases := map[string]tc{
		"no token":      {"", 401},
		"wrong token":   {"Bearer " + tokWrong, 401},
		"empty bearer":  {"Bearer ", 401},
		"basic scheme":  {"Basic " + tokAdmin, 401},
		"no role":       {"Bearer " + tokNoRole, 403},
		"no permission": {"Bearer " + tokNoPerm, 403},
		"good token":    {"Bearer " + tokAdmin, 200},
		"lower scheme":  {"bearer " + tokAdmin, 200},
	}
	endpoints := map[string]struct {
		path   string
		report bool // needs the role and permission
	}{
		"usage-reports": {"/export/usage-reports", true},
		"access":        {"/export/access?from=2026-11-01&to=2026-11-22", true},
		"readyz":        {"/readyz", false},
		"metrics":       {"/metrics", false},
	}
	for _, name := range report.AnalyticsReports {
		endpoints["analytics "+name] = struct {
			path   string
			report bool
		}{analyticsPrefix + strings.ReplaceAll(name, " ", "/") + "?from=2026-11-01", true}
	}
	for en, ep := range endpoints {
		for cn, c := range cases {
			t.Run(en+"/"+cn, func(t *testing.T) {
				want := c.code
				if want == 403 && !ep.report {
					want = 200 // any known token may probe and scrape
				}
				req, _ := http.NewRequest(http.MethodGet, ts.URL+ep.path, nil)
				if c.auth != "" {
					req.Header.Set("Authorization", c.auth)
				}
				resp, err := ts.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, want, body)
				}
				for _, secret := range []string{tokAdmin, tokNoRole, tokNoPerm, tokWrong} {
					if bytes.Contains(body, []byte(secret)) {
						t.Fatalf("the response holds a token: %s", body)
					}
				}
				switch want {
				case 401:
					if resp.Header.Get("WWW-Authenticate") == "" {
						t.Error("401 without WWW-Authenticate")
					}
					wantEnvelope(t, body, 401, "authError")
				case 403:
					e := wantEnvelope(t, body, 403, "forbidden")
					if cn == "no role" && (!strings.Contains(e.Error.Message, "role Administrator") || strings.Contains(e.Error.Message, "permission")) {
						t.Errorf("403 message %q should name the role only", e.Error.Message)
					}
					if cn == "no permission" && (!strings.Contains(e.Error.Message, "permission server_management:read") || strings.Contains(e.Error.Message, "role")) {
						t.Errorf("403 message %q should name the permission only", e.Error.Message)
					}
				}
			})
		}
	}
	t.Run("healthz needs no token", func(t *testing.T) {
		resp, body := get(t, ts.Client(), ts.URL+"/healthz", "")
		if resp.StatusCode != 200 || string(body) != "ok\n" {
			t.Fatalf("healthz: %d %q", resp.StatusCode, body)
		}
	})
}

func wantEnvelope(t *testing.T, body []byte, code int, reason string) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body is not the JSON envelope: %v: %s", err, body)
	}
	if e.Error.Code != code || len(e.Error.Errors) != 1 || e.Error.Errors[0].Reason != reason || e.Error.Message == "" || e.Error.Status == "" {
		t.Fatalf("envelope %+v, want code %d reason %s", e, code, reason)
	}
	return e
}

func TestEndpoints(t *testing.T) {
	cfg := testConfig(t, sampleDir(t))
	s := newWarm(t, cfg)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	c := ts.Client()

	t.Run("usage-reports is export's zip", func(t *testing.T) {
		resp, body := get(t, c, ts.URL+"/export/usage-reports", tokAdmin)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/zip" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="Usage Reports.zip"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		wantZip(t, body, defaultWorkbooks...)
		if !bytes.Equal(body, referenceZip(t, cfg, "6m,1y")) {
			t.Error("the download differs from report.UsageZip's bytes")
		}
	})
	t.Run("periods and as_of", func(t *testing.T) {
		resp, body := get(t, c, ts.URL+"/export/usage-reports?period=30d,2w&as_of=2026-11-01&tz=Europe/Berlin", tokAdmin)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		wantZip(t, body, "Usage Report (Last 30 Days).xlsx", "Usage Report (Last 2 Weeks).xlsx")
	})
	t.Run("HEAD has the headers and no body", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodHead, ts.URL+"/export/usage-reports", nil)
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
	t.Run("readyz", func(t *testing.T) {
		resp, body := get(t, c, ts.URL+"/readyz", tokAdmin)
		if resp.StatusCode != 200 || string(body) != "ready\n" {
			t.Fatalf("readyz: %d %q", resp.StatusCode, body)
		}
	})
	t.Run("metrics", func(t *testing.T) {
		resp, body := get(t, c, ts.URL+"/metrics", tokAdmin)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{
			`usagerep_http_requests_total{code="200",route="usage-reports"}`,
			"usagerep_input_records 291",
			"usagerep_input_rejected_records 3",
			"usagerep_ready 1",
			`usagerep_report_results_total{how="computed",report="usage-reports"}`,
			"go_goroutines",
		} {
			if !bytes.Contains(body, []byte(want)) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
	t.Run("unknown path", func(t *testing.T) {
		resp, body := get(t, c, ts.URL+"/export/nope", tokAdmin)
		if resp.StatusCode != 404 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		wantEnvelope(t, body, 404, "notFound")
	})
}

func TestNotReadyBeforeWarm(t *testing.T) {
	s, err := New(testConfig(t, sampleDir(t)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	for _, p := range []string{"/readyz", "/export/usage-reports", "/export/access?from=2026-11-01&to=2026-11-22"} {
		resp, body := get(t, ts.Client(), ts.URL+p, tokAdmin)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s before the inputs were read: %d %s", p, resp.StatusCode, body)
		}
	}
}

func TestQueryValidation(t *testing.T) {
	s := newWarm(t, testConfig(t, sampleDir(t)))
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	for name, q := range map[string]string{
		"unknown parameter": "?perod=6m",
		"repeated":          "?period=6m&period=1y",
		"bad period":        "?period=6x",
		"too many periods":  "?period=" + strings.Repeat("1d,", 12) + "1d",
		"bad as_of":         "?as_of=soon",
		"bad tz":            "?tz=Mars/Olympus",
		"tz traversal":      "?tz=../../../../etc/passwd",
		"local tz":          "?tz=Local",
		"long value":        "?period=" + strings.Repeat("1", 600) + "d",
		"bad escape":        "?period=%zz",
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := get(t, ts.Client(), ts.URL+"/export/usage-reports"+q, tokAdmin)
			if resp.StatusCode != 400 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			wantEnvelope(t, body, 400, "invalid")
		})
	}
	t.Run("parameters on an endpoint without any", func(t *testing.T) {
		resp, _ := get(t, ts.Client(), ts.URL+"/readyz?x=1", tokAdmin)
		if resp.StatusCode != 400 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestHardening(t *testing.T) {
	s := newWarm(t, testConfig(t, sampleDir(t)))
	r := startReal(t, s)
	c := &http.Client{}

	t.Run("methods", func(t *testing.T) {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
			req, _ := http.NewRequest(m, r.url+"/export/usage-reports", nil)
			req.Header.Set("Authorization", "Bearer "+tokAdmin)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s: %d, Allow %q", m, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	})
	t.Run("body refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, r.url+"/export/usage-reports", strings.NewReader(strings.Repeat("x", 1<<20)))
		req.Header.Set("Authorization", "Bearer "+tokAdmin)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("header limit", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, r.url+"/healthz", nil)
		req.Header.Set("X-Big", strings.Repeat("a", 64<<10))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 431 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("URI limit", func(t *testing.T) {
		resp, _ := get(t, c, r.url+"/export/usage-reports?period="+strings.Repeat("1", 5000), tokAdmin)
		if resp.StatusCode != 414 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("no path reaches the file system", func(t *testing.T) {
		for _, p := range []string{
			"/export/../../../../etc/passwd", "/export/usage-reports/../../etc/passwd",
			"/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "//etc/passwd", "/export/usage-reports%00.zip",
		} {
			// A raw request line: Go's client would clean some of these.
			conn, err := net.Dial("tcp", strings.TrimPrefix(r.url, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			_, _ = io.WriteString(conn, "GET "+p+" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+tokAdmin+"\r\nConnection: close\r\n\r\n")
			b, _ := io.ReadAll(conn)
			conn.Close()
			if bytes.Contains(b, []byte("root:")) || bytes.HasPrefix(b, []byte("HTTP/1.1 200")) {
				t.Errorf("%s: %.200s", p, b)
			}
		}
	})
	t.Run("slow client header", func(t *testing.T) {
		cfg := testConfig(t, sampleDir(t))
		cfg.Timeouts.ReadHeader = 100 * time.Millisecond
		rs := startReal(t, newWarm(t, cfg))
		conn, err := net.Dial("tcp", strings.TrimPrefix(rs.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))               // safety limit
		_, _ = io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n") // and never the blank line
		b, err := io.ReadAll(conn)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("the server kept a client that never finished its headers")
		}
		if bytes.Contains(b, []byte("200 OK")) {
			t.Fatalf("answered an unfinished request: %s", b)
		}
		t.Logf("slow client dropped after %s", time.Since(start).Round(time.Millisecond))
	})
}

func TestLogsHoldNoSecrets(t *testing.T) {
	var logs syncBuffer
	cfg := testConfig(t, sampleDir(t))
	cfg.Log = newJSONLogger(&logs)
	s := newWarm(t, cfg)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	for _, tok := range []string{tokAdmin, tokWrong, tokNoRole, ""} {
		get(t, ts.Client(), ts.URL+"/export/usage-reports?period=1y", tok)
	}
	out := logs.String()
	for _, secret := range []string{tokAdmin, tokWrong, tokNoRole, "Bearer", "period=1y"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var statuses []float64
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", l)
		}
		if m["msg"] == "request" {
			statuses = append(statuses, m["status"].(float64))
			for _, k := range []string{"method", "path", "status", "bytes", "duration_ms", "token"} {
				if _, ok := m[k]; !ok {
					t.Errorf("access log line lacks %s: %s", k, l)
				}
			}
		}
	}
	if len(statuses) != 4 || statuses[0] != 200 || statuses[1] != 401 || statuses[2] != 403 || statuses[3] != 401 {
		t.Errorf("access log statuses %v, want [200 401 403 401]", statuses)
	}
	if !strings.Contains(out, `"token":"admin"`) {
		t.Error("the access log does not name the token")
	}
}

func TestConcurrentDownloads(t *testing.T) {
	cfg := testConfig(t, sampleDir(t))
	s := newWarm(t, cfg)
	r := startReal(t, s)
	want := referenceZip(t, cfg, "6m,1y")
	const n = 50
	bodies := make([][]byte, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	c := &http.Client{Timeout: 30 * time.Second}
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, r.url+"/export/usage-reports", nil)
			req.Header.Set("Authorization", "Bearer "+tokAdmin)
			resp, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			codes[i] = resp.StatusCode
			bodies[i], _ = io.ReadAll(resp.Body)
		})
	}
	wg.Wait()
	for i := range n {
		if codes[i] != 200 || !bytes.Equal(bodies[i], want) {
			t.Fatalf("download %d: status %d, %d bytes, want %d identical bytes", i, codes[i], len(bodies[i]), len(want))
		}
	}
	wantZip(t, bodies[0], defaultWorkbooks...)
	if got := testutil.ToFloat64(s.metrics.results.WithLabelValues("usage-reports", "computed")); got != 1 {
		t.Errorf("%v computations for %d identical requests, want 1", got, n)
	}
}

func TestIdenticalRequestsShareOneComputation(t *testing.T) {
	cfg := testConfig(t, sampleDir(t))
	cfg.CacheBytes = -1 // sharing, not the cache, is under test
	g := newGate()
	s := withGate(t, &cfg, g)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	const n = 10
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			resp, _ := get(t, ts.Client(), ts.URL+"/test/gate?k=a", tokAdmin)
			codes[i] = resp.StatusCode
		})
	}
	<-g.started
	// Every request has joined the one computation once n are in flight.
	waitFor(t, "all requests in flight", func() bool {
		return testutil.ToFloat64(s.metrics.inFlight) == n
	})
	close(g.release)
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Fatalf("request %d: %d", i, c)
		}
	}
	if g.count() != 1 {
		t.Fatalf("%d computations, want 1", g.count())
	}
	if got := testutil.ToFloat64(s.metrics.results.WithLabelValues("gate", "shared")); got != n-1 {
		t.Errorf("%v shared answers, want %d", got, n-1)
	}
}

func TestComputeCapGives503(t *testing.T) {
	cfg := testConfig(t, sampleDir(t))
	cfg.MaxConcurrent = 1
	cfg.Timeouts.Queue = 50 * time.Millisecond
	g := newGate()
	s := withGate(t, &cfg, g)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	first := make(chan int, 1)
	go func() {
		resp, _ := get(t, ts.Client(), ts.URL+"/test/gate?k=a", tokAdmin)
		first <- resp.StatusCode
	}()
	<-g.started
	resp, body := get(t, ts.Client(), ts.URL+"/test/gate?k=b", tokAdmin)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "5" {
		t.Fatalf("a query beyond the cap: %d, Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	wantEnvelope(t, body, 503, "backendError")
	close(g.release)
	if c := <-first; c != 200 {
		t.Fatalf("the running computation: %d", c)
	}
	// The slot is free again.
	resp, _ = get(t, ts.Client(), ts.URL+"/test/gate?k=b", tokAdmin)
	if resp.StatusCode != 200 {
		t.Fatalf("after the slot freed: %d", resp.StatusCode)
	}
}

func TestComputeTimeout(t *testing.T) {
	cfg := testConfig(t, sampleDir(t))
	cfg.Timeouts.Compute = 50 * time.Millisecond
	g := newGate() // never released: the computation runs out of time
	s := withGate(t, &cfg, g)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	resp, body := get(t, ts.Client(), ts.URL+"/test/gate?k=a", tokAdmin)
	if resp.StatusCode != 503 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
}

func TestInputsReReadOnChange(t *testing.T) {
	dir := sampleDir(t)
	cfg := testConfig(t, dir)
	cfg.Poll = 20 * time.Millisecond
	s := newWarm(t, cfg)
	r := startReal(t, s)
	c := &http.Client{}
	url := r.url + "/export/usage-reports"
	_, before := get(t, c, url, tokAdmin)
	_, again := get(t, c, url, tokAdmin)
	if !bytes.Equal(before, again) {
		t.Fatal("two downloads of unchanged inputs differ")
	}
	fp := s.inputs.Load().fingerprint

	rec := `{"time":"2026-11-20T10:00:00Z","system":"Jira","username":"newcomer","email":"newcomer@example.com","action":"comment"}` + "\n"
	// Written beside, then renamed in: a poll between the file's creation
	// and its write would see it empty, and a later poll change again.
	tmp := filepath.Join(t.TempDir(), "late.jsonl")
	if err := os.WriteFile(tmp, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "late.jsonl")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the watcher to see the new file", func() bool { return s.inputs.Load().fingerprint != fp })
	_, after := get(t, c, url, tokAdmin)
	if bytes.Equal(before, after) {
		t.Fatal("the download did not change with the inputs")
	}
	if s.cache.bytes() != int64(len(after)) {
		t.Errorf("cache holds %d bytes, want only the new result (%d)", s.cache.bytes(), len(after))
	}
	cfg2 := cfg
	if !bytes.Equal(after, referenceZip(t, cfg2, "6m,1y")) {
		t.Error("the new download is not what export writes for the new inputs")
	}
}

func TestShutdownLetsDownloadsFinish(t *testing.T) {
	cfg := testConfig(t, sampleDir(t))
	g := newGate()
	s := withGate(t, &cfg, g)
	if err := s.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := startReal(t, s)
	addr := strings.TrimPrefix(r.url, "http://")
	got := make(chan string, 1)
	go func() {
		resp, body := get(t, &http.Client{}, r.url+"/test/gate?k=a", tokAdmin)
		got <- resp.Status + " " + string(body)
	}()
	<-g.started
	r.stop() // as SIGTERM does
	waitFor(t, "the listener to close", func() bool {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
		}
		return err != nil
	})
	select {
	case err := <-r.done:
		t.Fatalf("Run returned (%v) with a download in flight", err)
	default:
	}
	close(g.release)
	if b := <-got; b != "200 OK done\n" {
		t.Fatalf("the download in flight got %q", b)
	}
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the last download")
	}
	r.done <- nil // for the cleanup
}

func TestTokenConfigErrors(t *testing.T) {
	good := HashToken("x")
	for name, toks := range map[string][]Token{
		"short hash":     {{Name: "a", SHA256: "abc"}},
		"not hex":        {{Name: "a", SHA256: strings.Repeat("z", 64)}},
		"no name":        {{SHA256: good}},
		"duplicate name": {{Name: "a", SHA256: good}, {Name: "a", SHA256: HashToken("y")}},
		"duplicate hash": {{Name: "a", SHA256: good}, {Name: "b", SHA256: good}},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t, sampleDir(t))
			cfg.Tokens = toks
			if _, err := New(cfg); err == nil {
				t.Fatal("New accepted a bad token list")
			}
		})
	}
	t.Run("standard input", func(t *testing.T) {
		cfg := testConfig(t, "-")
		if _, err := New(cfg); err == nil {
			t.Fatal("New accepted standard input")
		}
	})
}

func TestHashToken(t *testing.T) {
	// The spec's example: SHA-256 of "password".
	if got := HashToken("password"); got != "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8" {
		t.Fatalf("HashToken = %s", got)
	}
}
