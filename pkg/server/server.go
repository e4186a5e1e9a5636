// Package server is the HTTP API of usagerep serve: the reports behind a
// URL, bearer tokens with roles and permissions, Prometheus metrics. It
// knows nothing of cobra; pkg/cli builds its Config.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	accessrep "github.com/usagerep/usagerep/pkg/access" // the report; "access" is the routes' type here
	"github.com/usagerep/usagerep/pkg/source"
	"github.com/usagerep/usagerep/pkg/userusage"
)

// Timeouts bound every phase of a request. A zero field takes its default.
type Timeouts struct {
	ReadHeader time.Duration // the request line and headers (slow clients)
	Read       time.Duration // the whole request
	Idle       time.Duration // a kept-alive connection between requests
	// Write bounds each write of at most writeChunk bytes, not the whole
	// response, so a big zip to a fast client never times out and a
	// client that stops reading does.
	Write    time.Duration
	Compute  time.Duration // one report computation
	Queue    time.Duration // waiting for a free computation slot, then 503
	Shutdown time.Duration // the grace period for in-flight requests
}

// DefaultTimeouts are the timeouts of a zero Timeouts field.
var DefaultTimeouts = Timeouts{
	ReadHeader: 10 * time.Second,
	Read:       30 * time.Second,
	Idle:       2 * time.Minute,
	Write:      30 * time.Second,
	Compute:    5 * time.Minute,
	Queue:      30 * time.Second,
	Shutdown:   time.Minute,
}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts
	for _, f := range []struct{ v, def *time.Duration }{
		{&t.ReadHeader, &d.ReadHeader}, {&t.Read, &d.Read}, {&t.Idle, &d.Idle}, {&t.Write, &d.Write},
		{&t.Compute, &d.Compute}, {&t.Queue, &d.Queue}, {&t.Shutdown, &d.Shutdown},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return t
}

// Config is everything a Server needs.
type Config struct {
	// Inputs are the paths given on the command line (files, directories,
	// bundles; not standard input), read with Scan.
	Inputs []string
	Scan   source.ScanOptions

	// AsOf, when not empty, pins "now" for every report (as --as-of is
	// written); a query's own as_of wins. Location is the default time zone.
	AsOf            string
	Location        *time.Location
	ActiveWithin    time.Duration
	ServiceAccounts []string
	Now             func() time.Time // default time.Now

	// AccessProfiles are the column profiles of the config file
	// (access.columns.<name>, names lower-case), beside the built-in ones.
	AccessProfiles map[string][]accessrep.Column

	Tokens        []Token
	MaxConcurrent int           // report computations at once; default 2
	CacheBytes    int64         // finished results kept; default 64 MiB, negative: none
	Poll          time.Duration // how often the inputs are checked for changes; default 5s
	Timeouts      Timeouts
	TLSCert       string
	TLSKey        string
	Log           *slog.Logger // access and event log; default discards

	// extra routes, for tests of the machinery.
	extra []route
	// usersScanHook, when set, runs before each scan for the users
	// report, for tests that hold one.
	usersScanHook func()
}

// Server answers the API. Make it with New, run it with Run or use
// Handler directly.
type Server struct {
	cfg      Config
	to       Timeouts
	log      *slog.Logger
	tokens   []token
	inputs   atomic.Pointer[inputState]
	ready    atomic.Bool
	flights  flightGroup[*result]
	states   flightGroup[*userusage.Store]
	cache    *resultCache
	sem      chan struct{}
	metrics  *metrics
	handler  http.Handler
	warmOnce sync.Once
	// stateTooBig: the users state did not fit in the cache (logged once).
	stateTooBig atomic.Bool
}

// New checks cfg, plans the inputs once (a path that does not exist is an
// error here, not at the first request) and builds the handler.
func New(cfg Config) (*Server, error) {
	if len(cfg.Inputs) == 0 {
		return nil, errors.New("no input given")
	}
	for _, p := range cfg.Inputs {
		if p == source.StdinName {
			return nil, errors.New("serve cannot read standard input: it re-reads its inputs when they change")
		}
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 2
	}
	if cfg.CacheBytes == 0 {
		cfg.CacheBytes = 256 << 20 // room for the users state of 200,000 users (about 100 MB)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return nil, errors.New("TLS needs both a certificate and a key")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	tokens, err := parseTokens(cfg.Tokens)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, to: cfg.Timeouts.withDefaults(), log: cfg.Log, tokens: tokens,
		cache: newResultCache(cfg.CacheBytes), sem: make(chan struct{}, cfg.MaxConcurrent),
		metrics: newMetrics(),
	}
	st, err := planInputs(cfg.Inputs, cfg.Scan)
	if err != nil {
		return nil, err
	}
	s.inputs.Store(st)
	s.handler = s.routes()
	return s, nil
}

// Handler is the whole API, with auth, limits and the access log.
func (s *Server) Handler() http.Handler { return s.handler }

// Ready reports whether the inputs were read once.
func (s *Server) Ready() bool { return s.ready.Load() }

// Warm reads the inputs once, to check them and fill the page cache; the
// server is ready after it. Run calls it; tests may call it first.
func (s *Server) Warm(ctx context.Context) error {
	var err error
	s.warmOnce.Do(func() {
		start := time.Now()
		var stats source.Stats
		stats, err = scanCount(ctx, s.cfg.Inputs, s.cfg.Scan)
		if err != nil {
			s.log.Error("reading the inputs", "err", err.Error())
			return
		}
		s.metrics.noteScan("startup", stats)
		rec, rej := stats.Totals()
		s.log.Info("inputs read", "files", len(s.inputs.Load().files), "records", rec, "rejected", rej,
			"bytes", stats.Bytes, "duration_ms", time.Since(start).Milliseconds())
		for _, sk := range stats.Skipped {
			s.log.Warn("input skipped", "name", sk.Name, "reason", sk.Reason)
		}
		s.ready.Store(true)
		s.metrics.ready.Set(1)
	})
	return err
}

// Run serves on ln until ctx is done, then stops accepting and lets the
// requests in flight finish for the shutdown grace period.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.to.ReadHeader,
		ReadTimeout:       s.to.Read,
		IdleTimeout:       s.to.Idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	bg, stopBG := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stopBG()
	wg.Go(func() {
		if err := s.Warm(bg); err == nil {
			s.watch(bg)
		}
	})

	errc := make(chan error, 1)
	go func() {
		if s.cfg.TLSCert != "" {
			errc <- hs.ServeTLS(ln, s.cfg.TLSCert, s.cfg.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	scheme := "http"
	if s.cfg.TLSCert != "" {
		scheme = "https"
	}
	s.log.Info("listening", "addr", scheme+"://"+ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", s.to.Shutdown.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.to.Shutdown)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		_ = hs.Close()
		err = fmt.Errorf("shutdown: requests still running after %s were cut off", s.to.Shutdown)
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	s.log.Info("stopped")
	return err
}

// maxHeaderBytes bounds the request line and headers; beyond it the
// client gets 431.
const maxHeaderBytes = 16 << 10

// redactPath shortens a path for logs; control characters are escaped by
// the JSON log handler.
func redactPath(p string) string {
	if len(p) > 256 {
		return p[:256] + "..."
	}
	return strings.ToValidUTF8(p, "?")
}
