package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"contactdesk/model"
	"contactdesk/storage"
)

// TestCheckDeskFindsDamage makes sure checkDesk, on which the crash and
// contention tests rely, sees each kind of damage it looks for: a clean
// desk passes, and each tampering of a copy is reported.
func TestCheckDeskFindsDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "desk.db")
	contacts := setupCrashDesk(t, path)
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := model.NewDesk(db, model.Options{RequestsPerHour: model.NoLimit})
	ctx := context.Background()
	life := func(service string, to model.Handle, answers int) model.Request {
		rs, err := d.CreateRequest(ctx, crashAdmin, model.NewRequest{Service: service, Roles: []model.Role{model.Tech}, To: string(to)})
		if err != nil {
			t.Fatal(err)
		}
		r := rs[0]
		for _, p := range r.Parties[:answers] {
			tok, _ := newestToken(ctx, d, p.Handle, r.ID)
			if r, err = d.Accept(ctx, p.Handle, r.ID, tok); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	done := life(crashServices[0], crashCandidates[3], 3)         // #1 done
	open := life(crashServices[1], crashCandidates[3], 1)         // #2 waiting for two
	if _, err := d.Cancel(ctx, crashAdmin, open.ID); err != nil { // #2 cancelled
		t.Fatal(err)
	}
	open = life(crashServices[1], crashCandidates[0], 1) // #3 waiting
	db.Close()
	if done.State != model.StateDone || open.State != model.StateValidating {
		t.Fatalf("setup: #%d %s, #%d %s", done.ID, done.State, open.ID, open.State)
	}
	if problems := checkDesk(path, contacts); len(problems) > 0 {
		t.Fatalf("a clean desk:\n  %s", strings.Join(problems, "\n  "))
	}
	original, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, sql, says string }{
		{"a done request with an answer pending", "UPDATE parties SET answer = 'pending' WHERE request_id = 1 AND position = 2", "acceptances"},
		{"a move without its line", "DELETE FROM history WHERE action = 'contact.change'", "contact.change"},
		{"a contact moved without a request", "UPDATE services SET tech = 'te10004-ovh' WHERE name = 'gamma.com'", "gamma.com"},
		{"a done request whose contact did not move", "UPDATE services SET tech = 'te10001-ovh' WHERE name = 'alpha.pt'", "alpha.pt"},
		{"an outcome mail lost", "DELETE FROM mails WHERE id = (SELECT max(id) FROM mails WHERE kind = 'outcome')", "outcome mails"},
		{"a token used without an answer", "UPDATE parties SET token_state = 'used' WHERE request_id = 3 AND token_state = 'active'", "used"},
		{"a confirmation mail lost", "DELETE FROM mails WHERE id = (SELECT max(id) FROM mails WHERE kind = 'confirm')", "confirmation mails"},
		{"an open request with every acceptance", "UPDATE parties SET answer = 'accepted' WHERE request_id = 3", "still open"},
		{"a move for a request not done", "INSERT INTO history (at, actor, action, service_id, request_id, detail) VALUES (1, 'system', 'contact.change', 2, 3, 'x')", "not done"},
		{"a cancelled request still marked open", "UPDATE requests SET ended = 0 WHERE id = 2", "ended at"},
		{"a request without parties", "DELETE FROM parties WHERE request_id = 3", "parties"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "desk.db")
			if err := os.WriteFile(p, original, 0o644); err != nil {
				t.Fatal(err)
			}
			raw, err := sql.Open("sqlite3", p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec(c.sql); err != nil {
				t.Fatal(err)
			}
			raw.Close()
			problems := checkDesk(p, contacts)
			if !strings.Contains(strings.Join(problems, "\n"), c.says) {
				t.Errorf("reported %q, want a problem saying %q", problems, c.says)
			}
		})
	}
	t.Run("a damaged page", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "desk.db")
		b := append([]byte(nil), original...)
		for i := 3 * 4096; i < 3*4096+600; i++ {
			b[i] ^= 0x5A
		}
		os.WriteFile(p, b, 0o644)
		if problems := checkDesk(p, contacts); len(problems) == 0 {
			t.Error("a page of garbage went unnoticed")
		}
	})
}
