package server

import (
	"strings"
	"testing"
	"time"
)

func TestSeesOwnServicesOnly(t *testing.T) {
	f := start(t, nil)
	tm := open(t, f.login(t, alice), 100, 30, "xterm-256color")
	tm.waitFor(t, "me aa11111-ovh", 5*time.Second)
	tm.waitFor(t, "svc shared.eu", 5*time.Second)
	scr := tm.scr.Text()
	if !strings.Contains(scr, "svc alice.pt") {
		t.Errorf("alice's own domain is not shown:\n%s", scr)
	}
	if strings.Contains(scr, "bruno.net") {
		t.Errorf("bruno's service is shown to alice:\n%s", scr)
	}
	tm.typeLine(t, "quit")
	if err := tm.waitEnd(t, 5*time.Second); err != nil {
		t.Errorf("quitting ended the session with %v", err)
	}
	f.waitLog(t, 5*time.Second, "session end", "account=aa11111-ovh", "reason=quit")
}
