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
	// The newcomers past the bound share one bucket: it runs dry, and
	// the keys that have a bucket keep theirs.
	if ok, _ := l.Allow("late", now); ok {
		t.Fatal("a flood of new keys did not slow the newcomers")
	}
	if ok, _ := l.Allow("0", now); !ok {
		t.Fatal("a key with a bucket of its own was slowed by the flood")
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

// TestLeftPastTheBound: past the bound, newcomers spend the overflow
// bucket together, but none is paused before it spends: a flood of keys
// that empties the overflow leaves a newcomer its whole burst to look at
// (the web page then checks its token, which may be right).
func TestLeftPastTheBound(t *testing.T) {
	l := New(3, time.Minute, 2)
	l.Spend("a", now)
	l.Spend("b", now)
	for _, k := range []string{"c", "d", "e", "f"} {
		l.Spend(k, now) // the overflow's
	}
	if n, _ := l.Spend("g", now); n != 0 {
		t.Fatalf("the overflow holds %d after the flood, want 0", n)
	}
	if n, _ := l.Left("h", now); n != 3 {
		t.Fatalf("a newcomer past the bound has %d left before spending anything, want 3", n)
	}
	if n, _ := l.Left("a", now); n != 2 {
		t.Fatalf("a key of its own has %d left, want 2", n)
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
