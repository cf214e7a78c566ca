package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// The throwaway cluster: one per test binary, in a temporary folder,
// listening on a Unix socket there only (no TCP port to clash with),
// trusting local logins and running without fsync — for tests, never for
// data. The server is this process's child and is killed with it
// (Pdeathsig), so a test binary that dies leaves no server behind.
var cluster struct {
	once   sync.Once
	url    string
	err    error
	dir    string
	proc   *os.Process
	exited chan error // receives when the server process ends
}

// Stop ends the throwaway cluster, if one was started, and removes its
// folder. Test binaries call it from TestMain after m.Run.
func Stop() {
	if cluster.proc != nil {
		cluster.proc.Signal(syscall.SIGINT) // fast shutdown
		select {
		case <-cluster.exited:
		case <-time.After(10 * time.Second):
			cluster.proc.Kill()
			<-cluster.exited
		}
		cluster.proc = nil
	}
	if cluster.dir != "" {
		os.RemoveAll(cluster.dir)
	}
}

func throwaway() (string, error) {
	cluster.once.Do(func() {
		cluster.url, cluster.err = start()
		if cluster.err != nil {
			Stop()
		}
	})
	return cluster.url, cluster.err
}

// binDir finds the folder of initdb and postgres: $PG_BIN, the newest
// Debian-style /usr/lib/postgresql/N/bin, or $PATH.
func binDir() (string, error) {
	ok := func(d string) bool {
		_, e1 := os.Stat(filepath.Join(d, "initdb"))
		_, e2 := os.Stat(filepath.Join(d, "postgres"))
		return e1 == nil && e2 == nil
	}
	if d := os.Getenv("PG_BIN"); d != "" {
		if ok(d) {
			return d, nil
		}
		return "", fmt.Errorf("PG_BIN=%s holds no initdb and postgres", d)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	dirs = append(dirs, "/usr/local/pgsql/bin")
	if p, err := osexec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if ok(d) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries (initdb, postgres) were found")
}

// owner is who runs the cluster: initdb refuses root, so as root the
// cluster runs as nobody.
func owner() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("running as root, the cluster needs the user nobody: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func start() (string, error) {
	bin, err := binDir()
	if err != nil {
		return "", err
	}
	cred, err := owner()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "contactdesk-pg.")
	if err != nil {
		return "", err
	}
	cluster.dir = dir
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return "", err
		}
	}
	os.Chmod(dir, 0o755)
	data := filepath.Join(dir, "data")
	initdb := osexec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb failed: %v\n%s", err, out)
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return "", err
	}
	if cred != nil {
		logf.Chown(int(cred.Uid), int(cred.Gid))
	}
	srv := osexec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir,
		"-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300")
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL, Setpgid: true}
	srv.Dir = dir
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		return "", fmt.Errorf("starting postgres: %w", err)
	}
	cluster.proc = srv.Process
	url := "postgres://postgres@/postgres?host=" + dir + "&sslmode=disable"
	exited := make(chan error, 1)
	cluster.exited = exited
	go func() { exited <- srv.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgx.Connect(ctx, url)
		cancel()
		if err == nil {
			c.Close(context.Background())
			return url, nil
		}
		select {
		case err := <-exited:
			cluster.proc = nil
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return "", fmt.Errorf("postgres stopped at start (%v):\n%s", err, log)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", errors.New("postgres did not accept connections within 60 s")
		}
	}
}
