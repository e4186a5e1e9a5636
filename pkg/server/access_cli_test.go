package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/cli"
	"github.com/usagerep/usagerep/pkg/server"
)

// This file is an external test: it runs the real `usagerep access` and
// `usagerep serve` (pkg/cli imports pkg/server), both from one config file.

const cliToken = "access-cli-test-token-0123"

// lockedBuffer is serve's stderr, read while it writes.
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

// TestAccessEndpointIsTheCommandsBytes: for each query, /export/access
// answers exactly what `usagerep access` writes with the same flags and
// config file, the file's column profile included.
func TestAccessEndpointIsTheCommandsBytes(t *testing.T) {
	sample, err := filepath.Abs(filepath.Join("..", "..", "testdata", "sample"))
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := writeServeConfig(t, `access:
  columns:
    Mine:
      - {action: sync, label: Syncs}
      - comment
`)
	addr := startServe(t, cfgFile, sample)

	cases := []struct {
		name  string
		query string
		flags []string
	}{
		{"defaults", "from=2025-10-01&to=2026-11-22",
			[]string{"--from", "2025-10-01", "--to", "2026-11-22", "--as-of", "2026-11-22"}},
		{"config profile, plan, tz, as_of", "from=2026-03-01&to=2026-11-22&columns=mine&plan=enterprise&tz=Europe/Paris&as_of=2026-10-15",
			[]string{"--from", "2026-03-01", "--to", "2026-11-22", "--columns", "mine", "--plan", "enterprise", "--tz", "Europe/Paris", "--as-of", "2026-10-15"}},
		{"cintoo as JSON", "from=2025-10-01&to=2026-11-22&columns=cintoo&format=json",
			[]string{"--from", "2025-10-01", "--to", "2026-11-22", "--as-of", "2026-11-22", "--columns", "cintoo", "--format", "json"}},
		{"xlsx", "from=2025-10-01&to=2026-11-22&format=xlsx",
			[]string{"--from", "2025-10-01", "--to", "2026-11-22", "--as-of", "2026-11-22", "--format", "xlsx"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"access", "--config", cfgFile, "-q", "-o", "-"}, c.flags...)
			want := runCommand(t, append(args, sample)...)
			got := fetch(t, addr+"/export/access?"+c.query)
			if !bytes.Equal(got, want) {
				t.Fatalf("serve's answer (%d bytes) differs from usagerep access's (%d bytes):\n%s\nwant\n%s", len(got), len(want), got, want)
			}
			switch {
			case strings.Contains(c.query, "format=json"):
				var objs []map[string]any
				if err := json.Unmarshal(got, &objs); err != nil || len(objs) == 0 {
					t.Fatalf("JSON: %d objects (%v)", len(objs), err)
				}
			case strings.Contains(c.query, "format=xlsx"):
				if !bytes.HasPrefix(got, []byte("PK")) {
					t.Fatal("not a workbook")
				}
			default:
				rows, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
				if err != nil || len(rows) < 2 {
					t.Fatalf("CSV: %d rows (%v)", len(rows), err)
				}
				if strings.Contains(c.query, "columns=mine") && strings.Join(rows[0][6:], ",") != "Syncs,comment" {
					t.Errorf("the config file's profile is not serve's: %q", rows[0])
				}
			}
		})
	}
}

// writeServeConfig makes a fresh working directory with a config file
// whose serve section listens on a free port and takes cliToken as an
// administrator's, then holds extra; it returns the file's path.
func writeServeConfig(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cfgFile := filepath.Join(dir, "usagerep.yaml")
	cfg := `serve:
  listen: 127.0.0.1:0
  timeouts:
    shutdown: 5s
  tokens:
    - name: admin
      sha256: ` + server.HashToken(cliToken) + `
      role: Administrator
      permissions: [server_management:read]
` + extra
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfgFile
}

// runCommand runs usagerep with args and returns what it wrote on
// standard output; a non-zero exit fails the test.
func runCommand(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	if code := cli.Main(args, ios, cli.BuildInfo{Version: "test"}); code != 0 {
		t.Fatalf("usagerep %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.Bytes()
}

// startServe runs `usagerep serve` until the test ends and returns its URL.
func startServe(t *testing.T, cfgFile, input string) string {
	t.Helper()
	var errOut lockedBuffer
	ios := &cli.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: &errOut}
	root := cli.NewRootCmd(ios, cli.BuildInfo{Version: "test"})
	root.SetArgs([]string{"serve", "--config", cfgFile, "--as-of", "2026-11-22", input})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
		if strings.Contains(errOut.String(), cliToken) {
			t.Error("the log holds the token")
		}
	})
	deadline := time.Now().Add(10 * time.Second) // a safety limit only
	for time.Now().Before(deadline) {
		for line := range strings.SplitSeq(errOut.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "listening" {
				if addr, _ := m["addr"].(string); addr != "" {
					return addr
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("serve did not say where it listens: %s", errOut.String())
	return ""
}

// fetch GETs url with the token, waiting out the 503 of a server still
// reading its inputs.
func fetch(t *testing.T, url string) []byte {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+cliToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusServiceUnavailable && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		return body
	}
}
