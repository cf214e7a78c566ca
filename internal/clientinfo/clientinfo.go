// Package clientinfo is what the HTTP doors (the web page, the API,
// their metrics) say of a request's client in a log line, a metric's
// label or a throttle's key: the method it used and the address it
// came from, each from a fixed set or bounded — never the text the
// client sent as it sent it, which may be thousands of characters.
package clientinfo

import "net/http"

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
