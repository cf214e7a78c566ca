package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDemo100k builds the demo desk of 100,000 services as
// "contactdesk demo --services 100000" does: accounts, services, about
// a million history lines, ten thousand requests in every state, then
// the deferred indexes and the switch to WAL.
func BenchmarkDemo100k(b *testing.B) {
	a := &app{ctx: context.Background(), stdin: os.Stdin, stdout: io.Discard, out: io.Discard, stderr: io.Discard, env: func(string) string { return "" }}
	for i := 0; i < b.N; i++ {
		path := filepath.Join(b.TempDir(), "desk.db")
		sum, err := buildDemo(a, path, fileMode, 100_000, func(int, int) {})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Services != 100_000 {
			b.Fatalf("%d services", sum.Services)
		}
	}
}
