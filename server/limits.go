package server

import (
	"net"
	"sync"
	"time"
)

// rateLimit allows each remote address a number of new connections per
// window: a token bucket per address, refilled evenly over the window.
type rateLimit struct {
	mu     sync.Mutex
	burst  float64
	window time.Duration
	now    func() time.Time
	seen   map[string]*bucket
	swept  time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimit(perWindow int, window time.Duration) *rateLimit {
	return &rateLimit{burst: float64(perWindow), window: window, now: time.Now, seen: map[string]*bucket{}}
}

// allow takes one token from addr's bucket, if there is one.
func (r *rateLimit) allow(addr string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if now.Sub(r.swept) >= r.window {
		// A bucket untouched for a whole window is full again: forget it,
		// so the map holds only the addresses of the last window.
		for k, b := range r.seen {
			if now.Sub(b.at) >= r.window {
				delete(r.seen, k)
			}
		}
		r.swept = now
	}
	b, ok := r.seen[addr]
	if !ok {
		b = &bucket{tokens: r.burst, at: now}
		r.seen[addr] = b
	}
	b.tokens = min(r.burst, b.tokens+now.Sub(b.at).Seconds()*r.burst/r.window.Seconds())
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// host is the address a limit applies to: the IP, without the port.
func host(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	if a == nil {
		return "unknown"
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

func addr(a net.Addr) string {
	if a == nil {
		return "unknown"
	}
	return a.String()
}
