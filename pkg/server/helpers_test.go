package server

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/report"
	"github.com/usagerep/usagerep/pkg/source"
	"github.com/usagerep/usagerep/pkg/usage"
)

// Test tokens: the secrets, and a config that knows their hashes.
const (
	tokAdmin  = "admin-secret-0123456789"
	tokNoRole = "viewer-secret-0123456789"
	tokNoPerm = "noperm-secret-0123456789"
	tokWrong  = "not-a-configured-token"
	testAsOf  = "2026-11-22"
)

func testTokens() []Token {
	return []Token{
		{Name: "admin", SHA256: HashToken(tokAdmin), Role: RoleAdministrator, Permissions: []string{PermServerManagementRead}},
		{Name: "viewer", SHA256: HashToken(tokNoRole), Role: "Viewer", Permissions: []string{PermServerManagementRead}},
		{Name: "noperm", SHA256: HashToken(tokNoPerm), Role: RoleAdministrator},
	}
}

// sampleDir is a private copy of testdata/sample, so a test may change it.
func sampleDir(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "testdata", "sample")
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// syncBuffer is a log sink that tests may read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testConfig(t *testing.T, dir string) Config {
	return Config{
		Inputs:          []string{dir},
		Scan:            source.ScanOptions{Workers: 2},
		AsOf:            testAsOf,
		ActiveWithin:    30 * 24 * time.Hour,
		ServiceAccounts: []string{"svc-*"},
		Tokens:          testTokens(),
		Poll:            time.Hour, // tests call recheck themselves
	}
}

// newWarm builds a server over cfg and reads its inputs once.
func newWarm(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// running is a server on a real listener on 127.0.0.1.
type running struct {
	s    *Server
	url  string
	stop context.CancelFunc
	done chan error
}

func startReal(t *testing.T, s *Server) *running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{s: s, url: "http://" + ln.Addr().String(), stop: cancel, done: make(chan error, 1)}
	go func() { r.done <- s.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("server did not stop")
		}
	})
	waitFor(t, "ready", s.Ready)
	return r
}

// waitFor polls cond; the deadline is only a safety limit.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func get(t *testing.T, c *http.Client, url, token string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// wantZip checks b is Usage Reports.zip with the workbooks named.
func wantZip(t *testing.T, b []byte, names ...string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		rc.Close()
	}
	if len(got) != len(names) {
		t.Fatalf("zip holds %q, want %q", got, names)
	}
	for i := range names {
		if got[i] != names[i] {
			t.Fatalf("zip holds %q, want %q", got, names)
		}
	}
}

var defaultWorkbooks = []string{"Usage Report (Last 6 Months).xlsx", "Usage Report (Last 1 Year).xlsx"}

// referenceZip is the zip report.UsageZip writes for the sample, as
// export does: what every download must equal.
func referenceZip(t *testing.T, cfg Config, periods string) []byte {
	t.Helper()
	ps, err := usage.ParsePeriods(periods)
	if err != nil {
		t.Fatal(err)
	}
	asOf, err := usage.ParseAsOf(cfg.AsOf, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err = report.UsageZip(context.Background(), &buf, cfg.Inputs, cfg.Scan, report.UsageQuery{
		AsOf: asOf, Location: time.UTC, Periods: ps, ActiveWithin: cfg.ActiveWithin, ServiceAccounts: cfg.ServiceAccounts,
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gate is a test report whose computations wait until released.
type gate struct {
	mu      sync.Mutex
	calls   int
	started chan struct{}
	release chan struct{}
}

func newGate() *gate {
	return &gate{started: make(chan struct{}, 100), release: make(chan struct{})}
}

func (g *gate) route(path string) route {
	return route{path: path, name: "gate", access: reportToken, params: []string{"k"}, handle: nil}
}

func (g *gate) compute(ctx context.Context, _ *inputState) (*result, error) {
	g.mu.Lock()
	g.calls++
	g.mu.Unlock()
	g.started <- struct{}{}
	select {
	case <-g.release:
		return &result{body: []byte("done\n"), contentType: "text/plain"}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *gate) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls
}

// withGate adds GET /test/gate?k= answered by g, keyed by k.
func withGate(t *testing.T, cfg *Config, g *gate) *Server {
	t.Helper()
	var s *Server
	rt := g.route("/test/gate")
	rt.handle = func(w http.ResponseWriter, r *http.Request) {
		s.answer(w, r, "gate", "gate?k="+r.URL.Query().Get("k"), g.compute)
	}
	cfg.extra = append(cfg.extra, rt)
	var err error
	s, err = New(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newJSONLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
