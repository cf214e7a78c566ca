package model

import (
	"testing"
	"time"
)

func TestBackoffDoublesUpToMax(t *testing.T) {
	b := Backoff{First: 30 * time.Second, Max: 5 * time.Minute}
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{4, 4 * time.Minute},
		{5, 5 * time.Minute},
		{50, 5 * time.Minute},
		{0, 30 * time.Second},
	} {
		if got := b.After(c.attempts); got != c.want {
			t.Errorf("after %d tries: %s, want %s", c.attempts, got, c.want)
		}
	}
	if got := (Backoff{}).After(1); got != DefaultBackoff.First {
		t.Errorf("zero backoff: %s", got)
	}
}
