package ratelimit

import (
	"fmt"
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
