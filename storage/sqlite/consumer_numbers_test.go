package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"contactdesk/model"
	"contactdesk/storage/sqlite"
	"contactdesk/storage/sqlstore"
)

// TestUpgradeKeepsRevokedConsumerNumbers: a desk of schema 10 whose
// newest consumer key (#3) was revoked, and so deleted, before the
// upgrade does not give #3 to the next key: the history named it (a
// program may hold it as its credentialId), and schema 13 gives no
// deleted key's number again.
func TestUpgradeKeepsRevokedConsumerNumbers(t *testing.T) {
	p := newFile(t)
	raw, err := sql.Open("sqlite3", "file:"+p+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	qs := []string{"PRAGMA user_version = 10", fmt.Sprintf("PRAGMA application_id = %d", sqlite.ApplicationID)}
	for _, m := range sqlstore.Migrations(sqlstore.SQLite)[:10] {
		qs = append(qs, m.SQL)
	}
	qs = append(qs,
		`INSERT INTO accounts (handle, name, email, owes, created, lang) VALUES ('aa11111-ovh', 'Ann', 'ann@example.com', 0, 1, 'en')`,
		`INSERT INTO api_keys (app_key, handle, name, secret, created) VALUES ('AAAAAAAAAAAAAAAA', 'aa11111-ovh', '', X'01', 1000)`,
		`INSERT INTO api_consumers (id, app_key, consumer_hash, rules, state, created) VALUES
			(1, 'AAAAAAAAAAAAAAAA', X'01', '[]', 'validated', 1000),
			(2, 'AAAAAAAAAAAAAAAA', X'02', '[]', 'validated', 1000)`,
		`INSERT INTO history (at, actor, action, detail) VALUES
			(2000, 'aa11111-ovh', 'apikey.credential.ask', 'consumer key #3 of API key AAAAAAAAAAAAAAAA asked for, allowed GET /*; awaits validation until …'),
			(3000, 'support', 'apikey.credential.revoke', 'consumer key #3 of API key AAAAAAAAAAAAAAAA of aa11111-ovh revoked by support')`,
	)
	for _, q := range qs {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	db, err := sqlite.Open(p, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := model.NewDesk(db, model.Options{}).AddAPIKey(context.Background(), "aa11111-ovh", "", plainBox{})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Consumers[0].ID; got != 4 {
		t.Errorf("the first consumer key made after the upgrade is #%d, want #4 (#3 was revoked before it)", got)
	}
}

type plainBox struct{}

func (plainBox) Seal(secret, _ []byte) ([]byte, error) { return secret, nil }
func (plainBox) Open(sealed, _ []byte) ([]byte, error) { return sealed, nil }
