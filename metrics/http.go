package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/felixge/httpsnoop"

	"contactdesk/internal/clientinfo"
)

// HTTP counts and times the requests of one HTTP door ("web" or "api"),
// by route and status class. The route is the pattern of the
// http.ServeMux that served the request, when next is one (or passes the
// request it was given to one), or what SetRoute was told; else the
// request's method alone: never the path, which may hold an id or a
// token.
func (m *Metrics) HTTP(door string, next http.Handler) http.Handler {
	door = oneOf(door, doors)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rt := &route{}
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, rt))
		// httpsnoop wraps w keeping every interface it has (Flusher,
		// Hijacker, ReaderFrom…), which a hand-made wrapper would hide.
		got := httpsnoop.CaptureMetrics(next, w, r)
		name := rt.pattern
		if name == "" {
			name = r.Pattern // set here by a ServeMux given this very request
		}
		if name == "" {
			name = clientinfo.Method(r.Method)
		}
		m.httpRequests.WithLabelValues(door, name, statusClass(got.Code)).Inc()
		m.httpSeconds.WithLabelValues(door, name).Observe(time.Since(start).Seconds())
	})
}

// SetRoute names the route of a request HTTP counts, for a handler that
// routes by itself or hands the request on in a context of its own
// (where HTTP can't see the mux's pattern). pattern must be one of a
// fixed set written in the code, such as "GET /request/{id}": never the
// path itself.
func SetRoute(r *http.Request, pattern string) {
	if rt, ok := r.Context().Value(routeKey{}).(*route); ok {
		rt.pattern = pattern
	}
}

type routeKey struct{}

type route struct{ pattern string }

func statusClass(code int) string {
	if code == 0 {
		code = http.StatusOK // nothing written: net/http sends 200
	}
	if code < 100 || code > 599 {
		return "other"
	}
	return strconv.Itoa(code/100) + "xx"
}
