package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/ovh/go-ovh/ovh"

	"contactdesk/api"
	"contactdesk/model"
	"contactdesk/storage/postgres"
	"contactdesk/storage/postgres/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// TestTwoNodesOnPostgreSQL: two API nodes on one PostgreSQL database,
// given the same API secret key file, answer the same API, whichever a
// balancer picks; a key removed by the command line stops on both at
// once.
func TestTwoNodesOnPostgreSQL(t *testing.T) {
	u := pgtest.URL(t)
	keyFile := filepath.Join(t.TempDir(), "api_key")
	contactdesk(t, u, "init")
	for _, h := range []model.Handle{ada, ted, nina} {
		contactdesk(t, u, "account", "add", string(h), "--name", string(h), "--email", string(h)+"@mail.example")
	}
	contactdesk(t, u, "service", "add", domain, "--type", "domain", "--admin", string(ada), "--tech", string(ted), "--billing", string(ada))
	var c credentials
	json.Unmarshal([]byte(contactdesk(t, u, "api-key", "add", string(ada), "--api-secret-key", keyFile, "--json")), &c)
	box, created, err := api.LoadSecretKey(keyFile)
	if err != nil || created {
		t.Fatalf("the key file api-key add made: %v %v", created, err)
	}
	var nodes []*ovh.Client
	for range 2 {
		db, err := postgres.Open(context.Background(), u, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		srv := httptest.NewServer(api.New(model.NewDesk(db, model.Options{}), api.Options{Secrets: box}))
		t.Cleanup(srv.Close)
		cl, err := ovh.NewClient(srv.URL+"/1.0", c.ApplicationKey, c.ApplicationSecret, c.ConsumerKey)
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, cl)
	}
	var ids []int64
	if err := nodes[0].Post("/domain/"+domain+"/changeContact", map[string]string{"contactTech": string(nina)}, &ids); err != nil || len(ids) != 1 {
		t.Fatalf("changeContact on node 1: %v %v", ids, err)
	}
	var tk task
	if err := nodes[1].Get(taskPath(ids[0]), &tk); err != nil || tk.ToAccount != string(nina) || tk.State != "validatingByCustomers" {
		t.Fatalf("the task on node 2: %+v %v", tk, err)
	}
	contactdesk(t, u, "api-key", "remove", c.ApplicationKey)
	var me map[string]any
	for i, n := range nodes {
		apiError(t, n.Get("/me", &me), 403, "Client::Forbidden", "a removed key on node "+itoa(int64(i+1)))
	}
}
