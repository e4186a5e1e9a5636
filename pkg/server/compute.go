package server

import (
	"cmp"
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// result is one finished report, kept whole so that every request that
// shares it gets the same bytes with a Content-Length, and so that a
// failure is an error status rather than a cut-off download.
type result struct {
	body        []byte
	contentType string
	filename    string // for Content-Disposition; "" for none
}

// computeFunc computes a report; ctx carries the compute timeout.
type computeFunc func(ctx context.Context, in *inputState) (*result, error)

var (
	errBusy    = errors.New("busy")
	errTimeout = errors.New("timed out")
)

// queryError is a bad query: its code (400 when zero) with its message.
type queryError struct {
	code int
	msg  string
}

func (e *queryError) Error() string { return e.msg }

func badQuery(format string, args ...any) error {
	return &queryError{msg: fmt.Sprintf(format, args...)}
}

// answer serves the report named by key (endpoint and normalised query)
// for the current inputs: from the cache, by joining a computation of the
// same key already running, or by starting one. compute runs in a
// computation slot, under the compute timeout.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, report, key string, compute computeFunc) {
	s.respond(w, r, report, key, func(in *inputState) (*result, error) {
		return slotted(s, report, func(ctx context.Context) (*result, error) { return compute(ctx, in) })
	})
}

