package api

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter allows each key (an application key, a client's address) a
// number of calls a minute: a token bucket each (golang.org/x/time/rate),
// full at first, then refilled evenly. Its memory is bounded: buckets
// full again are forgotten once a minute, and past maxBuckets an
// arbitrary one is dropped to make room (which can only let its owner
// in sooner, never lock anyone out).
type limiter struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	max   int
	seen  map[string]*rate.Limiter
	swept time.Time
}

// maxBuckets bounds each limiter's memory: a bucket is about 100 bytes.
const maxBuckets = 100_000

// newLimiter allows perMinute calls a minute per key; nil, which allows
// everything, when perMinute is not positive.
func newLimiter(perMinute int) *limiter {
	if perMinute <= 0 {
		return nil
	}
	return &limiter{
		every: rate.Limit(float64(perMinute) / time.Minute.Seconds()),
		burst: perMinute,
		max:   maxBuckets,
		seen:  map[string]*rate.Limiter{},
	}
}

// allow takes a call from key's bucket, or says how long until it
// holds one.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= time.Minute {
		for k, b := range l.seen {
			if b.TokensAt(now) >= float64(l.burst) {
				delete(l.seen, k)
			}
		}
		l.swept = now
	}
	b, ok := l.seen[key]
	if !ok {
		for k := range l.seen {
			if len(l.seen) < l.max {
				break
			}
			delete(l.seen, k)
		}
		b = rate.NewLimiter(l.every, l.burst)
		l.seen[key] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// addrKey is the bucket of a client's address: IPv6 clients get a /64
// each, which is what one customer's network is given (a bucket per
// address would let one network take 2⁶⁴ buckets).
func addrKey(hostport string) string {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.Prefix(64)
	return p.String()
}
