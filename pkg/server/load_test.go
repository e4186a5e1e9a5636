package server

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"
)

// TestLoad sends a bounded mix of requests, 20 at a time, checks every
// answer, and checks that the heap returns to its level before the load
// (the result cache aside, which is bounded and measured).
func TestLoad(t *testing.T) {
	cfg := testConfig(t, sampleDir(t))
	s := newWarm(t, cfg)
	r := startReal(t, s)
	want := map[string][]byte{}
	asOfs := []string{"2026-11-22", "2026-10-01", "2026-06-30", "2025-12-31"}
	for _, a := range asOfs {
		c := cfg
		c.AsOf = a
		want[a] = referenceZip(t, c, "6m,1y")
	}

	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 20}
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	get(t, c, r.url+"/healthz", "") // the first connection's buffers are not load
	start := heap()

	const total, conc = 200, 20
	jobs := make(chan int)
	var (
		mu     sync.Mutex
		lat    []time.Duration
		failed []string
	)
	began := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for i := range jobs {
				var url, tok, wantCT string
				var wantBody []byte
				wantCode := 200
				switch i % 5 {
				case 0, 1, 2:
					a := asOfs[i%len(asOfs)]
					url, tok, wantCT, wantBody = r.url+"/export/usage-reports?as_of="+a, tokAdmin, "application/zip", want[a]
				case 3:
					url, wantCT, wantBody = r.url+"/healthz", "text/plain; charset=utf-8", []byte("ok\n")
				case 4:
					url, tok, wantCode = r.url+"/export/usage-reports", tokWrong, 401
				}
				t0 := time.Now()
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				if tok != "" {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				resp, err := c.Do(req)
				var body []byte
				if err == nil {
					body, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				switch {
				case err != nil:
					failed = append(failed, fmt.Sprintf("%d: %v", i, err))
				case resp.StatusCode != wantCode:
					failed = append(failed, fmt.Sprintf("%d %s: status %d", i, url, resp.StatusCode))
				case wantBody != nil && (!bytes.Equal(body, wantBody) || resp.Header.Get("Content-Type") != wantCT):
					failed = append(failed, fmt.Sprintf("%d %s: wrong body (%d bytes)", i, url, len(body)))
				}
				mu.Unlock()
			}
		})
	}
	for i := range total {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(began)
	if len(failed) > 0 {
		t.Fatalf("%d of %d requests failed, first: %s", len(failed), total, failed[0])
	}
	tr.CloseIdleConnections()
	// Idle server connections end on their own side; wait for the
	// goroutines holding their buffers to go.
	waitFor(t, "connections to close", func() bool { return runtime.NumGoroutine() < 50 })
	end := heap()
	cached := uint64(s.cache.bytes())
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("%d requests, %d at a time, in %s (%.0f req/s); latency p50 %s p99 %s max %s; heap %d KiB before, %d KiB after, %d KiB of it cached results",
		total, conc, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(),
		lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond),
		start>>10, end>>10, cached>>10)
	const slack = 4 << 20
	if end > start+cached+slack {
		t.Errorf("heap grew from %d to %d bytes under load (cache %d): more than %d of slack", start, end, cached, slack)
	}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certPEM, certFile, keyFile := selfSigned(t, dir)
	cfg := testConfig(t, sampleDir(t))
	cfg.TLSCert, cfg.TLSKey = certFile, keyFile
	s := newWarm(t, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &running{s: s, url: "https://" + ln.Addr().String(), done: make(chan error, 1)}
	ctx, cancel := contextWithCancel()
	go func() { r.done <- s.Run(ctx, ln) }()
	defer func() { cancel(); <-r.done }()

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	var resp *http.Response
	var body []byte
	waitFor(t, "TLS answers", func() bool {
		req, _ := http.NewRequest(http.MethodGet, r.url+"/healthz", nil)
		res, err := c.Do(req)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		resp = res
		body, _ = io.ReadAll(res.Body)
		return true
	})
	if resp.StatusCode != 200 || string(body) != "ok\n" || resp.TLS == nil {
		t.Fatalf("over TLS: %d %q", resp.StatusCode, body)
	}
	plain := &http.Client{Timeout: 10 * time.Second}
	if res, err := plain.Get(r.url + "/healthz"); err == nil {
		res.Body.Close()
		t.Fatal("a client that does not trust the certificate was answered")
	}
}

func TestTLSNeedsBoth(t *testing.T) {
	cfg := testConfig(t, sampleDir(t))
	cfg.TLSCert = "cert.pem"
	if _, err := New(cfg); err == nil {
		t.Fatal("New accepted a certificate without a key")
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T, dir string) (certPEM []byte, certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "usagerep test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPEM, certFile, keyFile
}
