package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/report"
	"github.com/usagerep/usagerep/pkg/server"
)

// lockedBuffer is stderr that a test reads while serve writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const serveTestToken = "cli-serve-test-token"

func writeServeConfig(t *testing.T, dir, extra string) string {
	t.Helper()
	cfg := `serve:
  listen: 127.0.0.1:0
  max_concurrent: 3
  timeouts:
    shutdown: 5s
    compute: 1m
  tokens:
    - name: admin
      sha256: ` + server.HashToken(serveTestToken) + `
      role: Administrator
      permissions: [server_management:read]
` + extra
	p := filepath.Join(dir, "usagerep.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestServeAnswersExportsBytes runs `usagerep serve` end to end on
// 127.0.0.1 and checks its zip is byte for byte `usagerep export`'s.
func TestServeAnswersExportsBytes(t *testing.T) {
	sample, err := filepath.Abs(filepath.Join("..", "..", "testdata", "sample"))
	if err != nil {
		t.Fatal(err)
	}
	dir := isolate(t)
	cfgFile := writeServeConfig(t, dir, "")
	code, _, stderr := run(t, "", "export", "-q", "--as-of", "2026-11-22", "--period", "6m,1y,30d", "--service-account", "svc-*", "-o", "cli.zip", sample)
	if code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	want, err := os.ReadFile(filepath.Join(dir, "cli.zip"))
	if err != nil {
		t.Fatal(err)
	}

	var errOut lockedBuffer
	ios := &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: &errOut}
	root := NewRootCmd(ios, BuildInfo{Version: "test"})
	root.SetArgs([]string{"serve", "--config", cfgFile, "--as-of", "2026-11-22", "--service-account", "svc-*", sample})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	}()

	addr := ""
	deadline := time.Now().Add(10 * time.Second) // safety limit
	for addr == "" && time.Now().Before(deadline) {
		for _, line := range strings.Split(errOut.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "listening" {
				addr, _ = m["addr"].(string)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if addr == "" {
		t.Fatalf("serve did not say where it listens: %s", errOut.String())
	}
	var got []byte
	var status int
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, addr+"/export/usage-reports?period=6m,1y,30d", nil)
		req.Header.Set("Authorization", "Bearer "+serveTestToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		status = resp.StatusCode
		if status != http.StatusServiceUnavailable { // still reading the inputs
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if status != 200 {
		t.Fatalf("status %d: %s", status, got)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("serve's zip (%d bytes) differs from export's (%d bytes)", len(got), len(want))
	}
	if strings.Contains(errOut.String(), serveTestToken) {
		t.Error("the log holds the token")
	}
}

func TestServeSettings(t *testing.T) {
	sample, err := filepath.Abs(filepath.Join("..", "..", "testdata", "sample"))
	if err != nil {
		t.Fatal(err)
	}
	var got *serveOptions
	runServeCmd := func(t *testing.T, cfgExtra string, args ...string) error {
		t.Helper()
		dir := isolate(t)
		cfgFile := writeServeConfig(t, dir, cfgExtra)
		ios := &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}
		root := NewRootCmd(ios, BuildInfo{})
		// Swap serve for one that records its options.
		for _, c := range root.Commands() {
			if c.Name() == "serve" {
				root.RemoveCommand(c)
			}
		}
		a := &app{io: ios}
		a.configFile = cfgFile
		cmd := newServeCmd(a, func(_ context.Context, o *serveOptions) error { got = o; return nil })
		cmd.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
			v, err := loadConfig(c, a.configFile)
			a.config = v
			return err
		}
		root.AddCommand(cmd)
		root.SetArgs(append([]string{"serve"}, append(args, sample)...))
		return root.Execute()
	}
	t.Run("config keys", func(t *testing.T) {
		if err := runServeCmd(t, "  tls_cert: c.pem\n  tls_key: k.pem\n"); err != nil {
			t.Fatal(err)
		}
		if got.Listen != "127.0.0.1:0" || got.MaxConcurrent != 3 || got.TLSCert != "c.pem" || got.TLSKey != "k.pem" {
			t.Errorf("options %+v", got)
		}
		if got.Timeouts.Shutdown != 5*time.Second || got.Timeouts.Compute != time.Minute {
			t.Errorf("timeouts %+v", got.Timeouts)
		}
		if len(got.Tokens) != 1 || got.Tokens[0].Name != "admin" || got.Tokens[0].Permissions[0] != "server_management:read" {
			t.Errorf("tokens %+v", got.Tokens)
		}
	})
	t.Run("flag wins", func(t *testing.T) {
		if err := runServeCmd(t, "", "--listen", "127.0.0.1:9999", "--max-concurrent", "7"); err != nil {
			t.Fatal(err)
		}
		if got.Listen != "127.0.0.1:9999" || got.MaxConcurrent != 7 {
			t.Errorf("options %+v", got)
		}
	})
	for name, c := range map[string]struct {
		extra string
		env   string // USAGEREP_SERVE_TIMEOUTS_READ
		args  []string
		has   string
	}{
		"unknown serve key":   {extra: "  listn: x\n", has: "serve.listn"},
		"unknown token field": {extra: "    - name: b\n      sha265: x\n", has: "sha265"},
		"bad timeout":         {env: "soon", has: "serve.timeouts.read"},
		"unused flag":         {args: []string{"--strict"}, has: "--strict is not used by serve"},
	} {
		t.Run(name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("USAGEREP_SERVE_TIMEOUTS_READ", c.env)
			}
			err := runServeCmd(t, c.extra, c.args...)
			if err == nil || ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), c.has) {
				t.Fatalf("error %v (exit %d), want a usage error naming %s", err, ExitCode(err), c.has)
			}
		})
	}
}

