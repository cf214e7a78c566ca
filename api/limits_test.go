package api

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	l := newLimiter(6) // one every 10 s, 6 at once
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 6 {
		if ok, _ := l.allow("k", now); !ok {
			t.Fatalf("call %d of 6 refused", i+1)
		}
	}
	ok, wait := l.allow("k", now)
	if ok || wait <= 9*time.Second || wait > 10*time.Second {
		t.Fatalf("a 7th call: %v, wait %v; want refused, about 10 s", ok, wait)
	}
	if ok, _ := l.allow("other", now); !ok {
		t.Fatal("another key was refused")
	}
	// A refused call takes nothing: the next one is due as promised.
	if ok, _ := l.allow("k", now.Add(wait)); !ok {
		t.Fatal("refused after the wait it said")
	}
	// Full buckets are forgotten once a minute.
	later := now.Add(2 * time.Minute)
	l.allow("new", later)
	if len(l.seen) != 1 {
		t.Fatalf("%d buckets after a quiet minute, want 1", len(l.seen))
	}
	// However many keys come, the buckets stay bounded.
	l.max = 10
	for i := range 1000 {
		l.allow(fmt.Sprint(i), later)
	}
	if len(l.seen) > 10 {
		t.Fatalf("%d buckets, bounded by 10", len(l.seen))
	}
	var none *limiter
	if ok, _ := none.allow("k", now); !ok {
		t.Fatal("no limit refused")
	}
}

func TestAddrKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"192.0.2.7:5555", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:5555", "192.0.2.7"},
		{"[2001:db8:1:2:aaaa::1]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:443", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"not an address", "not an address"},
	} {
		if got := addrKey(c.in); got != c.want {
			t.Errorf("addrKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
