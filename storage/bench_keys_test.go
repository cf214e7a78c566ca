package storage_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"contactdesk/model"
)

// The owner of an SSH key looked up, as the server does for each key a
// client offers: a customer's key and a stranger's should take as long,
// or a stranger holding someone's public key (GitHub publishes them)
// learns whether that person is a customer. 200 accounts, each with a
// key; each iteration looks up the next account's key and a key of
// nobody's, in turns first.
//
//	.ci/pg go test -run '^$' -bench 'KeyOwner' -count 6 ./storage/
func BenchmarkKeyOwner(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			d := model.NewDesk(benchStore(b, backend), model.Options{})
			const n = 200
			var registered, strangers []gossh.PublicKey
			for i := range n {
				h := fmt.Sprintf("kk%05d-ovh", i)
				if _, err := d.AddAccount(ctx, model.NewAccount{Handle: h, Name: "Key Holder", Email: "k@example.com"}); err != nil {
					b.Fatal(err)
				}
				for j, list := range []*[]gossh.PublicKey{&registered, &strangers} {
					seed := make([]byte, ed25519.SeedSize)
					copy(seed, fmt.Sprintf("%d-%d", j, i))
					pk, err := gossh.NewPublicKey(ed25519.NewKeyFromSeed(seed).Public())
					if err != nil {
						b.Fatal(err)
					}
					*list = append(*list, pk)
				}
				if _, err := d.AddKey(ctx, model.Handle(h), gossh.MarshalAuthorizedKey(registered[i])); err != nil {
					b.Fatal(err)
				}
			}
			// A registered key and a stranger's by turns, each timed:
			// the medians, and the median of the differences of the
			// pairs, hold against the load of a shared machine, which
			// moves the means of two benchmarks run one after the other.
			var reg, str, diff []float64
			for i := 0; b.Loop(); i++ {
				pair := [2]gossh.PublicKey{registered[i%n], strangers[i%n]}
				order := [2]int{0, 1}
				if i%2 == 1 {
					order = [2]int{1, 0}
				}
				var took [2]float64
				for _, j := range order {
					start := time.Now()
					_, err := d.KeyOwner(ctx, pair[j])
					took[j] = float64(time.Since(start).Nanoseconds())
					if (err == nil) != (j == 0) {
						b.Fatalf("key %d (registered: %v): %v", i%n, j == 0, err)
					}
				}
				reg, str, diff = append(reg, took[0]), append(str, took[1]), append(diff, took[0]-took[1])
			}
			b.ReportMetric(median(reg), "registered-p50-ns")
			b.ReportMetric(median(str), "stranger-p50-ns")
			b.ReportMetric(median(diff), "diff-p50-ns")
		})
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}
