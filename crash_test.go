package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/storage"
)

// The crash tests kill writers with SIGKILL at random moments, two kinds
// of them, and check the file after each kill with checkDesk:
//
//   - the program, one command at a time, as scripts and support
//     staff run it: a kill can land while it opens the file, inside its
//     transaction, in the commit's sync, or while its close copies the
//     WAL back into the file and deletes it;
//   - a long-lived writer, the way the terminal app and the SSH server
//     write: one process, many goroutines, thousands of transactions
//     through one connection, the checkpointer copying the WAL beside
//     them. No command of the program writes in a loop by itself, so this
//     writer is the test binary, started again with
//     $CONTACTDESK_CRASH_WRITER set (see init): the same model and
//     storage code the binary runs, on a real file, in its own process.

// crashEnv holds what a re-executed test binary is asked to do.
const (
	crashWriterEnv = "CONTACTDESK_CRASH_WRITER" // the database file
	crashSeedEnv   = "CONTACTDESK_CRASH_SEED"
	crashModeEnv   = "CONTACTDESK_CRASH_MODE" // "loop" or "contend"
)

func init() {
	// Runs before TestMain: a re-executed test binary does its chore and
	// exits without running any test.
	if path := os.Getenv(crashWriterEnv); path != "" {
		seed, _ := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
		var err error
		if os.Getenv(crashModeEnv) == "contend" {
			err = contendProcess(path, seed)
		} else {
			err = writerLoop(path, seed)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "writer:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
}

// The crash desk: one admin of every service, their tech and billing
// contacts, and accounts to hand roles to.
var (
	crashAdmin      model.Handle = "ad10000-ovh"
	crashCandidates              = []model.Handle{"te10001-ovh", "te10002-ovh", "te10003-ovh", "te10004-ovh", "bi10005-ovh", "bi10006-ovh"}
	crashServices                = []string{"alpha.pt", "beta.pt", "gamma.com", "delta.net", "web.epsilon.pt", "vps-zeta.vps.ovh.net"}
)

// setupCrashDesk makes the desk the writers work on and returns each
// service's first contacts.
func setupCrashDesk(t *testing.T, path string) map[string][3]model.Handle {
	t.Helper()
	db, err := storage.Open(path, storage.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := model.NewDesk(db, model.Options{RequestsPerHour: model.NoLimit})
	ctx := context.Background()
	for i, h := range append([]model.Handle{crashAdmin}, crashCandidates...) {
		if _, err := d.AddAccount(ctx, model.NewAccount{Handle: string(h), Name: fmt.Sprintf("Person %d", i), Email: string(h) + "@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	contacts := map[string][3]model.Handle{}
	for i, s := range crashServices {
		tech, billing := crashCandidates[i%4], crashCandidates[4+i%2]
		if _, err := d.AddService(ctx, model.NewService{Name: s, Type: model.TypeHosting, Admin: string(crashAdmin), Tech: string(tech), Billing: string(billing)}); err != nil {
			t.Fatal(err)
		}
		contacts[s] = [3]model.Handle{crashAdmin, tech, billing}
	}
	return contacts
}

// writerLoop is the long-lived writer: four goroutines that, until the
// process is killed, ask for changes of tech or billing contact and
// answer them — mostly accepting, sometimes refusing, resending the
// mail first, or cancelling. A refusal by a rule (another goroutine got
// there first) is part of the game; any other error ends the process
// with exit code 3, which the test reports. Each request made is
// printed ("made N") once its transaction has committed: the test
// checks that every request so acknowledged survives the kill.
func writerLoop(path string, seed uint64) error {
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		return err
	}
	d := model.NewDesk(db, model.Options{RequestsPerHour: model.NoLimit})
	ctx := context.Background()
	var mu sync.Mutex
	made := func(id int64) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf("made %d\n", id)
	}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func(g int) {
			rng := rand.New(rand.NewPCG(seed, uint64(g)))
			for {
				if err := crashStep(ctx, d, rng, made); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	return <-errs
}

// crashStep makes one change request and answers it. A request left
// waiting by an earlier writer, killed before it answered, would keep
// its service's role from ever being asked again: when the desk refuses
// a new request, the step cancels the one in the way (as its requester
// may), so that the writers keep writing kill after kill.
func crashStep(ctx context.Context, d *model.Desk, rng *rand.Rand, made func(int64)) error {
	service := crashServices[rng.IntN(len(crashServices))]
	role := []model.Role{model.Tech, model.Billing}[rng.IntN(2)]
	to := crashCandidates[rng.IntN(len(crashCandidates))]
	rs, err := d.CreateRequest(ctx, crashAdmin, model.NewRequest{Service: service, Roles: []model.Role{role}, To: string(to)})
	if err != nil {
		if model.IsRefusal(err) {
			return cancelInTheWay(ctx, d, service, role)
		}
		return fmt.Errorf("create: %w", err)
	}
	r := rs[0]
	made(r.ID)
	for _, p := range r.Parties {
		tok, err := newestToken(ctx, d, p.Handle, r.ID)
		if err != nil {
			return err
		}
		dice := rng.IntN(100)
		switch {
		case dice < 5:
			_, err = d.Refuse(ctx, p.Handle, r.ID, tok)
		case dice < 10:
			_, err = d.Cancel(ctx, r.Requester, r.ID)
		case dice < 20:
			if _, err = d.Resend(ctx, p.Handle, r.ID); err == nil {
				if tok, err = newestToken(ctx, d, p.Handle, r.ID); err == nil {
					_, err = d.Accept(ctx, p.Handle, r.ID, tok)
				}
			}
		default:
			_, err = d.Accept(ctx, p.Handle, r.ID, tok)
		}
		if err != nil && !model.IsRefusal(err) {
			return fmt.Errorf("answer #%d as %s: %w", r.ID, p.Handle, err)
		}
		if err != nil || dice < 10 {
			return nil
		}
	}
	return nil
}

// cancelInTheWay cancels the request still waiting on service's role,
// if any.
func cancelInTheWay(ctx context.Context, d *model.Desk, service string, role model.Role) error {
	rs, err := d.Requests(ctx, crashAdmin)
	if err != nil {
		return fmt.Errorf("requests: %w", err)
	}
	for _, r := range rs {
		if r.Service == service && r.HasRole(role) && !r.State.Ended() && r.Requester == crashAdmin {
			if _, err := d.Cancel(ctx, crashAdmin, r.ID); err != nil && !model.IsRefusal(err) {
				return fmt.Errorf("cancel #%d: %w", r.ID, err)
			}
		}
	}
	return nil
}

func newestToken(ctx context.Context, d *model.Desk, h model.Handle, id int64) (string, error) {
	ms, err := d.Mails(ctx, h)
	if err != nil {
		return "", fmt.Errorf("mails of %s: %w", h, err)
	}
	for _, m := range ms {
		if m.RequestID == id && m.Kind == model.MailConfirm {
			return m.Token, nil
		}
	}
	return "", nil
}

// startWriter starts the test binary again as a writer of the given mode
// and waits for its first line.
func startWriter(t *testing.T, path, mode string, seed uint64) (*exec.Cmd, *bufio.Scanner, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashWriterEnv+"="+path, crashSeedEnv+"="+strconv.FormatUint(seed, 10), crashModeEnv+"="+mode)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A test that fails half-way must not leave its writer behind,
	// writing for ever.
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, bufio.NewScanner(stdout), &stderr
}

// killedBySIGKILL reports whether a finished command died of SIGKILL.
func killedBySIGKILL(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

func TestCrashSafety(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "desk.db")
	contacts := setupCrashDesk(t, path)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d (CONTACTDESK_CRASH_SEED to replay the writers' choices; the kill times differ)", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	check := func(after string) {
		t.Helper()
		if problems := checkDesk(path, contacts); len(problems) > 0 {
			t.Fatalf("after %s:\n  %s", after, strings.Join(problems, "\n  "))
		}
	}
	const writerKills, commandKills = 13, 12

	// The long-lived writer, killed while it works. Every request it
	// said it made (its transaction committed) must be in the file.
	var acknowledged []int64
	for k := 1; k <= writerKills; k++ {
		cmd, out, stderr := startWriter(t, path, "loop", seed+uint64(k))
		if !out.Scan() {
			cmd.Wait()
			t.Fatalf("kill %d: the writer stopped before its first change: %s", k, stderr)
		}
		time.Sleep(time.Duration(10+rng.IntN(300)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		// The pipe ends with the process: read what it said, then reap it.
		for more := true; more; more = out.Scan() {
			var id int64
			if _, err := fmt.Sscanf(out.Text(), "made %d", &id); err != nil {
				t.Fatalf("kill %d: the writer said %q", k, out.Text())
			}
			acknowledged = append(acknowledged, id)
		}
		if err := cmd.Wait(); !killedBySIGKILL(err) {
			t.Fatalf("kill %d: the writer ended by itself (%v): %s", k, err, stderr)
		}
		check(fmt.Sprintf("SIGKILL %d of the long-lived writer", k))
		if lost := missingRequests(t, path, acknowledged); len(lost) > 0 {
			t.Fatalf("after SIGKILL %d of the long-lived writer: requests it had made are gone: %v", k, lost)
		}
	}
	t.Logf("the writers made %d requests before their kills", len(acknowledged))

	// The program, one command at a time, some killed.
	env := programEnv("CONTACTDESK_DB="+path, "HOME="+dir)
	kills := 0
	for runs := 0; kills < commandKills; runs++ {
		if runs > 3000 {
			t.Fatalf("only %d of %d commands could be killed in %d runs", kills, commandKills, runs)
		}
		args := nextCommand(t, path, rng)
		cmd := exec.Command(binary, args...)
		cmd.Dir, cmd.Env = dir, env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var timer *time.Timer
		if rng.IntN(3) == 0 {
			delay := time.Duration(rng.IntN(40_000)) * time.Microsecond
			timer = time.AfterFunc(delay, func() { cmd.Process.Signal(syscall.SIGKILL) })
		}
		err := cmd.Wait()
		if timer != nil {
			timer.Stop()
		}
		switch {
		case killedBySIGKILL(err):
			kills++
			check(fmt.Sprintf("SIGKILL %d of %v", kills, args))
		case err != nil && (strings.Contains(stderr.String(), "locked") || strings.Contains(stderr.String(), "busy") || !strings.HasPrefix(stderr.String(), "contactdesk: ")):
			t.Fatalf("%v: %v: %s", args, err, stderr.String())
		}
	}

	// What is left works: a whole request's life on the same file.
	check("the last kill")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	desk := model.NewDesk(db, model.Options{RequestsPerHour: model.NoLimit})
	ctx := context.Background()
	done := 0
	for _, s := range crashServices {
		rs, err := desk.CreateRequest(ctx, crashAdmin, model.NewRequest{Service: s, Roles: []model.Role{model.Admin}, To: string(crashCandidates[0])})
		if err != nil {
			continue // a request may be pending on it: fine, try the next
		}
		r := rs[0]
		for _, p := range r.Parties {
			tok, _ := newestToken(ctx, desk, p.Handle, r.ID)
			if r, err = desk.Accept(ctx, p.Handle, r.ID, tok); err != nil {
				t.Fatalf("after the kills, accepting #%d as %s: %v", rs[0].ID, p.Handle, err)
			}
		}
		if r.State == model.StateDone {
			done++
		}
	}
	if done == 0 {
		t.Fatal("after the kills, no request could be done")
	}
	var finished int
	raw, _ := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	defer raw.Close()
	raw.QueryRow("SELECT count(*) FROM requests WHERE state = 'done'").Scan(&finished)
	t.Logf("%d requests done in all", finished)
}

// missingRequests returns those of ids that the desk at path does not hold.
func missingRequests(t *testing.T, path string, ids []int64) []int64 {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var lost []int64
	for _, id := range ids {
		var n int
		if err := raw.QueryRow("SELECT count(*) FROM requests WHERE id = ?", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			lost = append(lost, id)
		}
	}
	return lost
}

// nextCommand picks the next command of the scripted user: answer a
// request still waiting (with the token of the party's newest mail), or
// ask for a change.
func nextCommand(t *testing.T, path string, rng *rand.Rand) []string {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=rw&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	type waiting struct {
		id    int64
		party string
		token string
	}
	var ws []waiting
	rows, err := raw.Query(`SELECT p.request_id, p.handle, (SELECT token FROM mails m WHERE m.request_id = p.request_id AND m.to_handle = p.handle
			AND m.kind = 'confirm' ORDER BY m.id DESC LIMIT 1)
		FROM parties p JOIN requests r ON r.id = p.request_id WHERE r.state = 'validatingByCustomers' AND p.answer = 'pending'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var w waiting
		var tok sql.NullString
		if err := rows.Scan(&w.id, &w.party, &tok); err != nil {
			t.Fatal(err)
		}
		w.token = tok.String
		ws = append(ws, w)
	}
	rows.Close()
	if len(ws) > 0 && rng.IntN(4) > 0 {
		w := ws[rng.IntN(len(ws))]
		id := strconv.FormatInt(w.id, 10)
		switch rng.IntN(20) {
		case 0:
			return []string{"request", "refuse", id, "--as", w.party, "--token", w.token}
		case 1:
			return []string{"request", "resend", id, "--as", w.party}
		default:
			return []string{"request", "accept", id, "--as", w.party, "--token", w.token}
		}
	}
	role := []string{"tech", "billing"}[rng.IntN(2)]
	return []string{"request", "create", "--as", string(crashAdmin), "--service", crashServices[rng.IntN(len(crashServices))],
		"--role", role, "--to", string(crashCandidates[rng.IntN(len(crashCandidates))])}
}
