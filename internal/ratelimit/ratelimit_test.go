package ratelimit

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestAllow(t *testing.T) {
	l := PerMinute(6, 0) // one every 10 s, 6 at once
	for i := range 6 {
		if ok, _ := l.Allow("k", now); !ok {
			t.Fatalf("call %d of 6 refused", i+1)
		}
	}
	ok, wait := l.Allow("k", now)
	if ok || wait <= 9*time.Second || wait > 10*time.Second {
		t.Fatalf("a 7th call: %v, wait %v; want refused, about 10 s", ok, wait)
	}
	if ok, _ := l.Allow("other", now); !ok {
		t.Fatal("another key was refused")
	}
	// A refused call takes nothing: the next one is due as promised.
	if ok, _ := l.Allow("k", now.Add(wait)); !ok {
		t.Fatal("refused after the wait it said")
	}
	// Full buckets are forgotten once a minute.
	later := now.Add(2 * time.Minute)
	l.Allow("new", later)
	if l.Keys() != 1 {
		t.Fatalf("%d buckets after a quiet minute, want 1", l.Keys())
	}
	var none *Keyed
	if ok, _ := none.Allow("k", now); !ok || PerMinute(0, 0) != nil {
		t.Fatal("no limit refused")
	}
}

func TestBounded(t *testing.T) {
	l := New(2, time.Minute, 10)
	for i := range 1000 {
		l.Allow(fmt.Sprint(i), now)
	}
	if l.Keys() > 10 {
		t.Fatalf("%d buckets, bounded by 10", l.Keys())
	}
	// Past the bound every newcomer has a bucket of its own: a flood of
	// new keys does not slow an honest one.
	if ok, _ := l.Allow("late", now); !ok {
		t.Fatal("a flood of new keys slowed a newcomer")
	}
	// A key spent out keeps its bucket while it is among the most
	// recently used, the flood going on.
	l.Allow("hot", now)
	l.Allow("hot", now)
	for i := range 9 {
		l.Allow(fmt.Sprint("more", i), now)
	}
	if ok, _ := l.Allow("hot", now); ok {
		t.Fatal("a key spent out was let through, past the bound")
	}
}

func TestLeftAndSpend(t *testing.T) {
	l := New(3, time.Minute, 0)
	if n, _ := l.Left("k", now); n != 3 {
		t.Fatalf("left %d, want 3", n)
	}
	for want := 2; want >= 0; want-- {
		if n, _ := l.Spend("k", now); n != want {
			t.Fatalf("after a spend, left %d, want %d", n, want)
		}
	}
	n, wait := l.Spend("k", now)
	if n != 0 || wait != time.Minute {
		t.Fatalf("spent out: %d left, wait %v; want 0, 1m", n, wait)
	}
	if n, _ := l.Left("k", now.Add(time.Minute)); n != 1 {
		t.Fatalf("a minute later, left %d, want 1", n)
	}
}

// TestReserve: tries under way each keep a token, so that N of them at
// once never pass the burst; a try that does not count gives its token
// back, one that counts takes it from the bucket.
func TestReserve(t *testing.T) {
	l := New(3, time.Minute, 0)
	var kept []*Reservation
	for i := range 3 {
		r, _ := l.Reserve("k", now)
		if r == nil {
			t.Fatalf("reservation %d of 3 refused", i+1)
		}
		kept = append(kept, r)
	}
	if r, wait := l.Reserve("k", now); r != nil || wait <= 0 {
		t.Fatalf("a 4th try under way with 3 allowed: %v, wait %v", r, wait)
	}
	if n, _ := l.Left("k", now); n != 0 {
		t.Fatalf("3 tries under way leave %d, want 0", n)
	}
	if r, _ := l.Reserve("other", now); r == nil {
		t.Fatal("another key was refused")
	}
	kept[0].Cancel()
	kept[0].Cancel() // once is all
	if n, _ := l.Left("k", now); n != 1 {
		t.Fatalf("a try that did not count gave back %d, want 1", n)
	}
	if n, _ := kept[1].Spend(now); n != 1 {
		t.Fatalf("a try that counted: %d left, want 1", n)
	}
	kept[1].Cancel() // after Spend, nothing
	if n, _ := l.Left("k", now); n != 1 {
		t.Fatalf("Cancel after Spend gave a token back: %d left, want 1", n)
	}
	kept[2].Spend(now)
	if n, wait := l.Left("k", now); n != 1 || wait != 0 {
		t.Fatalf("2 spent of 3: %d left, wait %v", n, wait)
	}
	r, _ := l.Reserve("k", now)
	if n, wait := r.Spend(now); n != 0 || wait != time.Minute {
		t.Fatalf("spent out: %d left, wait %v; want 0, 1m", n, wait)
	}
	// Many at once: never more than the burst.
	l = New(10, time.Minute, 0)
	var got atomic.Int32
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			if r, _ := l.Reserve("k", now); r != nil {
				got.Add(1)
				r.Spend(now)
			}
		})
	}
	wg.Wait()
	if got.Load() != 10 {
		t.Fatalf("64 tries at once, 10 allowed: %d passed", got.Load())
	}
	var none *Keyed
	if r, _ := none.Reserve("k", now); r == nil {
		t.Fatal("no limit refused")
	} else if n, _ := r.Spend(now); n == 0 {
		t.Fatal("no limit counted")
	}
}

