package web

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// guesses counts the wrong tokens tried on the page, one token bucket
// (golang.org/x/time/rate) per key: a client's address, or a request.
// Only tokens that belong to no party are counted here; the model never
// sees them (see model.Desk.FindTokenHolder), so a stranger's guesses
// can't pause a party in the app or on the command line.
//
// Memory is bounded: a bucket that has filled up again is the same as a
// new one and is forgotten, and past max keys every new key shares one
// bucket — a flood of addresses then pauses only the newcomers, together.
type guesses struct {
	mu       sync.Mutex
	every    rate.Limit
	burst    int
	max      int
	now      func() time.Time
	buckets  map[string]*rate.Limiter
	overflow *rate.Limiter
	swept    time.Time
}

func newGuesses(burst int, every time.Duration, max int, now func() time.Time) *guesses {
	return &guesses{
		every: rate.Every(every), burst: burst, max: max, now: now,
		buckets: map[string]*rate.Limiter{}, overflow: rate.NewLimiter(rate.Every(every), burst),
	}
}

// bucket returns key's bucket, made when missing. g.mu is held.
func (g *guesses) bucket(key string, now time.Time) *rate.Limiter {
	if b, ok := g.buckets[key]; ok {
		return b
	}
	if len(g.buckets) >= g.max || now.Sub(g.swept) >= time.Minute {
		for k, b := range g.buckets {
			if b.TokensAt(now) >= float64(g.burst) {
				delete(g.buckets, k)
			}
		}
		g.swept = now
	}
	if len(g.buckets) >= g.max {
		return g.overflow
	}
	b := rate.NewLimiter(g.every, g.burst)
	g.buckets[key] = b
	return b
}

// left says how many wrong tokens key may still try now, and when the
// next try is allowed when none is.
func (g *guesses) left(key string) (int, time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	b, ok := g.buckets[key]
	if !ok {
		if len(g.buckets) < g.max {
			return g.burst, 0
		}
		b = g.overflow
	}
	return g.count(b, now)
}

// spend counts one wrong token for each key, and returns how many each
// may still try.
func (g *guesses) spend(key string) (int, time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	b := g.bucket(key, now)
	b.AllowN(now, 1)
	return g.count(b, now)
}

func (g *guesses) count(b *rate.Limiter, now time.Time) (int, time.Duration) {
	t := b.TokensAt(now)
	if t >= 1 {
		return int(math.Floor(t)), 0
	}
	// The wait until a whole token is back.
	return 0, time.Duration((1 - t) / float64(g.every) * float64(time.Second))
}

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

// clientKey is the key of a client's address: the IP, without the
// port; an IPv6 address by its /64, which one customer's line holds.
func clientKey(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = strings.Trim(remote, "[]")
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return "addr " + host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return "addr " + p.String()
	}
	return "addr " + ip.String()
}
