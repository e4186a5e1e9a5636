package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// apiError is the error envelope of the Google APIs, which their client
// libraries decode into googleapi.Error; every endpoint answers errors so.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    int            `json:"code"`
	Message string         `json:"message"`
	Errors  []apiErrorItem `json:"errors"`
	Status  string         `json:"status"`
}

type apiErrorItem struct {
	Message string `json:"message"`
	Domain  string `json:"domain"`
	Reason  string `json:"reason"`
}

// reasons and statuses as the Google APIs spell them, by HTTP status.
var errorKinds = map[int][2]string{
	http.StatusBadRequest:            {"invalid", "INVALID_ARGUMENT"},
	http.StatusUnauthorized:          {"authError", "UNAUTHENTICATED"},
	http.StatusForbidden:             {"forbidden", "PERMISSION_DENIED"},
	http.StatusNotFound:              {"notFound", "NOT_FOUND"},
	http.StatusMethodNotAllowed:      {"methodNotAllowed", "FAILED_PRECONDITION"},
	http.StatusRequestEntityTooLarge: {"requestTooLarge", "INVALID_ARGUMENT"},
	http.StatusRequestURITooLong:     {"requestTooLarge", "INVALID_ARGUMENT"},
	http.StatusServiceUnavailable:    {"backendError", "UNAVAILABLE"},
	http.StatusGatewayTimeout:        {"backendError", "DEADLINE_EXCEEDED"},
	http.StatusInternalServerError:   {"internalError", "INTERNAL"},
}

// writeError answers code with msg in the envelope. msg must hold no
// secret: it goes to the client as it is.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	kind, ok := errorKinds[code]
	if !ok {
		kind = [2]string{"error", "UNKNOWN"}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(apiError{Error: apiErrorBody{
		Code: code, Message: msg, Status: kind[1],
		Errors: []apiErrorItem{{Message: msg, Domain: "global", Reason: kind[0]}},
	}})
	body := buf.Bytes()
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Disposition")
	switch code {
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Bearer realm="usagerep"`)
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	}
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = s.writeBody(w, body)
	}
}

// retryAfterSeconds is what a client told "busy" should wait.
const retryAfterSeconds = 5