func TestServeNeedsTokens(t *testing.T) {
	isolate(t)
	code, _, stderr := run(t, "", "serve", "--listen", "127.0.0.1:0", filepath.Join("..", "..", "testdata", "sample"))
	if code != ExitUsage || !strings.Contains(stderr, "no tokens configured") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestTokenCommands(t *testing.T) {
	isolate(t)
	const want = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8\n" // SHA-256 of "password"
	for name, c := range map[string]struct {
		stdin string
		args  []string
	}{
		"argument":             {args: []string{"token", "hash", "password"}},
		"stdin":                {stdin: "password", args: []string{"token", "hash"}},
		"stdin with a newline": {stdin: "password\n", args: []string{"token", "hash"}},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, stderr := run(t, c.stdin, c.args...)
			if code != 0 || out != want {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		if code, _, _ := run(t, "", "token", "hash"); code != ExitUsage {
			t.Fatalf("exit %d", code)
		}
	})
	t.Run("new", func(t *testing.T) {
		code, out, _ := run(t, "", "token", "new", "--name", "dash")
		tok, rest, _ := strings.Cut(out, "\n")
		if code != 0 || len(tok) != 43 || !strings.Contains(rest, "sha256: "+server.HashToken(tok)) || !strings.Contains(rest, "name: dash") {
			t.Fatalf("exit %d: %s", code, out)
		}
	})
	for _, args := range [][]string{{"serve", "--help"}, {"token", "hash", "--help"}} {
		if code, out, _ := run(t, "", args...); code != 0 || !strings.Contains(out, "Examples:") {
			t.Errorf("%v: exit %d, no examples", args, code)
		}
	}
}

// TestServeHelpListsEveryReport keeps serve --help's list of endpoints
// whole: each report family, and every analytics report by name.
func TestServeHelpListsEveryReport(t *testing.T) {
	code, help, _ := run(t, "", "serve", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"GET /export/usage-reports?", "GET /export/access?", "GET /admin/reports/v1/usage/users/{userKey}/dates/{date}", "GET /v1/analytics/"} {
		if !strings.Contains(help, want) {
			t.Errorf("serve --help does not list %s", want)
		}
	}
	for _, name := range report.AnalyticsReports {
		if !strings.Contains(help, strings.ReplaceAll(name, " ", "/")) {
			t.Errorf("serve --help does not name the analytics report %q", name)
		}
	}
}
