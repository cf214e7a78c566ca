// Package ratelimit keeps a token bucket (golang.org/x/time/rate) per
// key — a client's address, an API key, a request — in bounded memory,
// for the doors that must not let one client take the desk: the SSH
// server's new connections, the HTTP API's calls, the web page's wrong
// tokens; and for the model's own bound, in one process, on the requests
// of an account that name a new contact amiss (model.MaxNamedAmiss).
package ratelimit

import (
	"container/list"
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
// and is forgotten (looked for once a minute);
// past the bound, the bucket used least recently makes room for the
// newcomer's. Every key has a bucket of its own, so that a flood of keys
// never slows an honest newcomer (a bucket shared by the newcomers, as
// this was before, ran dry under the flood and paused them all); a key
// the flood pushed out starts again with a full bucket, as a new key
// does — the flood's own keys are as many new keys. A nil *Keyed allows
// everything.
type Keyed struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	max   int
	// buckets by key, and their keys from the most recently used
	// (front) to the least (back)
	buckets map[string]*list.Element
	lru     *list.List
	swept   time.Time
	// held counts, per key, the tokens reserved (Reserve) by tries
	// whose outcome is not known yet: only tries under way, so few
	held map[string]int
}

// entry is a key's bucket, in the list of the most recently used.
type entry struct {
	key string
	b   *rate.Limiter
}

// New allows each key burst tokens at once, then one every interval;
// maxKeys bounds the keys remembered (DefaultMaxKeys when not positive).
func New(burst int, interval time.Duration, maxKeys int) *Keyed {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &Keyed{every: rate.Every(interval), burst: burst, max: maxKeys,
		buckets: map[string]*list.Element{}, lru: list.New(), held: map[string]int{}}
}

// PerMinute allows each key n at once, then n a minute, spread evenly;
// nil (no limit) when n is not positive.
func PerMinute(n, maxKeys int) *Keyed {
	if n <= 0 {
		return nil
	}
	return New(n, time.Minute/time.Duration(n), maxKeys)
}

