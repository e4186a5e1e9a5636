package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// access is what a route asks of the caller.
type access int

const (
	public      access = iota // no token (liveness)
	anyToken                  // any known token (readiness, metrics)
	reportToken               // role Administrator and permission server_management:read
)

// route is one endpoint: its path, who may call it, the query parameters
// it takes (any other is a 400), those of them that may repeat, and its
// handler.
type route struct {
	path   string
	name   string
	access access
	params []string
	repeat []string
	handle http.HandlerFunc
}

// endpoints lists the API, in one place. A report is one line here and
// one small handler that builds a key and a computeFunc for answer.
func (s *Server) endpoints() []route {
	r := []route{
		{path: "/healthz", name: "healthz", access: public, handle: s.healthz},
		{path: "/readyz", name: "readyz", access: anyToken, handle: s.readyz},
		{path: "/metrics", name: "metrics", access: anyToken, handle: s.metrics.handler().ServeHTTP},
		{path: "/export/usage-reports", name: "usage-reports", access: reportToken, params: []string{"period", "as_of", "tz"}, handle: s.usageReports},
		{path: "/export/access", name: "access", access: reportToken, params: accessParams, handle: s.accessReport},
		{path: usersPath, name: "users", access: reportToken, params: usersParams, handle: s.userUsage},
	}
	r = append(r, s.analyticsRoutes()...)
	return append(r, s.cfg.extra...)
}

// routes builds the handler: every route behind the method, body, token
// and query checks, and all of it behind the access log and metrics.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.endpoints() {
		mux.Handle(rt.path, s.guard(rt))
	}
	// Anything else, traversal attempts included, is a 404 once the
	// caller is known: no path ever reaches the file system.
	mux.Handle("/", s.guard(route{name: "other", access: anyToken, handle: func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, http.StatusNotFound, "no such endpoint")
	}}))
	return s.logged(mux)
}

// Request limits beyond the server's header limit.
const (
	maxURIBytes   = 4 << 10
	maxParamBytes = 512
)

func (s *Server) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := requestInfoFrom(r.Context())
		info.route = rt.name
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			s.writeError(w, r, http.StatusMethodNotAllowed, "only GET and HEAD are served")
			return
		}
		// No endpoint takes a body; one is refused unread.
		if r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
			w.Header().Set("Connection", "close")
			s.writeError(w, r, http.StatusRequestEntityTooLarge, "a request body is not accepted")
			return
		}
		if rt.access != public {
			tok := s.authenticate(r)
			if tok == nil {
				s.writeError(w, r, http.StatusUnauthorized, "a valid bearer token is required (Authorization: Bearer <token>)")
				return
			}
			info.token = tok.name
			if rt.access == reportToken {
				if miss := tok.missing(RoleAdministrator, PermServerManagementRead); miss != "" {
					s.writeError(w, r, http.StatusForbidden, "token "+strconv.Quote(tok.name)+" lacks "+miss)
					return
				}
			}
		}
		if msg := checkQuery(r.URL.RawQuery, rt.params, rt.repeat); msg != "" {
			s.writeError(w, r, http.StatusBadRequest, msg)
			return
		}
		rt.handle(w, r)
	})
}

// checkQuery accepts only the given parameters, each at most once unless
// it may repeat, and of bounded length; it returns what is wrong, or "".
func checkQuery(raw string, allowed, repeat []string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "the query string is not valid URL encoding"
	}
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if !slices.Contains(allowed, k) {
			if len(allowed) == 0 {
				return "this endpoint takes no query parameters"
			}
			return "unknown query parameter " + strconv.QuoteToASCII(truncate(k, 64)) + " (known: " + strings.Join(allowed, ", ") + ")"
		}
		if len(q[k]) > 1 && !slices.Contains(repeat, k) {
			return "query parameter " + k + " given more than once"
		}
		for _, v := range q[k] {
			if len(v) > maxParamBytes {
				return "query parameter " + k + " is too long"
			}
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	s.writeText(w, r, http.StatusOK, "ok\n")
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		s.writeError(w, r, http.StatusServiceUnavailable, "the inputs are still being read")
		return
	}
	s.writeText(w, r, http.StatusOK, "ready\n")
}

func (s *Server) writeText(w http.ResponseWriter, r *http.Request, code int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(text)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = s.writeBody(w, []byte(text))
	}
}

// requestInfo is what the guard learns for the access log.
type requestInfo struct {
	route string
	token string // the token's name, never the token
}

type infoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

// logged writes one access-log line per request and counts it. The line
// has the path without the query and the token's name; the Authorization
// header is never looked at here.
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{route: "other"}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		s.metrics.inFlight.Inc()
		defer s.metrics.inFlight.Dec()
		if len(r.RequestURI) > maxURIBytes {
			s.writeError(rec, r, http.StatusRequestURITooLong, "the request URI is too long")
		} else {
			next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
		}
		d := time.Since(start)
		s.metrics.requests.WithLabelValues(info.route, strconv.Itoa(rec.status)).Inc()
		s.metrics.duration.WithLabelValues(info.route).Observe(d.Seconds())
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", redactPath(r.URL.Path)),
			slog.String("route", info.route),
			slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes),
			slog.Float64("duration_ms", float64(d.Microseconds())/1000),
			slog.String("remote", r.RemoteAddr),
			slog.String("token", info.token),
		)
	})
}

// recorder notes the status and body bytes of a response. Unwrap lets
// http.ResponseController reach the connection's write deadline.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
