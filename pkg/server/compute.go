package server

import (
	"cmp"
	"container/list"
	"context"
	"errors"
	"fmt"
	"net/http"
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
// same key already running, or by starting one.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, report, key string, compute computeFunc) {
	in := s.inputs.Load()
	key = key + "#" + in.fingerprint
	res, how, err := s.lookup(r.Context(), report, key, in, compute)
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
	if err := s.writeBody(w, res.body); err != nil {
		s.log.Debug("client stopped reading", "path", redactPath(r.URL.Path), "err", err.Error())
	}
}

// lookup returns the result for key and how it was got: cached, shared
// or computed.
func (s *Server) lookup(ctx context.Context, report, key string, in *inputState, compute computeFunc) (*result, string, error) {
	if res := s.cache.get(key); res != nil {
		return res, "cached", nil
	}
	res, shared, err := s.flights.do(ctx, key, func() (*result, error) {
		// The computation does not hang on the request that started it:
		// others may be waiting for it, and its result is cached.
		if err := s.acquire(); err != nil {
			return nil, err
		}
		defer func() { <-s.sem }()
		cctx, cancel := context.WithTimeout(context.Background(), s.to.Compute)
		defer cancel()
		start := time.Now()
		res, err := compute(cctx, in)
		s.metrics.computeSeconds.WithLabelValues(report).Observe(time.Since(start).Seconds())
		if err != nil {
			if cctx.Err() != nil {
				return nil, errTimeout
			}
			return nil, err
		}
		// Only a result of the inputs as they still are is kept.
		if s.inputs.Load().fingerprint == in.fingerprint {
			s.cache.put(key, res)
		}
		return res, nil
	})
	how := "computed"
	if shared {
		how = "shared"
	}
	return res, how, err
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

// writeBody writes b in chunks, each under its own write deadline.
func (s *Server) writeBody(w http.ResponseWriter, b []byte) error {
	rc := http.NewResponseController(w)
	for len(b) > 0 {
		n := min(len(b), writeChunk)
		// Not every ResponseWriter has deadlines (httptest's recorder);
		// the server's do.
		_ = rc.SetWriteDeadline(time.Now().Add(s.to.Write))
		if _, err := w.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// flightGroup runs one computation per key at a time and hands its result
// to every caller that asked meanwhile.
type flightGroup struct {
	mu    sync.Mutex
	calls map[string]*flight
}

type flight struct {
	done chan struct{}
	res  *result
	err  error
}

// do returns fn's result for key; shared tells whether another caller's
// computation gave it. A caller whose ctx ends stops waiting; the
// computation goes on for the others.
func (g *flightGroup) do(ctx context.Context, key string, fn func() (*result, error)) (res *result, shared bool, err error) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[string]*flight{}
	}
	f, shared := g.calls[key]
	if !shared {
		f = &flight{done: make(chan struct{})}
		g.calls[key] = f
		go func() {
			defer func() {
				// A bug in one report must not take the server down.
				if p := recover(); p != nil {
					f.res, f.err = nil, fmt.Errorf("report failed: %v", p)
				}
				g.mu.Lock()
				delete(g.calls, key)
				g.mu.Unlock()
				close(f.done)
			}()
			f.res, f.err = fn()
		}()
	}
	g.mu.Unlock()
	select {
	case <-f.done:
		return f.res, shared, f.err
	case <-ctx.Done():
		return nil, shared, ctx.Err()
	}
}

// resultCache keeps finished results up to a total size, dropping the
// least recently used first.
type resultCache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	order *list.List // of *cacheEntry, most recent first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	key string
	res *result
}

func newResultCache(maxBytes int64) *resultCache {
	return &resultCache{max: maxBytes, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *resultCache) get(key string) *result {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).res
}

func (c *resultCache) put(key string, res *result) {
	n := int64(len(res.body))
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > c.max {
		return
	}
	if _, ok := c.byKey[key]; ok {
		return
	}
	c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, res: res})
	c.size += n
	for c.size > c.max {
		c.remove(c.order.Back())
	}
}

func (c *resultCache) remove(e *list.Element) {
	ce := e.Value.(*cacheEntry)
	c.order.Remove(e)
	delete(c.byKey, ce.key)
	c.size -= int64(len(ce.res.body))
}

// dropExcept removes every result not of the inputs with fingerprint fp.
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
