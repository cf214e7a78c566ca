package ratelimit

import (
	"log/slog"
	"sync"
	"time"
)

// maxRefusing bounds the addresses and keys whose refusals are counted
// at once; past it, the refusals of newcomers are counted together.
const maxRefusing = 10_000

// Refusals keeps the log of what a door refused past a rate (its 429s)
// to a line when an address or a key starts being refused, then one
// every while at most that counts those refused meanwhile, while it
// goes on. A line per refusal was the log's flood: a client past its
// rate spends nothing else of the desk's, and the refusals come as fast
// as it can send. (The metrics count every one of them.)
type Refusals struct {
	mu    sync.Mutex
	every time.Duration
	log   *slog.Logger
	msg   string
	runs  map[string]*refusing
}

// refusing is a run of refusals of one address or key.
type refusing struct {
	n     int   // refused, and not logged, since the last line
	attrs []any // whose: limit=address remote=…, limit=key app_key=…
}

// NewRefusals counts refusals in runs, and tells log of each run every
// while at most ("api calls refused past the rate", with the refused
// count).
func NewRefusals(log *slog.Logger, msg string, every time.Duration) *Refusals {
	return &Refusals{every: every, log: log, msg: msg, runs: map[string]*refusing{}}
}

// Refused tells of a refusal past the rate of key ("address
// 203.0.113.5", "key 7kQ2pX9aLm3vB8nR"), whose attrs say. It reports
// whether the refused call's own line is to be written: only the first
// of a run. The others are counted, and said in one line every r.every
// while they go on; a run is over once a whole r.every passes without
// a refusal, and the next refusal starts another.
func (r *Refusals) Refused(key string, attrs ...any) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if run, ok := r.runs[key]; ok {
		run.n++
		return false
	}
	if len(r.runs) >= maxRefusing {
		// a flood of addresses, each past its rate: their calls are
		// counted together, none of them logged one by one
		key, attrs = "others", []any{"limit", "others"}
		if run, ok := r.runs[key]; ok {
			run.n++
			return false
		}
		r.runs[key] = &refusing{n: 1, attrs: attrs}
		time.AfterFunc(r.every, func() { r.tell(key) })
		return false
	}
	r.runs[key] = &refusing{attrs: attrs}
	time.AfterFunc(r.every, func() { r.tell(key) })
	return true
}

// tell writes the line of key's run, if any call was refused since the
// last, and looks again r.every later; else the run is over.
func (r *Refusals) tell(key string) {
	r.mu.Lock()
	run := r.runs[key]
	if run.n == 0 {
		delete(r.runs, key)
		r.mu.Unlock()
		return
	}
	n := run.n
	run.n = 0
	time.AfterFunc(r.every, func() { r.tell(key) })
	r.mu.Unlock()
	r.log.Warn(r.msg, append(append([]any{}, run.attrs...), "refused", n, "within", r.every)...)
}
