package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/storage"
)

// contendSlots are the changes the processes fight over: three requests
// open at a time, on which every user acts.
var contendSlots = []modeltest.Slot{
	{Requester: crashAdmin, Service: crashServices[0], Role: model.Tech, To: crashCandidates[:4]},
	{Requester: crashAdmin, Service: crashServices[1], Role: model.Billing, To: crashCandidates[3:]},
	{Requester: crashAdmin, Service: crashServices[2], Role: model.Tech, To: crashCandidates[1:5]},
}

const contendUsers, contendActions = 4, 50 // per process

// contendProcess is one process of TestContentionAcrossProcesses: it
// opens the desk, says "ready", waits for "go" on stdin, then runs
// contendUsers users of contendActions actions each, printing every
// event ("accepted 12 te10001-ovh") on stdout.
func contendProcess(path string, seed uint64) error {
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	d := model.NewDesk(db, model.Options{})
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return err
	}
	var mu sync.Mutex
	record := func(e modeltest.Event) {
		mu.Lock()
		fmt.Printf("%s %d %s\n", e.Kind, e.Request, cmp.Or(e.Party, "-"))
		mu.Unlock()
	}
	errs := make(chan error, contendUsers)
	var wg sync.WaitGroup
	for u := 0; u < contendUsers; u++ {
		wg.Add(1)
		go func(u int) {
			defer wg.Done()
			if err := modeltest.Contend(context.Background(), d, contendSlots, rand.New(rand.NewPCG(seed, uint64(u))), contendActions, record); err != nil {
				errs <- fmt.Errorf("user %d: %w", u, err)
			}
		}(u)
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// TestContentionAcrossProcesses runs 16 users at once — four processes
// of four — for 50 actions each on the same three requests of one file.
// Across processes, SQLite's lock on the file is what queues the writers
// (within one, its single writer connection): no "database is locked"
// or other storage error may reach a user, no request may be applied
// twice, no acceptance a user was told of may be lost.
func TestContentionAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	contacts := setupCrashDesk(t, path)
	const procs = 4
	type proc struct {
		cmd    *exec.Cmd
		in     io.WriteCloser
		out    *bufio.Scanner
		stderr *strings.Builder
	}
	ps := make([]proc, procs)
	for i := range ps {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashWriterEnv+"="+path, crashSeedEnv+"="+strconv.Itoa(i+1), crashModeEnv+"=contend")
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ps[i] = proc{cmd, in, bufio.NewScanner(out), &stderr}
	}
	for i, p := range ps {
		if !p.out.Scan() || p.out.Text() != "ready" {
			p.cmd.Wait()
			t.Fatalf("process %d did not start: %s", i, p.stderr)
		}
	}
	for _, p := range ps {
		io.WriteString(p.in, "go\n")
	}
	var events []modeltest.Event
	for i, p := range ps {
		for p.out.Scan() {
			f := strings.Fields(p.out.Text())
			if len(f) != 3 {
				t.Fatalf("process %d said %q", i, p.out.Text())
			}
			id, _ := strconv.ParseInt(f[1], 10, 64)
			e := modeltest.Event{Kind: f[0], Request: id}
			if f[2] != "-" {
				e.Party = model.Handle(f[2])
			}
			events = append(events, e)
		}
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("process %d: %v: %s", i, err, p.stderr)
		}
	}
	if t.Failed() {
		return
	}
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	modeltest.CheckContention(t, model.NewDesk(db, model.Options{}), crashAdmin, events)
	if problems := checkDesk(path, contacts); len(problems) > 0 {
		t.Errorf("the desk after the contention:\n  %s", strings.Join(problems, "\n  "))
	}
	applied := 0
	for _, e := range events {
		if e.Kind == modeltest.EventApplied {
			applied++
		}
	}
	t.Logf("%d users × %d actions in %d processes: %d events, %d requests applied", procs*contendUsers, contendActions, procs, len(events), applied)
}
