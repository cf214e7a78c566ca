package postgres

import (
	"testing"

	"contactdesk/model"
	"contactdesk/model/modeltest"
)

// TestModel runs the model's whole suite on PostgreSQL, each test on a
// database of its own.
func TestModel(t *testing.T) {
	modeltest.Run(t, func(t *testing.T) model.Store { return open(t) })
}

// TestOutbox runs the model's outbox suite (claims, leases, hand-overs,
// retries, withdrawals) on PostgreSQL too.
func TestOutbox(t *testing.T) {
	modeltest.RunOutbox(t, func(t *testing.T) model.Store { return open(t) })
}
