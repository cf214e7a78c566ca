package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"contactdesk/model"
	"contactdesk/storage"
	"contactdesk/storage/postgres/pgtest"
	"contactdesk/storage/sqlstore"
)

// desk names a desk of each engine: a SQLite file and a PostgreSQL
// database.
type desk struct{ path, url string }

// oldDesk leaves a desk of each engine at schema version, with rows in
// it (blobs written X'…', which PostgreSQL reads as '\x…').
func oldDesk(t *testing.T, version int, rows ...string) desk {
	t.Helper()
	ctx := context.Background()
	d := desk{filepath.Join(t.TempDir(), "desk.db"), pgtest.URL(t)}
	raw, err := sql.Open("sqlite3", "file:"+d.path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	pg, err := pgx.Connect(ctx, d.url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(ctx)
	lite := []string{fmt.Sprintf("PRAGMA user_version = %d", version), fmt.Sprintf("PRAGMA application_id = %d", storage.ApplicationID)}
	post := []string{fmt.Sprintf("CREATE TABLE contactdesk_schema (version integer NOT NULL); INSERT INTO contactdesk_schema VALUES (%d)", version)}
	for i := range version {
		lite = append(lite, sqlstore.Migrations(sqlstore.SQLite)[i].SQL)
		post = append(post, sqlstore.Migrations(sqlstore.Postgres)[i].SQL)
	}
	for _, q := range rows {
		lite = append(lite, q)
		post = append(post, strings.ReplaceAll(q, "X'", `'\x`))
	}
	for _, q := range lite {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("SQLite: %s: %v", q, err)
		}
	}
	for _, q := range post {
		if _, err := pg.Exec(ctx, q); err != nil {
			t.Fatalf("PostgreSQL: %s: %v", q, err)
		}
	}
	// The rows were given their ids: the sequences go past them.
	rs, _ := pg.Query(ctx, "SELECT table_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'")
	names, err := pgx.CollectRows(rs, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if _, err := pg.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), coalesce((SELECT max(id) FROM %[1]s), 0) + 1, false)", n)); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// open opens (and so upgrades) each engine's desk.
func (d desk) open(t *testing.T) map[string]model.Store {
	t.Helper()
	lite, err := storage.Open(d.path, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	return map[string]model.Store{"SQLite": lite, "PostgreSQL": pgOpenURL(t, d.url)}
}

// schema lists the tables, columns and indexes of an engine's desk.
func (d desk) schema(t *testing.T, engine string) []string {
	t.Helper()
	var out []string
	if engine == "SQLite" {
		raw, err := sql.Open("sqlite3", "file:"+d.path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		rows, err := raw.Query("SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY name")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var l string
			rows.Scan(&l)
			out = append(out, l)
		}
		return out
	}
	ctx := context.Background()
	pg, err := pgx.Connect(ctx, d.url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(ctx)
	rows, _ := pg.Query(ctx, `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
		FROM information_schema.columns WHERE table_schema = current_schema() UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`)
	out, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Rows of a desk at schema 4 (before mails were kept by recipient, from
// their template): two accounts, a service, a request, two mails with
// their subject and body written out, the second unread and queued for
// SMTP. Both dialects take them as they are.
var schema4Rows = []string{
	`INSERT INTO accounts (handle, name, email, owes, created) VALUES ('aa11111-ovh', 'Ann', 'ann@example.com', 0, 1), ('bb22222-ovh', 'Bob', 'bob@example.com', 0, 1)`,
	`INSERT INTO services (id, name, type, admin, tech, billing, has_owner, created) VALUES (1, 'old.example', 'vps', 'aa11111-ovh', 'aa11111-ovh', 'aa11111-ovh', FALSE, 1)`,
	`INSERT INTO requests (id, service_id, roles, from_handle, to_handle, requester, state, created, expires) VALUES (1, 1, 'tech', 'aa11111-ovh', 'bb22222-ovh', 'aa11111-ovh', 'validatingByCustomers', 1, 9000000000000000000)`,
	`INSERT INTO parties (request_id, position, handle) VALUES (1, 0, 'aa11111-ovh'), (1, 1, 'bb22222-ovh')`,
	`INSERT INTO mails (id, to_handle, address, subject, date, body, request_id, token, link, kind, read) VALUES
		(1, 'bb22222-ovh', 'bob@example.com', 'Old news', 2, 'Hello Bob, as it was written.', NULL, '', '', 'notice', TRUE),
		(2, 'bb22222-ovh', 'bob@example.com', 'Please confirm', 3, 'Hello Bob, your token: OLDTOKEN', 1, 'OLDTOKEN', 'contactdesk://request/1?token=OLDTOKEN', 'confirm', FALSE)`,
	`INSERT INTO outbox (mail_id, state, attempts, next_try, queued, updated) VALUES (2, 'pending', 0, 3, 3, 3)`,
}

// TestUpgradeFromSchema4: the mails of a desk left at schema 4, written
// out in full, read as they were, the outbox still holds the one it
// held, and a new mail takes the next id and reads as it was sent.
func TestUpgradeFromSchema4(t *testing.T) {
	for engine, st := range oldDesk(t, 4, schema4Rows...).open(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			err := st.View(ctx, func(tx model.Tx) error {
				ms, err := tx.MailsOf("bb22222-ovh")
				if err != nil {
					return err
				}
				if len(ms) != 2 || ms[0].ID != 2 || ms[0].Body != "Hello Bob, your token: OLDTOKEN" || ms[0].Subject != "Please confirm" ||
					ms[0].Link != "contactdesk://request/1?token=OLDTOKEN" || ms[0].Delivery != model.DeliveryPending || ms[1].Body != "Hello Bob, as it was written." || !ms[1].Read {
					t.Errorf("the mails after the upgrade: %+v", ms)
				}
				n, err := tx.Unread("bb22222-ovh")
				if n != 1 || err != nil {
					t.Errorf("unread after the upgrade: %d, %v", n, err)
				}
				due, err := tx.DueMails(time.Unix(0, 10), 10)
				if len(due) != 1 || due[0].Mail.ID != 2 || due[0].Mail.Token != "OLDTOKEN" || err != nil {
					t.Errorf("the outbox after the upgrade: %+v, %v", due, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			d := model.NewDesk(st, model.Options{})
			m, err := d.Resend(ctx, "bb22222-ovh", 1)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != 3 {
				t.Errorf("the first mail after the upgrade is #%d", m.ID)
			}
			ms, err := d.Mails(ctx, "bb22222-ovh")
			if err != nil || len(ms) != 3 || ms[0].Body != m.Body || ms[0].Subject != m.Subject || ms[0].Link != m.Link || !strings.Contains(m.Body, m.Token) {
				t.Errorf("a mail sent after the upgrade reads %+v, was sent as %+v (%v)", ms[0], m, err)
			}
		})
	}
}

// TestUpgradeFromSchema8: a desk left at schema 8, where every token
// had a row of its own and the history three indexes. Its tokens keep
// their order and states, a party's latest on its row; the token a
// resend replaced is still told apart from a wrong one; the history's
// lines are found as they were, a request's line kept without its
// service included; the schema and so the plans are a new desk's.
func TestUpgradeFromSchema8(t *testing.T) {
	const far = 9000000000000000000
	hash := func(s string) string {
		norm, _ := model.NormalizeToken(s)
		h := model.HashToken(norm)
		return fmt.Sprintf("X'%x'", h[:])
	}
	// Request 1: ann asked that bob be tech; ann accepted, bob's first
	// token was replaced by a resend. Request 2 is done.
	t1, t2, t3, t4, t5 := "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "BBBB-BBBB-BBBB-BBBB-BBBB-BBBB-BBBB", "CCCC-CCCC-CCCC-CCCC-CCCC-CCCC-CCCC",
		"DDDD-DDDD-DDDD-DDDD-DDDD-DDDD-DDDD", "EEEE-EEEE-EEEE-EEEE-EEEE-EEEE-EEEE"
	rows := []string{
		`INSERT INTO accounts (handle, name, email, owes, created, lang) VALUES ('aa11111-ovh', 'Ann', 'ann@example.com', 0, 1, 'en'), ('bb22222-ovh', 'Bob', 'bob@example.com', 0, 1, 'en'), ('cc33333-ovh', 'Cid', 'cid@example.com', 0, 1, 'en')`,
		`INSERT INTO services (id, name, type, admin, tech, billing, has_owner, created) VALUES (1, 'old.example', 'vps', 'aa11111-ovh', 'aa11111-ovh', 'aa11111-ovh', FALSE, 1), (2, 'two.example', 'vps', 'aa11111-ovh', 'cc33333-ovh', 'aa11111-ovh', FALSE, 1)`,
		`INSERT INTO requests (id, service_id, roles, from_handle, to_handle, requester, state, created, expires, ended) VALUES
			(1, 1, 'tech', 'aa11111-ovh', 'bb22222-ovh', 'aa11111-ovh', 'validatingByCustomers', 1, ` + fmt.Sprint(far) + `, 0),
			(2, 2, 'tech', 'aa11111-ovh', 'cc33333-ovh', 'aa11111-ovh', 'done', 1, ` + fmt.Sprint(far) + `, 5)`,
		`INSERT INTO parties (request_id, position, handle, answer, answered) VALUES (1, 0, 'aa11111-ovh', 'accepted', 2), (1, 1, 'bb22222-ovh', 'pending', 0),
			(2, 0, 'aa11111-ovh', 'accepted', 4), (2, 1, 'cc33333-ovh', 'accepted', 5)`,
		`INSERT INTO tokens (id, request_id, handle, hash, state) VALUES
			(1, 1, 'aa11111-ovh', ` + hash(t1) + `, 'used'), (2, 1, 'bb22222-ovh', ` + hash(t2) + `, 'replaced'),
			(3, 2, 'aa11111-ovh', ` + hash(t3) + `, 'used'), (4, 2, 'cc33333-ovh', ` + hash(t4) + `, 'used'),
			(5, 1, 'bb22222-ovh', ` + hash(t5) + `, 'active')`,
		`INSERT INTO history (id, at, actor, action, service_id, request_id, detail) VALUES
			(1, 1, 'aa11111-ovh', 'request.create', 1, 1, ''), (2, 2, 'aa11111-ovh', 'request.accept', 1, 1, ''),
			(3, 3, 'bb22222-ovh', 'request.resend', NULL, 1, 'a line of a request without its service'),
			(4, 1, 'aa11111-ovh', 'request.create', 2, 2, ''), (5, 5, 'system', 'request.done', 2, 2, ''),
			(6, 6, 'bb22222-ovh', 'account.lang', NULL, NULL, 'a line about no request'), (7, 7, 'support', 'service.add', 1, NULL, '')`,
	}
	want := map[int64][]model.TokenRecord{
		1: {{ID: 1<<20 | 1, RequestID: 1, Handle: "aa11111-ovh", State: model.TokenUsed}, {ID: 1<<20 | 2, RequestID: 1, Handle: "bb22222-ovh", State: model.TokenReplaced},
			{ID: 1<<20 | 3, RequestID: 1, Handle: "bb22222-ovh", State: model.TokenActive}},
		2: {{ID: 2<<20 | 1, RequestID: 2, Handle: "aa11111-ovh", State: model.TokenUsed}, {ID: 2<<20 | 2, RequestID: 2, Handle: "cc33333-ovh", State: model.TokenUsed}},
	}
	for rid, ts := range want {
		for i, s := range [][]string{{t1, t2, t5}, {t3, t4}}[rid-1] {
			norm, _ := model.NormalizeToken(s)
			ts[i].Hash = model.HashToken(norm)
		}
	}
	old := oldDesk(t, 8, rows...)
	fresh := desk{filepath.Join(t.TempDir(), "new.db"), pgtest.URL(t)}
	fresh.open(t)
	for engine, st := range old.open(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			if got, want := old.schema(t, engine), fresh.schema(t, engine); !reflect.DeepEqual(got, want) {
				t.Errorf("the upgraded schema:\n%s\na new desk's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			ids := func(hs []model.HistoryEntry) (out []int64) {
				for _, h := range hs {
					out = append(out, h.ID)
				}
				return out
			}
			st.View(ctx, func(tx model.Tx) error {
				for rid, w := range want {
					if got, err := tx.Tokens(rid); !reflect.DeepEqual(got, w) || err != nil {
						t.Errorf("the tokens of request %d: %+v (%v), want %+v", rid, got, err, w)
					}
				}
				for _, c := range []struct {
					who          model.Handle
					service, req int64
					want         []int64
				}{
					{"", 0, 1, []int64{3, 2, 1}}, {"aa11111-ovh", 1, 0, []int64{7, 3, 2, 1}}, {"aa11111-ovh", 2, 0, []int64{5, 4}},
					{"bb22222-ovh", 0, 0, []int64{6, 3, 2, 1}}, {"cc33333-ovh", 0, 0, []int64{5, 4}}, {"aa11111-ovh", 0, 0, []int64{7, 5, 3, 2, 4, 1}},
				} {
					if got, err := tx.History(c.who, c.service, c.req, 0); !reflect.DeepEqual(ids(got), c.want) || err != nil {
						t.Errorf("History(%q, %d, %d): %v (%v), want %v", c.who, c.service, c.req, ids(got), err, c.want)
					}
				}
				return nil
			})
			d := model.NewDesk(st, model.Options{})
			if _, err := d.Accept(ctx, "bb22222-ovh", 1, t2); !strings.Contains(fmt.Sprint(err), "replaced") {
				t.Errorf("the token a resend replaced: %v", err)
			}
			r, err := d.Accept(ctx, "bb22222-ovh", 1, t5)
			if err != nil || r.State != model.StateDone {
				t.Fatalf("the latest token: %+v, %v", r, err)
			}
		})
	}
}

// TestUpgradeFromSchema9: the API keys of a desk left at schema 9 keep
// working once upgraded, each consumer key with every right it had (GET,
// POST, PUT and DELETE on every path), its use as it was recorded, and
// its application's secret; a new key is made beside them.
func TestUpgradeFromSchema9(t *testing.T) {
	ck := func(s string) string { h := model.HashConsumerKey(s); return fmt.Sprintf("X'%x'", h[:]) }
	rows := []string{
		`INSERT INTO accounts (handle, name, email, owes, created, lang) VALUES ('aa11111-ovh', 'Ann', 'ann@example.com', 0, 1, 'en'), ('bb22222-ovh', 'Bob', 'bob@example.com', 0, 1, 'pt')`,
		`INSERT INTO api_keys (app_key, handle, name, consumer_hash, secret, created, last_used) VALUES
			('AAAAAAAAAAAAAAAA', 'aa11111-ovh', 'nightly', ` + ck("consumer-of-ann") + `, X'0102', 1000, 5000),
			('BBBBBBBBBBBBBBBB', 'bb22222-ovh', '', ` + ck("consumer-of-bob") + `, X'03', 2000, 0)`,
	}
	old := oldDesk(t, 9, rows...)
	fresh := desk{filepath.Join(t.TempDir(), "new.db"), pgtest.URL(t)}
	fresh.open(t)
	for engine, st := range old.open(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			if got, want := old.schema(t, engine), fresh.schema(t, engine); !reflect.DeepEqual(got, want) {
				t.Errorf("the upgraded schema:\n%s\na new desk's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			d := model.NewDesk(st, model.Options{})
			ks, err := d.APIKeys(ctx, "")
			if err != nil || len(ks) != 2 {
				t.Fatalf("keys: %+v %v", ks, err)
			}
			ann := ks[0]
			if ann.AppKey != "AAAAAAAAAAAAAAAA" || ann.Name != "nightly" || ann.Created.UnixNano() != 1000 || ann.LastUsed.UnixNano() != 5000 || len(ann.Consumers) != 1 {
				t.Errorf("ann's key: %+v", ann)
			}
			for _, k := range ks {
				if len(k.Consumers) != 1 || !reflect.DeepEqual(k.Consumers[0].Rules, model.AllRights) || k.Consumers[0].State != model.CredentialValidated {
					t.Errorf("%s's consumer keys: %+v", k.Handle, k.Consumers)
				}
			}
			who, err := d.APIBearer(ctx, "consumer-of-bob")
			if err != nil || who.Handle != "bb22222-ovh" || who.AppKey != "BBBBBBBBBBBBBBBB" {
				t.Fatalf("bob's old consumer key: %+v %v", who, err)
			}
			for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
				if !who.Granted(m, "/me/task/contactChange/1/accept") {
					t.Errorf("bob's old key may not %s", m)
				}
			}
			st.View(ctx, func(tx model.Tx) error {
				if rec, err := tx.APIKey("AAAAAAAAAAAAAAAA"); err != nil || string(rec.Secret) != "\x01\x02" {
					t.Errorf("ann's sealed secret: %q %v", rec.Secret, err)
				}
				return nil
			})
			if _, err := d.AddAPIKey(ctx, "aa11111-ovh", "", fakeBox{}); err != nil {
				t.Fatalf("a new key: %v", err)
			}
		})
	}
}

// TestUpgradeFromSchema10: an application key of a desk left at schema
// 10 takes the newest use of its consumer keys as its own, and keeps it
// once that consumer key is revoked; the consumer keys keep their
// numbers, and the number of one revoked is never given again.
func TestUpgradeFromSchema10(t *testing.T) {
	ck := func(s string) string { h := model.HashConsumerKey(s); return fmt.Sprintf("X'%x'", h[:]) }
	rules := `'[{"method":"GET","path":"/*"}]'`
	rows := []string{
		`INSERT INTO accounts (handle, name, email, owes, created, lang) VALUES ('aa11111-ovh', 'Ann', 'ann@example.com', 0, 1, 'en')`,
		`INSERT INTO api_keys (app_key, handle, name, secret, created) VALUES ('AAAAAAAAAAAAAAAA', 'aa11111-ovh', 'nightly', X'01', 1000), ('BBBBBBBBBBBBBBBB', 'aa11111-ovh', '', X'02', 2000)`,
		`INSERT INTO api_consumers (id, app_key, consumer_hash, rules, state, created, ended, last_used) VALUES
			(1, 'AAAAAAAAAAAAAAAA', ` + ck("one") + `, ` + rules + `, 'validated', 1000, 1000, 5000),
			(2, 'AAAAAAAAAAAAAAAA', ` + ck("two") + `, ` + rules + `, 'validated', 1000, 1000, 7000),
			(3, 'BBBBBBBBBBBBBBBB', ` + ck("three") + `, ` + rules + `, 'validated', 2000, 2000, 0)`,
	}
	old := oldDesk(t, 10, rows...)
	fresh := desk{filepath.Join(t.TempDir(), "new.db"), pgtest.URL(t)}
	fresh.open(t)
	for engine, st := range old.open(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			if got, want := old.schema(t, engine), fresh.schema(t, engine); !reflect.DeepEqual(got, want) {
				t.Errorf("the upgraded schema:\n%s\na new desk's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			d := model.NewDesk(st, model.Options{})
			lastUses := func() []time.Time {
				ks, err := d.APIKeys(ctx, "")
				if err != nil || len(ks) != 2 {
					t.Fatalf("keys: %+v %v", ks, err)
				}
				return []time.Time{ks[0].LastUsed, ks[1].LastUsed}
			}
			if got := lastUses(); got[0].UnixNano() != 7000 || !got[1].IsZero() {
				t.Errorf("the keys' last uses: %v, want 7000 ns and none", got)
			}
			if _, err := d.RevokeConsumerKey(ctx, "AAAAAAAAAAAAAAAA", 2, model.SupportActor); err != nil {
				t.Fatal(err)
			}
			if got := lastUses(); got[0].UnixNano() != 7000 {
				t.Errorf("the key's last use once its newest used consumer key was revoked: %v, want 7000", got[0])
			}
			// The newest consumer key revoked, its number is not given
			// again (schema 13): its codes' mails name it.
			if _, err := d.RevokeConsumerKey(ctx, "BBBBBBBBBBBBBBBB", 3, model.SupportActor); err != nil {
				t.Fatal(err)
			}
			if c, err := d.AddAPIKey(ctx, "aa11111-ovh", "", fakeBox{}); err != nil || len(c.Consumers) != 1 || c.Consumers[0].ID != 4 {
				t.Errorf("a new key once the newest consumer key was revoked: %+v %v, want consumer key #4", c.Consumers, err)
			}
		})
	}
}

// fakeBox seals nothing: the upgrade test needs no secret opened.
type fakeBox struct{}

func (fakeBox) Seal(secret, _ []byte) ([]byte, error) { return secret, nil }
func (fakeBox) Open(sealed, _ []byte) ([]byte, error) { return sealed, nil }

// TestUpgradeFromSchema13: the consumer keys awaiting validation on a
// desk left at schema 13 were asked from no known network (schema 14
// counts them per asking network): MaxPendingCredentials of them hold
// back no other network's ask, and an ask of no known network is
// refused until one ends, as before.
func TestUpgradeFromSchema13(t *testing.T) {
	ck := func(s string) string { h := model.HashConsumerKey(s); return fmt.Sprintf("X'%x'", h[:]) }
	now := time.Now()
	created, expires := now.Add(-time.Minute).UnixNano(), now.Add(model.CredentialValidity-time.Minute).UnixNano()
	var pending []string
	for i := range model.MaxPendingCredentials {
		pending = append(pending, fmt.Sprintf(`('AAAAAAAAAAAAAAAA', %s, '[{"method":"GET","path":"/me"}]', 'pendingValidation', %s, %d, %d)`, ck(fmt.Sprint("c", i)), ck(fmt.Sprint("t", i)), created, expires))
	}
	rows := []string{
		`INSERT INTO accounts (handle, name, email, owes, created, lang) VALUES ('aa11111-ovh', 'Ann', 'ann@example.com', 0, 1, 'en')`,
		`INSERT INTO api_keys (app_key, handle, name, secret, created) VALUES ('AAAAAAAAAAAAAAAA', 'aa11111-ovh', 'nightly', X'01', 1000)`,
		`INSERT INTO api_consumers (app_key, consumer_hash, rules, state, token_hash, created, expires) VALUES ` + strings.Join(pending, ", "),
	}
	old := oldDesk(t, 13, rows...)
	fresh := desk{filepath.Join(t.TempDir(), "new.db"), pgtest.URL(t)}
	fresh.open(t)
	for engine, st := range old.open(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			if got, want := old.schema(t, engine), fresh.schema(t, engine); !reflect.DeepEqual(got, want) {
				t.Errorf("the upgraded schema:\n%s\na new desk's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			d := model.NewDesk(st, model.Options{})
			read := []model.APIRule{{Method: "GET", Path: "/me"}}
			_, err := d.AskCredential(ctx, "AAAAAAAAAAAAAAAA", read, "")
			if !errors.Is(err, model.ErrMailLimit) {
				t.Errorf("one more key of no known network: %v, want refused", err)
			}
			got, err := d.AskCredentialFrom(ctx, "192.0.2.1", "AAAAAAAAAAAAAAAA", read, "")
			if err != nil {
				t.Fatalf("a key asked from a network: %v", err)
			}
			ks, err := d.APIKeys(ctx, "")
			if err != nil || len(ks) != 1 || len(ks[0].Consumers) != model.MaxPendingCredentials+1 {
				t.Fatalf("keys: %+v %v", ks, err)
			}
			for _, c := range ks[0].Consumers {
				if want := map[bool]string{true: "192.0.2.1", false: ""}[c.ID == got.ID]; c.From != want {
					t.Errorf("consumer key #%d asked from %q, want %q", c.ID, c.From, want)
				}
			}
		})
	}
}
