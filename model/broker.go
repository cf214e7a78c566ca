package model

import (
	"slices"
	"sync"
)

// Change tells subscribers that some data changed. Handles lists the
// accounts whose screens show it; All means "anything may have changed"
// (another process or node wrote).
type Change struct {
	Handles []Handle
	All     bool
}

// Concerns reports whether h's screens may show what changed.
func (c Change) Concerns(h Handle) bool { return c.All || slices.Contains(c.Handles, h) }

// Broker passes changes from the desk to whoever shows them, in process:
// each subscriber has a one-slot mailbox, so a slow one never blocks a
// writer and a burst of changes arrives as one reload.
type Broker struct {
	mu   sync.Mutex
	next int
	subs map[int]subscriber
}

type subscriber struct {
	h  Handle // "" for every change
	ch chan Change
}

// NewBroker returns an empty broker.
func NewBroker() *Broker { return &Broker{subs: map[int]subscriber{}} }

// Subscribe returns a channel that receives the changes concerning h (all
// changes when h is empty), and a function that ends the subscription.
func (b *Broker) Subscribe(h Handle) (<-chan Change, func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	ch := make(chan Change, 1)
	b.subs[id] = subscriber{h: h, ch: ch}
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs, id)
	}
}

// Publish hands c to every subscriber it concerns, without waiting.
func (b *Broker) Publish(c Change) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.subs {
		if s.h != "" && !c.Concerns(s.h) {
			continue
		}
		select {
		case s.ch <- c:
		default: // a change is already waiting: the reload it causes covers this one
		}
	}
}

// Subscribers counts the open subscriptions.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}
