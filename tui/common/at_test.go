package common

import (
	"context"
	"testing"
	"time"

	"contactdesk/model/modeltest"
)

type fixed time.Time

func (f fixed) Now() time.Time { return time.Time(f) }

// TestAtRingsAtTheMoment: At's message comes once the session's clock
// reaches the moment: a test clock's alarm when it is moved there (not
// before), the wall clock's timer when the moment has come; nothing
// once the session has ended.
func TestAtRingsAtTheMoment(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := modeltest.NewClock(at.Add(-time.Hour))
	c := &Common{Ctx: context.Background(), Clock: clock}
	got := make(chan any, 1)
	go func() { got <- c.At(at, "rang")() }()
	clock.Advance(59 * time.Minute)
	select {
	case msg := <-got:
		t.Fatalf("At answered %v a minute before its moment", msg)
	default:
	}
	clock.Advance(time.Minute)
	if msg := <-got; msg != "rang" {
		t.Fatalf("At answered %v at its moment", msg)
	}

	// the wall clock: a moment come already, or a few milliseconds off
	for _, now := range []time.Time{at.Add(time.Second), at.Add(-5 * time.Millisecond)} {
		c := &Common{Ctx: context.Background(), Clock: fixed(now)}
		if msg := c.At(at, "rang")(); msg != "rang" {
			t.Errorf("At answered %v, the clock at %v", msg, now)
		}
	}

	// the session ended
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, clock := range []interface{ Now() time.Time }{modeltest.NewClock(at.Add(-time.Hour)), fixed(at.Add(-time.Hour))} {
		c := &Common{Ctx: ctx, Clock: clock}
		if msg := c.At(at, "rang")(); msg != nil {
			t.Errorf("At answered %v once the session had ended (%T)", msg, clock)
		}
	}
}
