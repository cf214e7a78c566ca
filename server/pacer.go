package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// pacer is a rate.Limiter that, once its burst is spent, waits for a
// chunk of tokens at a time rather than for each one: the same pace, but
// a flood wakes the server a few times a second instead of at every
// token. Each wake is what a flood costs the server, more than the bytes
// themselves: a 0xff flood paced in the terminal reader's 4 KiB reads
// woke it 256 times a second, and most of its 8.5 % of a core was the
// kernel switching threads and the Go runtime's monitor (sysmon), which
// a syscall after a sleep sets spinning every 20 µs for a while (perf;
// BENCHMARKS.md, "SSH floods"). That spinning is why a slower pace of
// requests cost more, not less: each wake came after the monitor had
// gone back to sleep.
//
// While the burst lasts, a wait takes what it asks for and no more, so
// a user's keys and requests go through as they did.
type pacer struct {
	lim   *rate.Limiter
	chunk int
	// now and sleep are the clock's (tests count the sleeps)
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	mu   sync.Mutex
	have int // tokens taken from lim and not spent yet
}

// newPacer paces at r a second after burst at once, waiting for chunk
// tokens at a time once the burst is spent (chunk is cut to burst).
func newPacer(r rate.Limit, burst, chunk int) *pacer {
	return &pacer{lim: rate.NewLimiter(r, burst), chunk: min(chunk, burst), now: time.Now, sleep: sleep}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WaitN waits until n tokens may be spent (n at most the burst), or ctx
// ends.
func (p *pacer) WaitN(ctx context.Context, n int) error {
	p.mu.Lock()
	if p.have >= n {
		p.have -= n
		p.mu.Unlock()
		return nil
	}
	n -= p.have
	p.have = 0
	p.mu.Unlock()
	now := p.now()
	if p.lim.AllowN(now, n) {
		return nil
	}
	take := max(n, p.chunk)
	r := p.lim.ReserveN(now, take)
	if !r.OK() {
		return fmt.Errorf("pacer: %d tokens at once, more than its burst of %d", take, p.lim.Burst())
	}
	if d := r.DelayFrom(now); d > 0 {
		if err := p.sleep(ctx, d); err != nil {
			r.CancelAt(p.now()) // the tokens go back to others
			return err
		}
	}
	p.mu.Lock()
	p.have += take - n
	p.mu.Unlock()
	return nil
}

// Wait is WaitN(ctx, 1).
func (p *pacer) Wait(ctx context.Context) error { return p.WaitN(ctx, 1) }
