// Package clientinfo is what the HTTP doors (the web page, the API,
// their metrics) say of a request's client in a log line, a metric's
// label or a throttle's key: the method it used and the address it
// came from, each from a fixed set or bounded — never the text the
// client sent as it sent it, which may be thousands of characters.
package clientinfo

import (
	"net/http"
	"net/netip"
	"strings"
)

// Method is a request's method when it is one of HTTP's, else "OTHER":
// a client chooses the method (a token of any length: one of 15,000
// characters, sent 10,000 times in 5 s, wrote 154 MiB of access log),
// and neither a log line nor a label must be its to fill.
func Method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// Remote is the address of the connection a request came on
// (RemoteAddr): the client's, when nothing stands between them.
func Remote(r *http.Request) string { return r.RemoteAddr }

// FromHeader says which client a request comes from behind a reverse
// proxy that names the client in the header name: X-Real-IP, or
// X-Forwarded-For, of which the last address is the one the proxy saw.
// Without the header, or with a header that holds no address, it is
// the connection's address. The address is written anew, without an
// IPv6 zone ("fe80::1%" and 10,000 characters is an address to
// net/netip), so that what it returns is always short. Only a proxy
// that sets the header itself may stand in front: anyone else could
// write any address there. Both HTTP doors take their clients from one
// such function, so that the page's throttle, the API's rates and both
// their log lines count the same client.
func FromHeader(name string) func(*http.Request) string {
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
		// with a port first: "[fe80::1%zone]:80" is an address too, of
		// zone "zone]:80"
		if ap, err := netip.ParseAddrPort(last); err == nil {
			return netip.AddrPortFrom(ap.Addr().WithZone(""), ap.Port()).String()
		}
		if ip, err := netip.ParseAddr(strings.Trim(last, "[]")); err == nil {
			return ip.WithZone("").String()
		}
		return r.RemoteAddr
	}
}
