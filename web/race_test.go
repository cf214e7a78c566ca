package web_test

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/web"
)

// atOnce sends n copies of one answer at once, as a double click or an
// impatient reload does, and returns the pages.
func (w *world) atOnce(n int, send func() page) []page {
	pages := make([]page, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range pages {
		wg.Go(func() {
			<-start
			pages[i] = send()
		})
	}
	close(start)
	wg.Wait()
	return pages
}

// TestAnswersSentAtOnce: six answers sent at once with one token make
// one answer; the five others get what a second answer gets a moment
// later — "you have already accepted", 410 — whichever step of the
// answer they met the first one at. The same on a change of address's
// page.
func TestAnswersSentAtOnce(t *testing.T) {
	w := newWorld(t, web.Options{})
	for round := range 3 {
		r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
		tok := w.Token(modeltest.T, r.ID)
		pages := w.atOnce(6, func() page { return w.post(r.ID, tok, "accept") })
		var statuses []int
		for _, p := range pages {
			statuses = append(statuses, p.status)
			switch p.status {
			case http.StatusOK:
				want(t, p, http.StatusOK, "You accepted request #")
			case http.StatusGone:
				want(t, p, http.StatusGone, "You have already accepted request #")
			}
		}
		sort.Ints(statuses)
		if statuses[0] != http.StatusOK || statuses[1] != http.StatusGone || statuses[5] != http.StatusGone {
			t.Errorf("round %d: six answers at once got %v, want one 200 and five 410", round, statuses)
		}
		if got := w.Request(modeltest.T, r.ID); len(got.Awaited()) != 2 {
			t.Errorf("round %d: awaited %v", round, got.Awaited())
		}
		if _, err := w.Desk.Cancel(w.Ctx, modeltest.A, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	c, tok := w.askEmail("ted@new.example")
	pages := w.atOnce(6, func() page { return w.postEmail(c.ID, tok, "accept") })
	var statuses []int
	for _, p := range pages {
		statuses = append(statuses, p.status)
		if p.status == http.StatusGone {
			want(t, p, http.StatusGone, "This change of address was already confirmed")
		}
	}
	sort.Ints(statuses)
	if statuses[0] != http.StatusOK || statuses[1] != http.StatusGone || statuses[5] != http.StatusGone {
		t.Errorf("six confirmations at once got %v, want one 200 and five 410", statuses)
	}
}

// TestWrongTokensSentAtOnce: wrong tokens sent at once from one address
// get no more tries than the throttle allows, 10, however many come
// together: each try is reserved before its token is looked up. Before,
// every one of them passed the look before any was counted: of 64 sent
// at once, 11 to 13 were tried.
func TestWrongTokensSentAtOnce(t *testing.T) {
	w := newWorld(t, web.Options{})
	r := w.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	for round := range 10 {
		w.client = fmt.Sprintf("198.51.100.%d:4000", round+1)
		var n atomic.Int32
		pages := w.atOnce(64, func() page {
			return w.get(link(r.ID, fmt.Sprintf("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-%04d", n.Add(1))))
		})
		count := map[int]int{}
		for _, p := range pages {
			count[p.status]++
		}
		if count[http.StatusForbidden] != web.DefaultClientGuesses || count[http.StatusTooManyRequests] != 64-web.DefaultClientGuesses {
			t.Errorf("round %d: 64 wrong tokens sent at once from one address got %v; want %d tried (403), the others 429",
				round, count, web.DefaultClientGuesses)
		}
	}
	// A right token, from an address that has not guessed, opens its page.
	w.client = "203.0.113.1:4000"
	want(t, w.get(link(r.ID, w.Token(modeltest.N, r.ID))), http.StatusOK, "You answer as ne44444-ovh")
}
