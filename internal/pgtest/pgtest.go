// Package pgtest starts a throwaway PostgreSQL server for tests, from the
// server binaries installed under /usr/lib/postgresql, and hands each test a
// fresh database on it. One server serves a whole test binary:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// Without the binaries, DSN skips the test with a clear message; when the
// environment variable CI is "true" it fails instead, so CI cannot pass
// without having tested PostgreSQL.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

var (
	inMain  bool
	once    sync.Once
	srv     *server
	srvErr  error
	counter atomic.Int64
)

type server struct {
	dir     string // temp dir: data/, the log and the socket
	bin     string // directory of initdb, pg_ctl
	port    int
	asOwner []string // command prefix to run as the postgres user, or nil
}

// Main runs the tests of m and stops the server afterwards, if a test
// started one. Call it from TestMain.
func Main(m *testing.M) int {
	inMain = true
	code := m.Run()
	if srv != nil {
		if err := srv.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	return code
}

// DSN returns the URL of a new, empty database on the test server, started
// on first use. The database is dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	if !inMain {
		t.Fatal("pgtest: call pgtest.Main from TestMain, so the server is stopped after the tests")
	}
	once.Do(func() { srv, srvErr = start() })
	if srvErr != nil {
		if errors.Is(srvErr, errNoBinaries) && os.Getenv("CI") != "true" {
			t.Skipf("pgtest: %v; install postgresql to run the PostgreSQL half of this test", srvErr)
		}
		t.Fatalf("pgtest: %v", srvErr)
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), counter.Add(1))
	admin, err := sql.Open("pgx", srv.url("postgres"))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", srv.url("postgres"))
		if err != nil {
			t.Errorf("pgtest: %v", err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return srv.url(name)
}

func (s *server) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

var errNoBinaries = errors.New("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")

// binDir returns the bin directory of the newest installed PostgreSQL.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	var found []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			found = append(found, d)
		}
	}
	if len(found) == 0 {
		return "", errNoBinaries
	}
	version := func(d string) int { v, _ := strconv.Atoi(filepath.Base(filepath.Dir(d))); return v }
	sort.Slice(found, func(i, j int) bool { return version(found[i]) < version(found[j]) })
	return found[len(found)-1], nil
}

func start() (*server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, bin: bin}
	// initdb and postgres refuse to run as root: run them as postgres.
	if os.Geteuid() == 0 {
		if err := chownTo(dir, "postgres"); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s.asOwner = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := s.run("initdb", "-D", s.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// A port that was free a moment ago may be taken by the time the server
	// binds it; try a few.
	for range 5 {
		if s.port, err = freePort(); err != nil {
			break
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200", s.port, dir)
		var out []byte
		if out, err = s.run("pg_ctl", "-D", s.data(), "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", opts, "start"); err == nil {
			return s, nil
		}
		err = fmt.Errorf("pg_ctl start: %v\n%s%s", err, out, s.log())
	}
	os.RemoveAll(dir)
	return nil, err
}

func (s *server) data() string { return filepath.Join(s.dir, "data") }

func (s *server) log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	return string(b)
}

func (s *server) run(tool string, args ...string) ([]byte, error) {
	argv := append(append(append([]string(nil), s.asOwner...), filepath.Join(s.bin, tool)), args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

func (s *server) stop() error {
	defer os.RemoveAll(s.dir)
	if out, err := s.run("pg_ctl", "-D", s.data(), "-m", "immediate", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

func chownTo(dir, name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("running as root needs the %q user: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
