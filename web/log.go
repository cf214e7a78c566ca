package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/felixge/httpsnoop"

	"contactdesk/internal/clientinfo"
)

// AccessLog writes one line per request to log: the method, the route,
// the status, the size, the time taken and the client's address (as
// the page's Options.ClientAddr says it, when next is the page). The
// route is the page's own ("/request/8"), else the pattern the mux
// matched ("/1.0/"): never the address as it was asked for, and never
// its query string, which holds tokens; nor any part of a body. A
// method that is none of HTTP's is written OTHER: the client chose it,
// of any length.
func AccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		e := &logEntry{}
		r = r.WithContext(context.WithValue(r.Context(), logKey{}, e))
		// httpsnoop wraps w keeping every interface it has (Flusher,
		// Hijacker, ReaderFrom…), which a hand-made wrapper would hide.
		got := httpsnoop.CaptureMetrics(next, w, r)
		if e.quiet {
			return
		}
		route := e.route
		if route == "" {
			route = r.Pattern
		}
		if route == "" || route == "/" {
			route = "-"
		}
		client := e.client
		if client == "" {
			client = r.RemoteAddr
		}
		log.Info("http", "method", clientinfo.Method(r.Method), "route", route, "status", got.Code, "bytes", got.Written,
			"ms", time.Since(start).Milliseconds(), "client", client)
	})
}

type logKey struct{}

type logEntry struct {
	route, client string
	quiet         bool // no line: one of a run refused past the rate, counted
}

// setClient names the client of r in its access line: the one the page
// counts (Options.ClientAddr), which behind a reverse proxy is the
// address its header names, not the proxy's.
func setClient(r *http.Request, client string) {
	if e, ok := r.Context().Value(logKey{}).(*logEntry); ok {
		e.client = client
	}
}

// setQuiet keeps r out of the access log: a page refused past the
// client's rate, not the first of its run (ratelimit.Refusals counts
// them).
func setQuiet(r *http.Request) {
	if e, ok := r.Context().Value(logKey{}).(*logEntry); ok {
		e.quiet = true
	}
}

// setRoute names the route of r in its access line.
func setRoute(r *http.Request, route string) {
	if e, ok := r.Context().Value(logKey{}).(*logEntry); ok {
		e.route = route
	}
}

// NewServer returns an HTTP server for h with the limits a public
// address needs: slow clients can't hold connections open (timeouts on
// headers, bodies, answers and idle connections), and headers are
// bounded. Its own complaints (a TLS handshake that failed…) go to log.
// A quick client can still hold connections, sending a request on each
// before it is idle for long: serve it on a LimitConns listener.
func NewServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		// An idle keep-alive connection holds a descriptor and a
		// goroutine for nothing; a browser that comes back after a
		// minute opens another (they keep theirs 1 to 5 minutes).
		IdleTimeout:    time.Minute,
		MaxHeaderBytes: 16 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
