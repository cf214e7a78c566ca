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
