package server

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// TestPacerWakesByChunk: once its burst is spent, a flood of waits
// sleeps once a chunk, not once a token (each sleep is a wake of the
// server: see pacer), and is paced as before: the tokens taken are those
// spent, rounded up to a chunk.
func TestPacerWakesByChunk(t *testing.T) {
	const burst, chunk, calls = 200, 50, 1200
	p := newPacer(100, burst, chunk)
	clock := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return clock } // no token comes back: every one is waited for
	sleeps := 0
	var slept time.Duration
	p.sleep = func(_ context.Context, d time.Duration) error { sleeps++; slept = d; return nil }
	for i := range calls {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatalf("wait %d: %v", i, err)
		}
		if i < burst && sleeps > 0 {
			t.Fatalf("wait %d, within the burst of %d, slept", i, burst)
		}
	}
	if want := (calls - burst + chunk - 1) / chunk; sleeps != want {
		t.Errorf("%d waits past the burst slept %d times; want %d (one a chunk of %d)", calls-burst, sleeps, want, chunk)
	}
	// the last sleep waited for every token taken past the burst
	if want := time.Duration(sleeps*chunk) * time.Second / 100; slept != want {
		t.Errorf("the last sleep was %v; want %v (the pace kept)", slept, want)
	}
}

// TestPacerWithinTheBurst: while tokens are left, a wait takes what it
// asks for and no more, and never sleeps.
func TestPacerWithinTheBurst(t *testing.T) {
	p := newPacer(1, 10, 5)
	p.sleep = func(context.Context, time.Duration) error { t.Fatal("slept within the burst"); return nil }
	for range 10 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPacerGivenUp: a wait whose context ends gives its tokens back.
func TestPacerGivenUp(t *testing.T) {
	p := newPacer(1, 2, 2)
	clock := time.Now()
	p.now = func() time.Time { return clock }
	p.sleep = func(context.Context, time.Duration) error { return context.Canceled }
	p.WaitN(context.Background(), 2)
	if err := p.Wait(context.Background()); err != context.Canceled {
		t.Fatalf("got %v; want context.Canceled", err)
	}
	if got := p.lim.TokensAt(clock); got != 0 {
		t.Errorf("tokens after a wait given up: %v; want 0 (given back)", got)
	}
}

type countingReader struct{ reads, size int }

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return copy(p, bytes.Repeat([]byte{0xff}, min(len(p), c.size))), nil
}

// TestInputReadInChunks: a flood of input is read from the session in
// chunks of up to pacedChunk, whatever the terminal reader asks for at
// a time (4 KiB): each read of the channel wakes the server and sends
// the client a window adjustment. A user's few bytes are read as they
// come.
func TestInputReadInChunks(t *testing.T) {
	src := &countingReader{size: 1 << 30} // the channel holds more than is asked
	b := &bytePaced{ctx: context.Background(), r: src, pace: newPacer(rate.Inf, 0, 0)}
	const flood = 4 << 20
	if _, err := io.CopyBuffer(io.Discard, io.LimitReader(b, flood), make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	if most := flood/pacedChunk + 8; src.reads > most {
		t.Errorf("%d MiB read from the session in %d reads; want at most %d (chunks of %d KiB)", flood>>20, src.reads, most, pacedChunk>>10)
	}

	few := &countingReader{size: 3} // a key: what the channel holds
	b = &bytePaced{ctx: context.Background(), r: few, pace: newPacer(rate.Inf, 0, 0)}
	p := make([]byte, 4096)
	if n, _ := b.Read(p); n != 3 {
		t.Errorf("a key's 3 bytes read as %d", n)
	}
}
