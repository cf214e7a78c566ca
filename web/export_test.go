package web

import (
	"testing"
	"time"
)

// RefusedLogEvery makes the handlers New returns until the test ends
// speak of refused pages every d, not every minute.
func RefusedLogEvery(t *testing.T, d time.Duration) {
	old := refusedLogEvery
	refusedLogEvery = d
	t.Cleanup(func() { refusedLogEvery = old })
}
