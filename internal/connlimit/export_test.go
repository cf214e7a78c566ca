package connlimit

import (
	"net"
	"time"
)

// WrapAt is Wrap with the clock now in place of time.Now, set before
// the listener is handed out.
func WrapAt(ln net.Listener, l Limits, now func() time.Time) *Listener {
	w := Wrap(ln, l)
	w.now = now
	return w
}
