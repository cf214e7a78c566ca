package server

import (
	"bytes"
	"testing"
	"time"
)

// TestInputBytesArePaced: a client sending bytes that make no key (0xff,
// which no character starts with) as fast as it can has them read no
// faster than inputRate a second, after inputBurst: a key typed after
// them reaches the program only once they are read. They were read,
// decrypted and filtered as fast as they came: half a core per session.
func TestInputBytesArePaced(t *testing.T) {
	const sent = inputBurst + 2*inputRate // 2 s at the pace
	f := startPlaceholder(t, nil)
	tm := open(t, f.login(t, alice), 80, 24, "xterm")
	tm.waitFor(t, "me aa11111-ovh", settle)
	start := time.Now()
	junk := bytes.Repeat([]byte{0xff}, 64<<10)
	for written := 0; written < sent; written += len(junk) {
		if _, err := tm.stdin.Write(junk); err != nil {
			t.Fatal(err)
		}
	}
	tm.press(t, "typed")
	tm.waitFor(t, "> typed", settle)
	if took, least := time.Since(start), time.Duration(sent-inputBurst)*time.Second/inputRate; took < least {
		t.Errorf("%d MiB were read in %s; at most %d MiB a second after %d MiB, they take %s at least",
			sent>>20, took.Round(time.Millisecond), inputRate>>20, inputBurst>>20, least)
	}
}
