package storage_test

import (
	"os"
	"path/filepath"
	"testing"

	"contactdesk/storage/postgres/pgtest"
)

// TestMain drops the PostgreSQL desk the benchmarks built for this run
// and stops the cluster the tests may have started, and removes the
// 100,000-service desk the benchmarks copied or built for this run
// (about 200 MB), which outlives each benchmark.
func TestMain(m *testing.M) {
	code := m.Run()
	if bigPG.drop != nil {
		bigPG.drop()
	}
	pgtest.Stop()
	if big.path != "" {
		os.RemoveAll(filepath.Dir(big.path))
	}
	os.Exit(code)
}
