package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"contactdesk/locale"
	"contactdesk/model"
)

// stuckStore is a database that never finishes closing, as a PostgreSQL
// store whose server is paused (see closeWait).
type stuckStore struct{ closing chan struct{} }

func (stuckStore) View(context.Context, func(model.Tx) error) error   { return nil }
func (stuckStore) Update(context.Context, func(model.Tx) error) error { return nil }
func (s stuckStore) Close() error {
	close(s.closing)
	select {} // never
}

// TestLeavesADatabaseThatWontClose: a command done (the app quit) ends
// even when its database does not answer as it is closed, and says so
// in the reader's language; before, the process waited as long as the
// database (75 s after the app's screen was gone, with PostgreSQL
// paused).
func TestLeavesADatabaseThatWontClose(t *testing.T) {
	defer func(w time.Duration) { closeWait = w }(closeWait)
	closeWait = 10 * time.Millisecond
	for lang, want := range map[locale.Lang]string{
		locale.EN: "the database did not answer",
		locale.PT: "a base de dados não respondeu",
		locale.FR: "la base de données n'a pas répondu",
	} {
		var stderr strings.Builder
		s := stuckStore{closing: make(chan struct{})}
		a := &app{store: s, stderr: &stderr, l: locale.For(lang)}
		ended := make(chan struct{})
		go func() { a.close(); close(ended) }()
		<-s.closing
		select {
		case <-ended:
		case <-time.After(time.Minute): // a bound for a hung test, not a measure
			t.Fatalf("%s: close still waits for a database that does not answer", lang)
		}
		if !strings.Contains(stderr.String(), "contactdesk: "+want) {
			t.Errorf("%s: stderr %q; want it to say %q", lang, stderr.String(), want)
		}
	}
}
