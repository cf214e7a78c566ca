// Package ratelimit keeps a token bucket (golang.org/x/time/rate) per
// key — a client's address, an API key, a request — in bounded memory,
// for the doors that must not let one client take the desk: the SSH
// server's new connections, the HTTP API's calls, the web page's wrong
// tokens.
package ratelimit

import (
	"math"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxKeys bounds a Keyed's memory: a bucket is about 100 bytes,
// so 100,000 keys are about 10 MB.
const DefaultMaxKeys = 100_000

// Keyed holds a bucket of burst tokens per key, refilled one every
// interval. A bucket that has filled up again is the same as a new one
// and is forgotten (at most once a minute, or when the map is full), and
// past the bound every new key shares one overflow bucket: a flood of
// keys then slows only the newcomers, together, and never lets anyone
// past its own bucket. A nil *Keyed allows everything.
type Keyed struct {
	mu       sync.Mutex
	every    rate.Limit
	burst    int
	max      int
	buckets  map[string]*rate.Limiter
	overflow *rate.Limiter
	swept    time.Time
}

// New allows each key burst tokens at once, then one every interval;
// maxKeys bounds the keys remembered (DefaultMaxKeys when not positive).
func New(burst int, interval time.Duration, maxKeys int) *Keyed {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	every := rate.Every(interval)
	return &Keyed{every: every, burst: burst, max: maxKeys,
		buckets: map[string]*rate.Limiter{}, overflow: rate.NewLimiter(every, burst)}
}

// PerMinute allows each key n at once, then n a minute, spread evenly;
// nil (no limit) when n is not positive.
func PerMinute(n, maxKeys int) *Keyed {
	if n <= 0 {
		return nil
	}
	return New(n, time.Minute/time.Duration(n), maxKeys)
}

// Allow takes a token from key's bucket when it holds one; otherwise it
// takes nothing and says how long until one is there.
func (k *Keyed) Allow(key string, now time.Time) (bool, time.Duration) {
	if k == nil {
		return true, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	r := k.bucket(key, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Left says how many tokens key's bucket holds now, and, when none, how
// long until one is there; it takes nothing. A key without a bucket of
// its own has its whole burst, even past the bound: the overflow bucket
// is spent by newcomers together, and must not pause one before it is
// seen to do anything (a flood of keys would otherwise pause everyone
// new, the honest too).
func (k *Keyed) Left(key string, now time.Time) (int, time.Duration) {
	if k == nil {
		return math.MaxInt, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	b, ok := k.buckets[key]
	if !ok {
		return k.burst, 0
	}
	return k.count(b, now)
}

// Spend takes a token from key's bucket if it holds one, and returns
// what Left would then.
func (k *Keyed) Spend(key string, now time.Time) (int, time.Duration) {
	if k == nil {
		return math.MaxInt, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	b := k.bucket(key, now)
	b.AllowN(now, 1)
	return k.count(b, now)
}

// Keys says how many keys have a bucket of their own.
func (k *Keyed) Keys() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

// bucket returns key's bucket, made when missing. k.mu is held.
func (k *Keyed) bucket(key string, now time.Time) *rate.Limiter {
	if b, ok := k.buckets[key]; ok {
		return b
	}
	if len(k.buckets) >= k.max || now.Sub(k.swept) >= time.Minute {
		for key, b := range k.buckets {
			if b.TokensAt(now) >= float64(k.burst) {
				delete(k.buckets, key)
			}
		}
		k.swept = now
	}
	if len(k.buckets) >= k.max {
		return k.overflow
	}
	b := rate.NewLimiter(k.every, k.burst)
	k.buckets[key] = b
	return b
}

func (k *Keyed) count(b *rate.Limiter, now time.Time) (int, time.Duration) {
	t := b.TokensAt(now)
	if t >= 1 {
		return int(math.Floor(t)), 0
	}
	return 0, time.Duration((1 - t) / float64(k.every) * float64(time.Second))
}

// AddrKey is the key of a client's address ("192.0.2.7:5555",
// "[2001:db8::1]:443", or an address alone): the IP without its port,
// an IPv4-mapped one as IPv4, and an IPv6 one by its /64, which is what
// one customer's network is given (a key per address would let one
// network take 2⁶⁴ buckets). What is not an address is kept as it is.
func AddrKey(hostport string) string {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.Trim(hostport, "[]")
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
