package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestBackupWhileServing takes ten backups of a desk while it is in use
// as a provider runs it: contactdesk serve holding it open (its
// checkpointer and watcher at work), a long-lived writer making and
// answering requests from four goroutines, as the SSH sessions of serve
// write (the writer of the crash tests), and commands of the program
// writing one after the other. Each copy must pass checkDesk — SQLite's
// integrity check, no request half-applied, every contact explained by
// the requests done — and hold a prefix of the desk's history: the desk
// as it stood at one instant.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "desk.db")
	contacts := setupCrashDesk(t, path)
	env := programEnv("CONTACTDESK_DB="+path, "HOME="+dir)

	serve := exec.Command(binary, "serve", "--listen", "127.0.0.1:0", "--host-key", filepath.Join(dir, "host_key"))
	serve.Dir, serve.Env = dir, env
	logs, err := serve.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(syscall.SIGTERM)
		serve.Wait()
	}()
	sc := bufio.NewScanner(logs)
	for sc.Scan() && !strings.Contains(sc.Text(), "msg=serving") {
	}
	go func() {
		for sc.Scan() {
		}
	}()

	writer, out, stderr := startWriter(t, path, "loop", uint64(time.Now().UnixNano()))
	if !out.Scan() {
		writer.Wait()
		t.Fatalf("the writer stopped before its first change: %s", stderr)
	}
	// The writer says each request it makes: read them, so that it
	// never waits on a full pipe.
	go func() {
		for out.Scan() {
		}
	}()
	stop := make(chan struct{})
	var commands atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(1, 2))
		for {
			select {
			case <-stop:
				return
			default:
			}
			cmd := exec.Command(binary, nextCommand(t, path, rng)...)
			cmd.Dir, cmd.Env = dir, env
			if err := cmd.Run(); err == nil {
				commands.Add(1)
			}
		}
	}()

	var copies []string
	for i := range 10 {
		time.Sleep(time.Duration(50+rand.IntN(200)) * time.Millisecond)
		p := filepath.Join(dir, fmt.Sprintf("copy-%d.db", i))
		r := runProgram(t, dir, []string{"CONTACTDESK_DB=" + path, "HOME=" + dir}, "backup", p)
		if r.code != 0 {
			t.Fatalf("backup %d: exit %d: %s", i, r.code, r.err)
		}
		copies = append(copies, p)
	}
	close(stop)
	wg.Wait()
	writer.Process.Signal(syscall.SIGKILL)
	writer.Wait()

	final := historyRows(t, path)
	t.Logf("%d history lines in the end, %d commands ran beside the writer", len(final), commands.Load())
	lengths := map[int]bool{}
	for i, p := range copies {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("copy %d: %v, mode %v", i, err, fi.Mode().Perm())
		}
		if problems := checkDesk(p, contacts); len(problems) > 0 {
			t.Fatalf("copy %d:\n  %s", i, strings.Join(problems, "\n  "))
		}
		rows := historyRows(t, p)
		if len(rows) > len(final) {
			t.Fatalf("copy %d has %d history lines, the desk %d", i, len(rows), len(final))
		}
		for k, row := range rows {
			if row != final[k] {
				t.Fatalf("copy %d: history line %d is %q, the desk's %q: not a prefix", i, k+1, row, final[k])
			}
		}
		lengths[len(rows)] = true
	}
	if len(lengths) < 3 {
		t.Errorf("the ten copies hold only %d different histories: the writers hardly wrote meanwhile", len(lengths))
	}
}

// historyRows reads a desk's history, by id, each line as text; ids
// must run 1, 2, 3… with no gap.
func historyRows(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT id, at, actor, action, coalesce(service_id, 0), coalesce(request_id, 0), detail FROM history ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, at, sid, rid int64
		var actor, action, detail string
		if err := rows.Scan(&id, &at, &actor, &action, &sid, &rid, &detail); err != nil {
			t.Fatal(err)
		}
		if id != int64(len(out)+1) {
			t.Fatalf("%s: history line %d has id %d", path, len(out)+1, id)
		}
		out = append(out, fmt.Sprintf("%d %d %s %s %d %d %s", id, at, actor, action, sid, rid, detail))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