// Allow takes a token from key's bucket when it holds one beyond those
// tries under way keep (Reserve); otherwise it takes nothing and says
// how long until one is there.
func (k *Keyed) Allow(key string, now time.Time) (bool, time.Duration) {
	if k == nil {
		return true, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	// a token Both keeps while it asks its other bucket is not this
	// try's to take
	if n, wait := k.left(key, now); n == 0 {
		return false, wait
	}
	k.bucket(key, now).AllowN(now, 1)
	return true, 0
}

// Both takes a token from a's bucket for akey and one from b's for
// bkey when both hold one, and otherwise takes neither: refused says
// which refused (a, b, or nil when both allowed), and wait how long
// until it holds a token. a is asked first, and when both would refuse
// it is the one named. A nil *Keyed allows everything: give nil for a
// key there is none of. Taken one after the other, a try that b
// refused had spent a's token already: a user whose /48 was full (some
// other network of it flooding) spent their own address's allowance
// with every try, and stayed refused once the /48 was not. a's token is
// reserved (Reserve) while b is asked, so that tries at once never
// take more than a allows.
func Both(a *Keyed, akey string, b *Keyed, bkey string, now time.Time) (refused *Keyed, wait time.Duration) {
	r, wait := a.Reserve(akey, now)
	if r == nil {
		return a, wait
	}
	if ok, wait := b.Allow(bkey, now); !ok {
		r.Cancel()
		return b, wait
	}
	r.Spend(now)
	return nil, 0
}

// Left says how many tokens key's bucket holds now, those reserved
// (Reserve) taken out, and, when none, how long until one is there; it
// takes nothing. A key without a bucket has its whole burst: its
// bucket, once made, is full.
func (k *Keyed) Left(key string, now time.Time) (int, time.Duration) {
	if k == nil {
		return math.MaxInt, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.left(key, now)
}

// left is Left; k.mu is held.
func (k *Keyed) left(key string, now time.Time) (int, time.Duration) {
	e, ok := k.buckets[key]
	if !ok {
		return k.free(float64(k.burst), key) // a new bucket would be full
	}
	// a key asked about is in use: one that keeps trying while paused
	// must not drift to the back and be forgotten with its pause
	k.lru.MoveToFront(e)
	return k.free(e.Value.(*entry).b.TokensAt(now), key)
}

// Spend takes a token from key's bucket if it holds one, and returns
// what Left would then.
func (k *Keyed) Spend(key string, now time.Time) (int, time.Duration) {
	if k == nil {
		return math.MaxInt, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.bucket(key, now).AllowN(now, 1)
	return k.left(key, now)
}

// Reserve keeps one of key's tokens for a try whose outcome is not
// known yet — a token looked up, which may be right — when one is left
// beyond those other tries keep; otherwise it keeps nothing, returns
// nil and says how long until one is there. The try then ends with the
// reservation's Spend (it counts) or Cancel (it does not). Looking
// (Left), then trying, then spending let every try sent at once pass
// the look: 64 wrong tokens sent at once from one address got 11 to 13
// tries where 10 were allowed. Reserved first, N tries at once never
// pass the allowance.
func (k *Keyed) Reserve(key string, now time.Time) (*Reservation, time.Duration) {
	if k == nil {
		return &Reservation{}, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if n, wait := k.left(key, now); n == 0 {
		return nil, wait
	}
	k.held[key]++
	return &Reservation{k: k, key: key}, 0
}

// Reservation is a token Reserve keeps for one try.
type Reservation struct {
	k    *Keyed
	key  string
	done bool
}

// Spend ends the try as one that counts: the token is taken from the
// key's bucket. It returns what Left then says.
func (r *Reservation) Spend(now time.Time) (int, time.Duration) {
	if r.k == nil {
		return math.MaxInt, 0
	}
	r.k.mu.Lock()
	defer r.k.mu.Unlock()
	if !r.done {
		r.release()
		r.k.bucket(r.key, now).AllowN(now, 1)
	}
	return r.k.left(r.key, now)
}

// Cancel ends the try as one that does not count: the token is the
// key's again. After Spend it does nothing, so that it may be deferred.
func (r *Reservation) Cancel() {
	if r.k == nil {
		return
	}
	r.k.mu.Lock()
	defer r.k.mu.Unlock()
	if !r.done {
		r.release()
	}
}

// release gives up the reservation; r.k.mu is held.
func (r *Reservation) release() {
	r.done = true
	if r.k.held[r.key]--; r.k.held[r.key] <= 0 {
		delete(r.k.held, r.key)
	}
}

// Keys says how many keys have a bucket of their own.
func (k *Keyed) Keys() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

// bucket returns key's bucket, made when missing, and marks it the
// most recently used. k.mu is held.
func (k *Keyed) bucket(key string, now time.Time) *rate.Limiter {
	if e, ok := k.buckets[key]; ok {
		k.lru.MoveToFront(e)
		return e.Value.(*entry).b
	}
	// full buckets are forgotten once a minute, not at every newcomer
	// once the map is full: with none to forget, that scan of the whole
	// map, under the lock, was the cost of every newcomer of a flood
	if now.Sub(k.swept) >= time.Minute {
		for key, e := range k.buckets {
			if e.Value.(*entry).b.TokensAt(now) >= float64(k.burst) {
				k.lru.Remove(e)
				delete(k.buckets, key)
			}
		}
		k.swept = now
	}
	if len(k.buckets) >= k.max {
		old := k.lru.Back()
		k.lru.Remove(old)
		delete(k.buckets, old.Value.(*entry).key)
	}
	b := rate.NewLimiter(k.every, k.burst)
	k.buckets[key] = k.lru.PushFront(&entry{key: key, b: b})
	return b
}

// free says how many of tokens are left once those key's tries keep
// (Reserve) are taken out, and, when none, how long until one is there.
// k.mu is held.
func (k *Keyed) free(tokens float64, key string) (int, time.Duration) {
	held := k.held[key]
	t := tokens - float64(held)
	if t >= 1 {
		return int(math.Floor(t)), 0
	}
	if held >= k.burst {
		// tries under way keep the whole burst: the bucket never holds
		// one more, but one of them ends soon; a token's time is what
		// can be said
		return 0, time.Duration(float64(time.Second) / float64(k.every))
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

// NetKey is the key of the network a client's IPv6 address is in: its
// /48, what one site is given, and a customer holds 65,536 /64s of (each
// an AddrKey of its own). For an IPv4 address, or what is not an
// address, it is "": IPv4 is counted by address (AddrKey).
func NetKey(hostport string) string {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.Trim(hostport, "[]")
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	if ip = ip.Unmap(); ip.Is4() {
		return ""
	}
	p, _ := ip.Prefix(48)
	return p.String()
}
