package storage_test

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain removes the 100,000-service desk the benchmarks copied or
// built for this run (about 200 MB), which outlives each benchmark.
func TestMain(m *testing.M) {
	code := m.Run()
	if big.path != "" {
		os.RemoveAll(filepath.Dir(big.path))
	}
	os.Exit(code)
}