// respond is answer for a report that takes its slots itself: produce
// makes the result of inputs in, once for every request of the same key
// meanwhile; it is kept while the inputs are still in.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, report, key string, produce func(in *inputState) (*result, error)) {
	in := s.inputs.Load()
	key = key + "#" + in.fingerprint
	res, how, err := s.lookup(r.Context(), key, in, produce)
	if err != nil {
		var qe *queryError
		switch {
		case errors.As(err, &qe):
			s.writeError(w, r, cmp.Or(qe.code, http.StatusBadRequest), qe.msg)
		case errors.Is(err, errBusy):
			s.writeError(w, r, http.StatusServiceUnavailable, "every report slot is busy; retry later")
		case errors.Is(err, errTimeout):
			s.writeError(w, r, http.StatusServiceUnavailable, "the report took too long to compute")
		case r.Context().Err() != nil:
			// The client left; nobody reads an answer.
		default:
			s.log.Error("computing a report", "report", report, "err", err.Error())
			s.writeError(w, r, http.StatusInternalServerError, "the report could not be computed")
		}
		return
	}
	s.metrics.results.WithLabelValues(report, how).Inc()
	h := w.Header()
	h.Set("Content-Type", res.contentType)
	h.Set("Content-Length", strconv.Itoa(len(res.body)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	if res.filename != "" {
		h.Set("Content-Disposition", `attachment; filename="`+res.filename+`"`)
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if n, err := s.writeBody(w, res.body); err != nil {
		// The handler returns and net/http closes the connection; the
		// access log line follows with the bytes that went out.
		msg, level := "client went away", slog.LevelInfo
		if errors.Is(err, os.ErrDeadlineExceeded) {
			msg, level = "client stopped reading; the connection is dropped", slog.LevelWarn
		}
		s.log.Log(r.Context(), level, msg, "path", redactPath(r.URL.Path), "remote", r.RemoteAddr,
			"sent", n, "size", len(res.body), "err", err.Error())
	}
}

// lookup returns the result for key and how it was got: cached, shared
// or computed.
func (s *Server) lookup(ctx context.Context, key string, in *inputState, produce func(in *inputState) (*result, error)) (*result, string, error) {
	if res, ok := s.cache.get(key).(*result); ok {
		return res, "cached", nil
	}
	res, shared, err := s.flights.do(ctx, key, func() (*result, error) {
		// The computation does not hang on the request that started it:
		// others may be waiting for it, and its result is cached.
		res, err := produce(in)
		if err != nil {
			return nil, err
		}
		// Only a result of the inputs as they still are is kept.
		if s.inputs.Load().fingerprint == in.fingerprint {
			s.cache.put(key, res, int64(len(res.body)))
		}
		return res, nil
	})
	how := "computed"
	if shared {
		how = "shared"
	}
	return res, how, err
}

// slotted runs fn in a computation slot (waiting at most the queue
// timeout for one) under the compute timeout, and times it.
func slotted[V any](s *Server, report string, fn func(ctx context.Context) (V, error)) (V, error) {
	var zero V
	if err := s.acquire(); err != nil {
		return zero, err
	}
	defer func() { <-s.sem }()
	cctx, cancel := context.WithTimeout(context.Background(), s.to.Compute)
	defer cancel()
	start := time.Now()
	v, err := fn(cctx)
	s.metrics.computeSeconds.WithLabelValues(report).Observe(time.Since(start).Seconds())
	if err != nil {
		if cctx.Err() != nil {
			return zero, errTimeout
		}
		return zero, err
	}
	return v, nil
}

// acquire takes a computation slot, waiting at most the queue timeout.
func (s *Server) acquire() error {
	select {
	case s.sem <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(s.to.Queue)
	defer t.Stop()
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-t.C:
		return errBusy
	}
}

// writeChunk is how much is written under one write deadline.
const writeChunk = 256 << 10

// writeBody writes b in chunks, each under its own write deadline, and
// returns how much of b was written.
func (s *Server) writeBody(w http.ResponseWriter, b []byte) (int, error) {
	rc := http.NewResponseController(w)
	sent := 0
	for sent < len(b) {
		k := min(len(b)-sent, writeChunk)
		// Not every ResponseWriter has deadlines (httptest's recorder);
		// the server's do.
		_ = rc.SetWriteDeadline(time.Now().Add(s.to.Write))
		n, err := w.Write(b[sent : sent+k])
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// flightGroup runs one computation per key at a time and hands its result
// to every caller that asked meanwhile.
type flightGroup[V any] struct {
	mu    sync.Mutex
	calls map[string]*flight[V]
}

type flight[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// do returns fn's result for key; shared tells whether another caller's
// computation gave it. A caller whose ctx ends stops waiting; the
// computation goes on for the others.
func (g *flightGroup[V]) do(ctx context.Context, key string, fn func() (V, error)) (val V, shared bool, err error) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[string]*flight[V]{}
	}
	f, shared := g.calls[key]
	if !shared {
		f = &flight[V]{done: make(chan struct{})}
		g.calls[key] = f
		go func() {
			defer func() {
				// A bug in one report must not take the server down.
				if p := recover(); p != nil {
					var zero V
					f.val, f.err = zero, fmt.Errorf("report failed: %v", p)
				}
				g.mu.Lock()
				delete(g.calls, key)
				g.mu.Unlock()
				close(f.done)
			}()
			f.val, f.err = fn()
		}()
	}
	g.mu.Unlock()
	select {
	case <-f.done:
		return f.val, shared, f.err
	case <-ctx.Done():
		var zero V
		return zero, shared, ctx.Err()
	}
}

// resultCache keeps finished results, and the users report's scanned
// state (users.go), up to a total size, dropping the least recently used
// first. Every key ends in "#" and the fingerprint of the inputs it was
// computed from.
type resultCache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	order *list.List // of *cacheEntry, most recent first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	key  string
	val  any // *result or *userusage.Store
	size int64
}

func newResultCache(maxBytes int64) *resultCache {
	return &resultCache{max: maxBytes, order: list.New(), byKey: map[string]*list.Element{}}
}

// get returns the value of key, or nil.
func (c *resultCache) get(key string) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).val
}

// put keeps val, of about size bytes, as key's value, replacing any
// other; it reports whether val fits at all.
func (c *resultCache) put(key string, val any, size int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if size > c.max {
		return false
	}
	if e, ok := c.byKey[key]; ok {
		c.remove(e)
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, val: val, size: size})
	c.size += size
	for c.size > c.max {
		c.remove(c.order.Back())
	}
	return true
}

func (c *resultCache) remove(e *list.Element) {
	ce := e.Value.(*cacheEntry)
	c.order.Remove(e)
	delete(c.byKey, ce.key)
	c.size -= ce.size
}

// dropExcept removes every entry not of the inputs with fingerprint fp.
func (c *resultCache) dropExcept(fp string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.order.Front(); e != nil; {
		next := e.Next()
		if !strings.HasSuffix(e.Value.(*cacheEntry).key, "#"+fp) {
			c.remove(e)
		}
		e = next
	}
}

func (c *resultCache) bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}
