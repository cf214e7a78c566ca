package web

import (
	"net/http"
	"net/netip"
	"strings"
)

// HeaderClientAddr returns a ClientAddr (see Options) for a page behind
// a reverse proxy, which names the client in the header name: X-Real-IP,
// or X-Forwarded-For, of which the last address is the one the proxy
// saw. Without the header, or with a header that holds no address, the
// connection's address is used. Only a proxy that sets the header itself
// may stand in front: anyone else could write any address there.
func HeaderClientAddr(name string) func(*http.Request) string {
	return func(r *http.Request) string {
		v := r.Header.Values(name)
		if len(v) == 0 {
			return r.RemoteAddr
		}
		last := v[len(v)-1]
		if i := strings.LastIndexByte(last, ','); i >= 0 {
			last = last[i+1:]
		}
		last = strings.TrimSpace(last)
		if _, err := netip.ParseAddr(strings.Trim(last, "[]")); err != nil {
			if _, err := netip.ParseAddrPort(last); err != nil {
				return r.RemoteAddr
			}
		}
		return last
	}
}
