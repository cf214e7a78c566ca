package storage_test

import (
	"fmt"
	"testing"

	"contactdesk/model/modeltest"
)

// BenchmarkCreateAcceptParallel100k runs whole request lives with 4 and
// 16 people at once on the 100,000-service desk.
func BenchmarkCreateAcceptParallel100k(b *testing.B) {
	for _, users := range []int{4, 16} {
		b.Run(fmt.Sprintf("users=%d", users), func(b *testing.B) {
			d, db := bigDesk(b)
			ss, cands := upToDateServices(b, db, 20000)
			modeltest.BenchCreateAcceptParallel(b, d, ss, cands, users)
		})
	}
}
