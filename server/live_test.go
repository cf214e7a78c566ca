package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/storage"
)

// TestLiveUpdates: a request made in one session appears within a second
// in the session of a party to it, who accepts it there; the requester's
// screen follows within a second, without a key pressed.
func TestLiveUpdates(t *testing.T) {
	f := start(t, nil)
	a := open(t, f.login(t, alice), 100, 30, "xterm-256color")
	b := open(t, f.login(t, bruno), 100, 30, "xterm-256color")
	a.waitFor(t, "2 of 2", settle)
	b.waitFor(t, "bruno.net", settle)
	b.press(t, "2") // Requests
	b.waitFor(t, "My requests", settle)

	// Alice names Bruno tech contact of alice.pt (the first row).
	a.press(t, "enter")
	a.waitFor(t, "Edit contacts", settle)
	a.press(t, "tab", "bb22222-ovh")
	a.waitFor(t, "bb22222-ovh (new tech contact)", settle)
	a.press(t, "ctrl+s")
	a.waitFor(t, "request #1 sent", settle)

	b.waitLine(t, "#1 ", time.Second, "alice.pt", "tech", "aa11111-ovh", "bb22222-ovh", "waiting")

	// Bruno accepts from the mail's link.
	b.press(t, "3")
	b.waitFor(t, "Please confirm: new tech contact for alice.pt (request #1)", settle)
	b.press(t, "enter")
	b.waitFor(t, "Token", settle)
	b.press(t, "o")
	b.waitFor(t, "the token from your mail is filled in", settle)
	b.press(t, "a")
	b.waitFor(t, "Accept request #1 with your token", settle)
	b.press(t, "enter")
	b.waitFor(t, "you accepted request #1", settle)

	// Tokens are never logged.
	for _, h := range []model.Handle{alice, bruno} {
		ms, err := f.desk.Mails(context.Background(), h)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Token != "" && strings.Contains(f.logs.String(), m.Token) {
				t.Errorf("the server log has %s's token", h)
			}
		}
	}

	// Alice's Requests tab: only she is awaited now.
	a.press(t, "2")
	l := a.waitLine(t, "#1 ", time.Second, "alice.pt", "waiting")
	if strings.Contains(l, "bb22222-ovh,") || strings.HasSuffix(strings.TrimSpace(l), "bb22222-ovh") {
		t.Errorf("bruno is still awaited: %s", l)
	}
}

// TestOtherProcessWrites: a change written by another process (the CLI)
// reaches the sessions it concerns through the server's one watcher.
func TestOtherProcessWrites(t *testing.T) {
	f := start(t, nil)
	b := open(t, f.login(t, bruno), 100, 30, "xterm-256color")
	b.waitFor(t, "bruno.net", settle)
	b.press(t, "2")
	b.waitFor(t, "My requests", settle)

	// Another connection to the same file, with its own desk and broker,
	// as the command line has.
	st, err := storage.Open(f.desk.Store().(*storage.DB).Path(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cli := model.NewDesk(st, model.Options{})
	if _, err := cli.CreateRequest(context.Background(), alice, model.NewRequest{Service: "shared.eu", Roles: []model.Role{model.Billing}, To: string(bruno)}); err != nil {
		t.Fatal(err)
	}
	b.waitLine(t, "#1 ", time.Second, "shared.eu", "billing", "waiting")
}
