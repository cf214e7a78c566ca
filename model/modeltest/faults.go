package modeltest

import (
	"context"
	"fmt"
	"sync/atomic"

	"contactdesk/model"
)

// HangingStore is a database that stops answering without refusing (a
// network partition, a server stopped with SIGSTOP): while Hung is set,
// every read and write waits until its caller gives up, and fails with
// the caller's context error. The doors' tests of a hung database share
// it.
type HangingStore struct {
	model.Store
	Hung *atomic.Bool
}

func (s HangingStore) View(ctx context.Context, fn func(model.Tx) error) error {
	if s.Hung.Load() {
		<-ctx.Done()
		return ctx.Err()
	}
	return s.Store.View(ctx, fn)
}

func (s HangingStore) Update(ctx context.Context, fn func(model.Tx) error) error {
	if s.Hung.Load() {
		<-ctx.Done()
		return ctx.Err()
	}
	return s.Store.Update(ctx, fn)
}

// UnsureStore saves every write, and then, while Unsure is set, says
// that it could not see whether it was saved: its COMMIT's answer never
// came (model.ErrMaybeSaved).
type UnsureStore struct {
	model.Store
	Unsure *atomic.Bool
}

func (s UnsureStore) Update(ctx context.Context, fn func(model.Tx) error) error {
	err := s.Store.Update(ctx, fn)
	if err == nil && s.Unsure.Load() {
		return fmt.Errorf("the server did not answer while saving: %w", model.ErrMaybeSaved)
	}
	return err
}
