package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"contactdesk/api"
	"contactdesk/internal/syncbuf"
	"contactdesk/model"
	"contactdesk/storage"
	"contactdesk/storage/postgres"
	"contactdesk/storage/postgres/pgtest"
)

// TestApplicationKeyNotUTF8: a stranger asking for a consumer key with
// an X-Ovh-Application of bytes that are not UTF-8 (a header may carry
// any byte from 0x80 up) is answered as for any application key the
// desk does not know, 403 INVALID_KEY, on SQLite and on PostgreSQL
// alike. PostgreSQL refused the look-up of such a key itself: the
// stranger got a 500 ("the desk could not answer") and the operator an
// ERROR line in the log for each of its calls, no credential needed.
func TestApplicationKeyNotUTF8(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			var st model.Store
			switch store {
			case "sqlite":
				db := filepath.Join(t.TempDir(), "desk.db")
				contactdesk(t, db, "init")
				s, err := storage.Open(db, storage.Options{})
				if err != nil {
					t.Fatal(err)
				}
				st = s
			case "postgres":
				u := pgtest.URL(t)
				contactdesk(t, u, "init")
				s, err := postgres.Open(context.Background(), u, postgres.Options{})
				if err != nil {
					t.Fatal(err)
				}
				st = s
			}
			t.Cleanup(func() { st.Close() })
			var log syncbuf.Buffer
			srv := httptest.NewServer(api.New(model.NewDesk(st, model.Options{}), api.Options{Logger: slog.New(slog.NewTextHandler(&log, nil))}))
			t.Cleanup(srv.Close)
			ask := func(appKey string) (int, map[string]any) {
				t.Helper()
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/1.0/auth/credential", strings.NewReader(`{"accessRules": [{"method": "GET", "path": "/me"}]}`))
				req.Header.Set("X-Ovh-Application", appKey)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				var out map[string]any
				if err := json.Unmarshal(b, &out); err != nil {
					t.Fatalf("%q: %d, not JSON: %q", appKey, res.StatusCode, b)
				}
				return res.StatusCode, out
			}
			_, unknown := ask("NoSuchKey1234567")
			for _, key := range []string{"\xff\xfe", "abc\xc3", "\xed\xa0\x80surrogate"} {
				code, out := ask(key)
				if code != http.StatusForbidden || out["errorCode"] != "INVALID_KEY" || out["message"] != unknown["message"] {
					t.Errorf("X-Ovh-Application %q: %d %v, want 403 INVALID_KEY %q, as an unknown key", key, code, out, unknown["message"])
				}
			}
			if strings.Contains(log.String(), "level=ERROR") {
				t.Errorf("a stranger's header made the log say ERROR:\n%s", log.String())
			}
		})
	}
}
