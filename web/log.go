package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// AccessLog writes one line per request to log: the method, the route,
// the status, the size, the time taken and the client's address. The
// route is the page's own ("/request/8"), else the pattern the mux
// matched ("/1.0/"): never the address as it was asked for, and never
// its query string, which holds tokens; nor any part of a body.
func AccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		e := &logEntry{}
		r = r.WithContext(context.WithValue(r.Context(), logKey{}, e))
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := e.route
		if route == "" {
			route = r.Pattern
		}
		if route == "" || route == "/" {
			route = "-"
		}
		log.Info("http", "method", r.Method, "route", route, "status", rec.status, "bytes", rec.bytes,
			"ms", time.Since(start).Milliseconds(), "client", r.RemoteAddr)
	})
}

type logKey struct{}

type logEntry struct{ route string }

// setRoute names the route of r in its access line.
func setRoute(r *http.Request, route string) {
	if e, ok := r.Context().Value(logKey{}).(*logEntry); ok {
		e.route = route
	}
}

// recorder keeps the status and the size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(p)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// NewServer returns an HTTP server for h with the limits a public
// address needs: slow clients can't hold connections open (timeouts on
// headers, bodies, answers and idle connections), and headers are
// bounded. Its own complaints (a TLS handshake that failed…) go to log.
func NewServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
