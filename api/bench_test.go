package api_test

import (
	"testing"

	"contactdesk/api"
)

// benchTask makes a world without rate limits and one pending request,
// and returns its id.
func benchTask(b *testing.B) (*world, int64) {
	w := newWorld(b, api.Options{KeyRate: api.NoLimit, AddrRate: api.NoLimit})
	var ids []int64
	if err := w.client(ada).Post("/domain/"+domain+"/changeContact", map[string]string{"contactTech": string(nina)}, &ids); err != nil {
		b.Fatal(err)
	}
	return w, ids[0]
}

// BenchmarkSignedGetTask: signed GET /me/task/contactChange/{id} calls
// through go-ovh and a real HTTP server on 127.0.0.1, as many at once as
// there are CPUs (the client's signing and the loopback included).
func BenchmarkSignedGetTask(b *testing.B) {
	w, id := benchTask(b)
	cl := w.client(ada)
	path := taskPath(id)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var tk task
		for pb.Next() {
			if err := cl.Get(path, &tk); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkModelGetTask: the same read through model.Desk alone.
func BenchmarkModelGetTask(b *testing.B) {
	w, id := benchTask(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.desk.Request(w.ctx, ada, id); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
