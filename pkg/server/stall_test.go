package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// smallBuffers is a listener whose connections have small send buffers,
// so that a client that stops reading fills them within kilobytes
// rather than the megabytes the kernel would otherwise grow them to.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}

// bigAccessInput writes a day of activity for each of 600 users in each
// of March's days: the access CSV of March is one row each, about a
// megabyte, far beyond the buffers of a stalled connection.
func bigAccessInput(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for d := 1; d <= 31; d++ {
		for u := range 600 {
			fmt.Fprintf(&b, `{"time":"2026-03-%02dT09:00:00Z","system":"Jira","project":"Project %03d","email":"user%03d@example.com","first_name":"First%03d","last_name":"Last%03d","action":"edit","count":%d}`+"\n",
				d, u%7, u, u, u, d+u)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "march.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestStalledDownloadIsDropped: a client asks for a large export and
// stops reading. The server gives up on that connection when a write
// outlives serve.timeouts.write, logs it, returns from the handler and
// frees the connection's goroutines, and answers other requests all the
// while.
func TestStalledDownloadIsDropped(t *testing.T) {
	var logs syncBuffer
	cfg := testConfig(t, bigAccessInput(t))
	cfg.Timeouts.Write = 500 * time.Millisecond
	cfg.Timeouts.Shutdown = time.Second // a failure here must not wait a minute for a stuck handler
	cfg.Log = newJSONLogger(&logs)
	s := newWarm(t, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, smallBuffers{ln}) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	addr := ln.Addr().String()
	const path = "/export/access?from=2026-03-01&to=2026-03-31"
	// Run has started its goroutines (the watcher, Serve) once it says
	// so. Their number before any connection is what must be left once
	// every connection of the test is closed.
	waitFor(t, "the server to listen", func() bool { return strings.Contains(logs.String(), `"msg":"listening"`) })
	base := runtime.NumGoroutine()

	// The whole export, read by a client that keeps up; it is cached
	// after.
	tr := &http.Transport{}
	c := &http.Client{Transport: tr}
	resp, want := get(t, c, "http://"+addr+path, tokAdmin)
	if resp.StatusCode != 200 || len(want) < 1<<20 {
		t.Fatalf("status %d, %d bytes; want 200 and at least a megabyte", resp.StatusCode, len(want))
	}

	// The stalled client: a small receive buffer, the headers read, then
	// nothing.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", path, addr, tokAdmin)
	br := bufio.NewReaderSize(conn, 4<<10)
	stalled, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stalled.StatusCode != 200 || stalled.ContentLength != int64(len(want)) {
		t.Fatalf("stalled request: status %d, length %d", stalled.StatusCode, stalled.ContentLength)
	}

	// Others are served meanwhile: the stalled download holds no
	// computation slot and no lock.
	if resp, body := get(t, c, "http://"+addr+"/healthz", ""); resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("healthz during the stall: %d %q", resp.StatusCode, body)
	}
	if resp, body := get(t, c, "http://"+addr+path, tokAdmin); resp.StatusCode != 200 || string(body) != string(want) {
		t.Errorf("the export during the stall: status %d, %d bytes of %d", resp.StatusCode, len(body), len(want))
	}
	if resp, body := get(t, c, "http://"+addr+"/export/access?from=2026-03-02&to=2026-03-30", tokAdmin); resp.StatusCode != 200 {
		t.Errorf("another export during the stall: status %d: %s", resp.StatusCode, body)
	}
	tr.CloseIdleConnections()

	// The server gives up on the deadline and says so.
	waitFor(t, "the server to give up the stalled download", func() bool {
		return strings.Contains(logs.String(), "client stopped reading")
	})
	line := logLine(t, logs.String(), "client stopped reading")
	if !strings.Contains(line, "i/o timeout") || !strings.Contains(line, `"path":"/export/access"`) {
		t.Errorf("the log line does not say it was the write deadline, on which path: %s", line)
	}
	// Every handler returned, the stalled one too (the others are done).
	waitFor(t, "the handler to return", func() bool { return testutil.ToFloat64(s.metrics.inFlight) == 0 })
	// Its access-log line has the status sent and the bytes that went out.
	cut := 0
	for _, l := range strings.Split(logs.String(), "\n") {
		var e struct {
			Msg, Path, Remote string
			Status, Bytes     int
		}
		if json.Unmarshal([]byte(l), &e) == nil && e.Msg == "request" && e.Remote == conn.LocalAddr().String() {
			cut++
			if e.Path != "/export/access" || e.Status != 200 || e.Bytes == 0 || e.Bytes >= len(want) {
				t.Errorf("the stalled request's access log: %s", l)
			}
		}
	}
	if cut != 1 {
		t.Errorf("%d access-log lines of the stalled connection, want 1:\n%s", cut, logs.String())
	}

	// The connection is closed: reading now ends before Content-Length.
	n, err := io.Copy(io.Discard, stalled.Body)
	if err == nil || n >= int64(len(want)) {
		t.Errorf("the stalled client read %d of %d bytes, error %v; want the connection cut", n, len(want), err)
	}
	conn.Close()

	// The server still answers.
	if resp, body := get(t, c, "http://"+addr+path, tokAdmin); resp.StatusCode != 200 || string(body) != string(want) {
		t.Errorf("the export after the stall: status %d, %d bytes of %d", resp.StatusCode, len(body), len(want))
	}

	// Nothing of the stalled connection, nor of any other, is left
	// running.
	tr.CloseIdleConnections()
	waitFor(t, "the goroutines to return to their number before any connection", func() bool {
		return runtime.NumGoroutine() <= base
	})
}

// logLine is the first line of logs holding s.
func logLine(t *testing.T, logs, s string) string {
	t.Helper()
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	t.Fatalf("no log line holds %s:\n%s", s, logs)
	return ""
}
