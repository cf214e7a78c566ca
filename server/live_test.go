package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/storage"
)

// TestLiveUpdates: what one session does appears in the other's, within a
// second, and the other can act on it.
func TestLiveUpdates(t *testing.T) {
	f := start(t, nil)
	a := open(t, f.login(t, alice), 100, 30, "xterm")
	b := open(t, f.login(t, bruno), 100, 30, "xterm")
	a.waitFor(t, "svc alice.pt", 5*time.Second)
	b.waitFor(t, "svc bruno.net", 5*time.Second)

	a.typeLine(t, "create alice.pt tech bb22222-ovh")
	a.waitFor(t, "created #1", 5*time.Second)
	b.waitFor(t, "req #1 alice.pt validatingByCustomers awaiting=aa11111-ovh,bb22222-ovh;", time.Second)

	b.typeLine(t, "accept 1")
	b.waitFor(t, "accepted #1", 5*time.Second)
	a.waitFor(t, "req #1 alice.pt validatingByCustomers awaiting=aa11111-ovh;", time.Second)

	a.typeLine(t, "accept 1")
	a.waitFor(t, "req #1 alice.pt done", 5*time.Second)
	b.waitFor(t, "req #1 alice.pt done", time.Second)
	b.waitFor(t, "svc alice.pt admin=aa11111-ovh tech=bb22222-ovh", time.Second)
}

// TestOtherProcessWrites: a change written by another process (the CLI)
// reaches the sessions it concerns through the server's one watcher.
func TestOtherProcessWrites(t *testing.T) {
	f := start(t, nil)
	b := open(t, f.login(t, bruno), 100, 30, "xterm")
	b.waitFor(t, "svc bruno.net", 5*time.Second)

	// Another connection to the same file, with its own desk and broker,
	// as the command line would have.
	st, err := storage.Open(f.desk.Store().(*storage.DB).Path(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cli := model.NewDesk(st, model.Options{})
	if _, err := cli.CreateRequest(context.Background(), alice, model.NewRequest{Service: "shared.eu", Roles: []model.Role{model.Billing}, To: string(bruno)}); err != nil {
		t.Fatal(err)
	}
	b.waitFor(t, "req #1 shared.eu validatingByCustomers", time.Second)
	if n := f.desk.Broker().Subscribers(); n != 1 {
		t.Errorf("%d subscribers to the broker, want the one session's", n)
	}
	if strings.Contains(b.scr.Text(), "error") {
		t.Errorf("screen:\n%s", b.scr.Text())
	}
}
