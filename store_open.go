package main

import (
	"context"

	"contactdesk/model"
	"contactdesk/storage"
)

// openStore opens the database named by --db (or $CONTACTDESK_DB).
func openStore(_ context.Context, path string, create bool) (model.Store, error) {
	return storage.Open(path, storage.Options{Create: create})
}
