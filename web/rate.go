package web

import (
	"net/http"
	"strings"
	"time"

	"contactdesk/internal/ratelimit"
	"contactdesk/locale"
	"contactdesk/metrics"
)

// DefaultAddrRate is how many pages a minute one client may ask for (all
// at once, then one every 250 ms): a person opens a page and its style
// sheet, then answers; an office behind one NAT, a few of them a
// minute. What the rate stops is a client asking as fast as it can: every
// page but the style sheet reads the desk (a token's request and party,
// the desk's language), and every request writes an access line.
const DefaultAddrRate = 240

// styleRoute is the style sheet's route, as the mux names it.
const styleRoute = "GET /assets/style.css"

// NoLimit, given as Options.AddrRate, lets every client ask for pages
// as fast as it likes.
const NoLimit = -1

// refusedLogEvery is how often, at most, the log speaks of the pages of
// one client refused past its rate, while they go on.
var refusedLogEvery = time.Minute

// rated refuses a client past its rate of pages, or past the rate of
// the clients of its IPv6 /48 together, with a 429, before the page
// reads anything of the desk: the page says when to come back (and
// Retry-After), in the browser's language (or the one the desk's
// default was last read in). The first page refused of a run has its
// access line; those that follow are counted in a line a minute at
// most (ratelimit.Refusals). mux names, for the metrics, the route the
// page would have taken.
func (h *handler) rated(mux *http.ServeMux, next http.Handler) http.Handler {
	if h.pages == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := h.addr(r)
		client := ratelimit.AddrKey(addr)
		// The clients of one IPv6 /48 together, too: whoever holds one
		// holds 65,536 /64s, each a client of its own (a /56, a home's,
		// 256 of them), which asked for as many pages as so many
		// addresses. A page refused by either rate spends nothing of
		// the other (ratelimit.Both).
		var nets *ratelimit.Keyed
		net := ratelimit.NetKey(addr)
		if net != "" {
			nets = h.nets
		}
		refused, wait := ratelimit.Both(h.pages, client, nets, net, h.now())
		if refused == nil {
			next.ServeHTTP(w, r)
			return
		}
		say := "page.busy_client"
		if refused == nets {
			client, say = net, "page.busy_network"
		}
		_, pattern := mux.Handler(r)
		if pattern == styleRoute {
			// The style sheet reads nothing of the desk: served past the
			// rate too, so that the page saying when to come back (the
			// browser asks for the sheet right after it) keeps its look;
			// without an access line, as the pages refused after the
			// first have none.
			setQuiet(r)
			next.ServeHTTP(w, r)
			return
		}
		// Named by the route it would have taken, for the metrics and
		// the access line: /request/{id}, not the path, read before
		// anything checked it.
		if pattern != "" {
			metrics.SetRoute(r, pattern)
			if _, route, _ := strings.Cut(pattern, " "); route != "/" && route != "" {
				setRoute(r, strings.TrimSuffix(route, "{$}"))
			}
		}
		if !h.refusals.Refused(client, "client", client) {
			setQuiet(r)
		}
		l := h.knownVisitor(r)
		retryAfter(w, wait)
		h.render(w, r, http.StatusTooManyRequests, view{L: l, Title: l.T("page.busy_title"),
			Notice: &notice{Kind: "error", Text: l.T(say, locale.Args{"Wait": locale.Duration(roundUp(wait))})}})
	})
}

// roundUp is d in whole seconds, rounded up: what Retry-After says.
func roundUp(d time.Duration) time.Duration {
	return (d + time.Second - 1) / time.Second * time.Second
}

// knownVisitor is the visitor's language as far as it is known without
// asking the desk: the browser's, else the desk's default as last read.
func (h *handler) knownVisitor(r *http.Request) *locale.Localizer {
	if lang, ok := locale.FromAcceptLanguage(r.Header.Get("Accept-Language")); ok {
		return locale.For(lang)
	}
	if lang, ok := h.deskLang.Load().(locale.Lang); ok {
		return locale.For(lang)
	}
	return locale.For(locale.Default)
}