// TestLeftPastTheBound: past the bound, a newcomer has its whole burst
// before it spends (the web page then looks at its token, which may be
// right), and a key that spent its own is paused, whatever the flood of
// other keys: one address can't guess on without bound once the map is
// full.
func TestLeftPastTheBound(t *testing.T) {
	l := New(3, time.Minute, 2)
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		l.Spend(k, now)
	}
	if n, _ := l.Left("h", now); n != 3 {
		t.Fatalf("a newcomer past the bound has %d left before spending anything, want 3", n)
	}
	for range 3 {
		l.Spend("x", now)
	}
	if n, wait := l.Left("x", now); n != 0 || wait <= 0 {
		t.Fatalf("a key that spent its own past the bound has %d left, wait %v; want 0, a wait", n, wait)
	}
	for range 1000 {
		l.Spend("x", now)
	}
	if n, _ := l.Left("x", now); n != 0 {
		t.Fatalf("a key guessing on past the bound has %d left, want 0", n)
	}
}

func TestAddrKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"192.0.2.7:5555", "192.0.2.7"},
		{"192.0.2.7", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:5555", "192.0.2.7"},
		{"[2001:db8:1:2:aaaa::1]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:443", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"not an address", "not an address"},
	} {
		if got := AddrKey(c.in); got != c.want {
			t.Errorf("AddrKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNetKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"192.0.2.7:5555", ""},
		{"[::ffff:192.0.2.7]:5555", ""},
		{"[2001:db8:1:2:aaaa::1]:443", "2001:db8:1::/48"},
		{"[2001:db8:1:ffff::9]:443", "2001:db8:1::/48"},
		{"2001:db8:2::1", "2001:db8:2::/48"},
		{"not an address", ""},
	} {
		if got := NetKey(c.in); got != c.want {
			t.Errorf("NetKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestPausedKeyKeptWhileItTries: a key paused that keeps asking (the web
// page asks Left before each try) stays among the most recently used:
// a flood of other keys does not push it out and give it a fresh burst.
func TestPausedKeyKeptWhileItTries(t *testing.T) {
	l := New(3, time.Minute, 3)
	for range 3 {
		l.Spend("x", now)
	}
	for i := range 50 {
		if n, _ := l.Left("x", now); n != 0 {
			t.Fatalf("after %d newcomers, the paused key has %d tries again", i, n)
		}
		l.Spend(fmt.Sprint("flood", i), now)
	}
}

// BenchmarkNewcomersWhenFull: the cost of a newcomer once the map is
// full of buckets none of which has filled up again (a flood): making
// room is taking the least recently used, not scanning the map.
func BenchmarkNewcomersWhenFull(b *testing.B) {
	l := New(10, time.Minute, 20000)
	for i := range 20000 {
		l.Spend(fmt.Sprint("f", i), now)
	}
	b.ResetTimer()
	for i := range b.N {
		l.Spend(fmt.Sprint("n", i), now)
	}
}

// TestBoth: a try one bucket refuses takes nothing from the other's. A
// user of a /64 (3 a minute) whose /48 (12 a minute) another /64 of it
// filled tries 10 times while refused; once the /48 has a token again,
// the user gets in at once. Taken one after the other, the 10 refused
// tries spent the user's 3, and the user stayed out.
func TestBoth(t *testing.T) {
	addr, net := PerMinute(3, 0), PerMinute(12, 0)
	name := func(k *Keyed) string { return map[*Keyed]string{nil: "none", addr: "the address", net: "the /48"}[k] }
	for i := range 12 { // the flood, from /64s of its own
		if refused, _ := Both(addr, fmt.Sprint("flood", i), net, "n", now); refused != nil {
			t.Fatalf("try %d of the flood refused before the /48's 12", i+1)
		}
	}
	for i := range 10 {
		refused, wait := Both(addr, "user", net, "n", now)
		if refused != net || wait <= 0 {
			t.Fatalf("try %d of the user while the /48 is full: refused by %s (wait %v), want the /48", i+1, name(refused), wait)
		}
	}
	later := now.Add(5 * time.Second) // one /48 token back; the user's 3 a minute give 1/4 of one
	for i := range 3 {
		if refused, _ := Both(addr, "user", net, "n", later.Add(time.Duration(i)*5*time.Second)); refused != nil {
			t.Fatalf("the user's try %d once the /48 has a token: refused by %s", i+1, name(refused))
		}
	}
	// the reverse: an address past its own rate spends none of its /48's
	a2, n2 := PerMinute(1, 0), PerMinute(2, 0)
	Both(a2, "x", n2, "n", now)
	for range 5 {
		if refused, _ := Both(a2, "x", n2, "n", now); refused != a2 {
			t.Fatalf("an address past its rate: refused by its own bucket %v, want true", refused == a2)
		}
	}
	if refused, _ := Both(a2, "y", n2, "n", now); refused != nil {
		t.Error("another address of the /48 refused: the refused tries of the first spent the /48's")
	}
	// nil allows everything
	if refused, _ := Both(nil, "", nil, "", now); refused != nil {
		t.Error("two nil buckets refused")
	}
}

// TestBothAtOnce: tries at once from one address never take more than
// its burst, and those its /48 refuses take none of it.
func TestBothAtOnce(t *testing.T) {
	addr := New(5, time.Hour, 0)
	net := New(1000, time.Hour, 0)
	full := New(1, time.Hour, 0)
	full.Allow("full", now)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				Both(addr, "a", full, "full", now) // refused by the /48
				return
			}
			if refused, _ := Both(addr, "a", net, "n", now); refused == nil {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	// a try the /48 refuses keeps a token while it asks, so one at once
	// may be refused by the address; none spends one
	if n, _ := addr.Left("a", now); ok.Load() > 5 || int(ok.Load())+n != 5 {
		t.Errorf("%d tries at once got in and %d tokens are left, want 5 in all: the refused tries spent some", ok.Load(), n)
	}
}
