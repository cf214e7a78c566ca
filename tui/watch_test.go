package tui_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/storage"
)

// TestOtherProcessWritesAppear: what another process (the command line)
// writes to the database shows on an open screen by itself, within the 2
// seconds issue 4 asks for — through Desk.Watch, as the app runs it.
func TestOtherProcessWritesAppear(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	st, err := storage.Open(path, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := model.NewDesk(st, model.Options{Clock: fixedClock(now)})
	if _, err := demo.Load(context.Background(), d, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Watch(ctx, time.Second) // as runTUI does

	a := start(t, d, demo.Persona, 120, 40)
	defer a.quit()
	a.waitText("xara.pt")
	a.press("4") // Profile, already read: only a change can alter it now
	a.waitText("xavier@xara.pt")
	if got := d.Broker().Subscribers(); got == 0 {
		t.Fatal("the app does not listen to the desk's changes")
	}

	// Another process: its own connection, its own desk and broker.
	other, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	od := model.NewDesk(other, model.Options{Clock: fixedClock(now)})
	if _, err := od.AskEmailChange(context.Background(), demo.Persona, "xavier@new-address.example"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		if s := a.screen(); strings.Contains(s, "xavier@new-address.example") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other process's write did not show within 2 s:\n%s", a.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
