package api_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"contactdesk/api"
	"contactdesk/storage"
)

// TestNewerSchemaRefusesWrites: on a node whose database a newer
// contactdesk upgraded while it served (a rolling upgrade that reached
// another node first), a write is refused with 503, saying so and that
// nothing was changed, where it failed with 500 on what the newer
// schema changed ("column "id" does not exist"); reads still answer.
func TestNewerSchemaRefusesWrites(t *testing.T) {
	w := newWorld(t, api.Options{})
	raw, err := sql.Open("sqlite3", "file:"+w.db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", storage.SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	err = w.client(ada).Post("/domain/"+domain+"/changeContact", map[string]string{"contactTech": string(nina)}, &ids)
	e := apiError(t, err, http.StatusServiceUnavailable, "Server::ServiceUnavailable", "changeContact once the schema is newer")
	want := fmt.Sprintf("the database was upgraded by a newer contactdesk (schema %d; this one knows up to %d): upgrade this contactdesk; until then it changes nothing",
		storage.SchemaVersion()+1, storage.SchemaVersion())
	if e.Message != want {
		t.Errorf("the refusal says %q, want %q", e.Message, want)
	}
	var me map[string]any
	if err := w.client(ada).Get("/me", &me); err != nil {
		t.Errorf("a read once the schema is newer: %v", err)
	}
	if !strings.Contains(w.log.String(), "upgraded by a newer contactdesk") {
		t.Errorf("the call's log line does not say why:\n%s", w.log.String())
	}
}
