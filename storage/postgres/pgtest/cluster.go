package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"os/user"
	"path/filepath"
	"slices"
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
	server *os.Process
	exited chan struct{} // closed when the server process ends
}

// Stop ends the throwaway cluster, if one was started, and removes its
// folder. Test binaries call it from TestMain after m.Run.
func Stop() {
	if p := cluster.server; p != nil {
		p.Signal(syscall.SIGINT) // fast shutdown
		select {
		case <-cluster.exited:
		case <-time.After(10 * time.Second):
			p.Kill()
			<-cluster.exited
		}
		cluster.server = nil
	}
	if cluster.dir != "" {
		os.RemoveAll(cluster.dir)
	}
}

func throwaway() (string, error) {
	cluster.once.Do(func() {
		if cluster.url, cluster.err = start(); cluster.err != nil {
			Stop()
		}
	})
	return cluster.url, cluster.err
}

// binDir finds the folder of initdb and postgres: $PG_BIN, the newest
// Debian-style /usr/lib/postgresql/N/bin, /usr/local/pgsql/bin, or that
// of initdb on $PATH.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(d string) int { n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d))); return n }
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	dirs = append(dirs, "/usr/local/pgsql/bin")
	if p, err := osexec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	if d := os.Getenv("PG_BIN"); d != "" {
		dirs = []string{d}
	}
	for _, d := range dirs {
		_, e1 := os.Stat(filepath.Join(d, "initdb"))
		_, e2 := os.Stat(filepath.Join(d, "postgres"))
		if e1 == nil && e2 == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no PostgreSQL server binaries (initdb, postgres) were found in %v", dirs)
}

func start() (string, error) {
	bin, err := binDir()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "contactdesk-pg.")
	if err != nil {
		return "", err
	}
	cluster.dir = dir
	os.Chmod(dir, 0o755)
	// initdb refuses root: as root, the cluster runs as nobody.
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return "", fmt.Errorf("running as root, the cluster needs the user nobody: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", err
		}
	}
	command := func(name string, args ...string) *osexec.Cmd {
		c := osexec.Command(filepath.Join(bin, name), args...)
		c.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL, Setpgid: true}
		c.Dir = dir
		return c
	}
	data, logName := filepath.Join(dir, "data"), filepath.Join(dir, "server.log")
	if out, err := command("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb failed: %v\n%s", err, out)
	}
	srv := command("postgres", "-D", data, "-k", dir, "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300")
	if srv.Stdout, err = os.Create(logName); err != nil {
		return "", err
	}
	srv.Stderr = srv.Stdout
	if err := srv.Start(); err != nil {
		return "", fmt.Errorf("starting postgres: %w", err)
	}
	cluster.server, cluster.exited = srv.Process, make(chan struct{})
	go func() { srv.Wait(); close(cluster.exited) }()
	url := "postgres://postgres@/postgres?host=" + dir + "&sslmode=disable"
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgx.Connect(ctx, url)
		cancel()
		if err == nil {
			c.Close(context.Background())
			return url, nil
		}
		select {
		case <-cluster.exited:
			cluster.server = nil
			log, _ := os.ReadFile(logName)
			return "", fmt.Errorf("postgres stopped at start:\n%s", log)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return "", errors.New("postgres did not accept connections within 60 s")
}
