package model

import (
	"context"
	"time"
)

// What running a desk needs beside its users' actions: a health check,
// the figures a monitor reads, and an export.

// Gauges are what the desk holds now, for a monitor.
type Gauges struct {
	// Requests counts the requests in each of States (every one there,
	// 0 when none), as they stand now: one waiting past its expiry is
	// expired.
	Requests map[State]int
	// OutboxPending counts the mails the SMTP outbox has still to send.
	OutboxPending int
}

// Gauges reads the desk's gauges in one snapshot.
func (d *Desk) Gauges(ctx context.Context) (Gauges, error) {
	var g Gauges
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		counts, err := tx.RequestCounts(now)
		if err != nil {
			return err
		}
		g.Requests = make(map[State]int, len(States))
		for _, s := range States {
			g.Requests[s] = 0
		}
		for s, n := range counts {
			g.Requests[s] += n
		}
		g.OutboxPending, err = tx.OutboxPending()
		return err
	})
	return g, err
}

// exportPage is how many services an export reads at a time.
const exportPage = 1000

// EachService calls fn with every service of the desk, by name, as
// one snapshot holds them (support staff's export). It stops at fn's
// first error and returns it.
func (d *Desk) EachService(ctx context.Context, fn func(Service) error) error {
	return d.view(ctx, func(tx Tx, _ time.Time) error {
		after := ""
		for {
			ss, err := tx.ServicesAfter(after, exportPage)
			if err != nil {
				return err
			}
			for _, s := range ss {
				if err := fn(s); err != nil {
					return err
				}
			}
			if len(ss) < exportPage {
				return nil
			}
			after = ss[len(ss)-1].Name
		}
	})
}
