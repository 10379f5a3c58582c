package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/pgtest"
)

// binary is the pflicht executable TestMain builds once for all tests.
var binary string

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pflicht-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 3
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "pflicht")
	build := exec.Command("go", "build", "-o", binary, "./cmd/pflicht")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/pflicht: %v\n%s", err, out)
		return 3
	}
	return pgtest.Main(m)
}

// password is every seeded account's password.
const password = "e2e-correct-horse-battery"

// location is where a server keeps its data: a SQLite data directory or a
// PostgreSQL URL. CLI commands get the same flags, so they see the same data.
type location struct{ data, db string }

func sqliteAt(t *testing.T) location { return location{data: t.TempDir()} }

func (l location) flags() []string {
	if l.db != "" {
		return []string{"--db", l.db}
	}
	return []string{"--data", l.data}
}

// cli runs a pflicht command against loc with stdin and returns its
// standard output; a non-zero exit fails the test.
func cli(t *testing.T, loc location, stdin string, args ...string) string {
	t.Helper()
	out, err := cliErr(loc, stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func cliErr(loc location, stdin string, args ...string) (string, error) {
	cmd := exec.Command(binary, append(args, loc.flags()...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("pflicht %s: %w\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// addUser creates an account with role (and organisation, for the
// organisation roles) through `pflicht user add`.
func addUser(t *testing.T, loc location, email, role, org string) {
	t.Helper()
	args := []string{"user", "add", email, "--role", role}
	if org != "" {
		args = append(args, "--org", org)
	}
	cli(t, loc, password+"\n", args...)
}

// newToken creates an API token for email through `pflicht token create`.
func newToken(t *testing.T, loc location, email string) string {
	t.Helper()
	tok := strings.TrimSpace(cli(t, loc, "", "token", "create", "--user", email, "--expires", "1d"))
	if tok == "" || strings.ContainsAny(tok, " \n") {
		t.Fatalf("pflicht token create printed %q, want one token", tok)
	}
	return tok
}

// server is a running `pflicht serve` child process.
type server struct {
	t    *testing.T
	loc  location
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:PORT
	log  *syncBuffer
	done chan error // receives the exit of the process
	gone bool       // stop or kill has ended it
}

// listening matches the log line serve writes once it accepts requests.
var listening = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startServer runs `pflicht serve` on a free port (port 0: the server picks
// it and logs it) and waits until /healthz answers. The test's cleanup
// stops it with SIGTERM and checks that it exits cleanly.
func startServer(t *testing.T, loc location) *server {
	t.Helper()
	s := &server{t: t, loc: loc, log: &syncBuffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, loc.flags()...)...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stdout = s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start pflicht serve: %v", err)
	}
	addr := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(s.log, line)
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() {
		<-copied // Wait must not close the pipe while it is read
		s.done <- s.cmd.Wait()
	}()
	t.Cleanup(func() {
		if !s.gone {
			s.stop()
		}
	})
	select {
	case a := <-addr:
		s.url = "http://" + a
	case err := <-s.done:
		s.gone = true
		t.Fatalf("pflicht serve exited before listening: %v\n%s", err, s.log)
	case <-time.After(30 * time.Second):
		s.kill()
		t.Fatalf("pflicht serve did not log its address within 30s\n%s", s.log)
	}
	s.waitHealthy()
	return s
}

// waitHealthy polls /healthz until it answers 200.
func (s *server) waitHealthy() {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s/healthz not ok within 20s (last: %v)\n%s", s.url, err, s.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and requires a graceful exit: status 0 and the
// "stopped" log line, within the server's shutdown grace.
func (s *server) stop() {
	s.t.Helper()
	s.gone = true
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("pflicht serve after SIGTERM: %v\n%s", err, s.log)
		} else if !strings.Contains(s.log.String(), "msg=stopped") {
			s.t.Errorf("pflicht serve exited 0 after SIGTERM without logging stopped\n%s", s.log)
		}
	case <-time.After(25 * time.Second):
		s.cmd.Process.Kill()
		s.t.Errorf("pflicht serve did not exit within 25s of SIGTERM\n%s", s.log)
	}
}

// kill ends the server with SIGKILL: no shutdown, no flush, no close.
func (s *server) kill() {
	s.t.Helper()
	s.gone = true
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatalf("SIGKILL: %v", err)
	}
	<-s.done
}

// syncBuffer is a bytes.Buffer safe for the log copier and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// apiClient calls the JSON API with a bearer token.
type apiClient struct {
	base, token string
	http        *http.Client
}

func newAPI(s *server, token string) *apiClient {
	return &apiClient{base: s.url + "/api/v1", token: token, http: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64},
	}}
}

// errStatus is an answer outside 2xx.
type errStatus struct {
	code int
	body string
}

func (e *errStatus) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.body) }

// do sends body (if not nil) as JSON and decodes a 2xx answer into out.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &errStatus{resp.StatusCode, string(b)}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// The parts of the API's answers the tests read.
type (
	organisation struct {
		ID string `json:"id"`
	}
	incident struct {
		ID      string        `json:"id"`
		Reports []reportView  `json:"reports"`
		Clock   incidentClock `json:"clock"`
	}
	incidentClock struct {
		Stages []stageView `json:"stages"`
	}
	stageView struct {
		Stage   string `json:"stage"`
		Status  string `json:"status"`
		Content []struct {
			ID string `json:"id"`
		} `json:"content"`
	}
	reportView struct {
		ID    string `json:"id"`
		Stage string `json:"stage"`
	}
	reportAnswer struct {
		Report   reportView `json:"report"`
		Incident incident   `json:"incident"`
	}
)

// content fills every content field the clock lists for stage, which is
// what a complete report of that stage carries.
func (inc incident) content(stage string) (map[string]string, error) {
	for _, st := range inc.Clock.Stages {
		if st.Stage == stage {
			c := make(map[string]string, len(st.Content))
			for _, f := range st.Content {
				c[f.ID] = "e2e: " + f.ID
			}
			return c, nil
		}
	}
	return nil, fmt.Errorf("incident %s has no %s stage", inc.ID, stage)
}

// createOrg creates an organisation through the API (createOrganisation);
// the token's user becomes its org_admin.
func (c *apiClient) createOrg(t *testing.T, name string) string {
	t.Helper()
	var o organisation
	body := map[string]any{"profile": map[string]any{
		"name":    name,
		"address": map[string]string{"street": "Musterstraße 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
		"emails":  []string{"security@e2e.example"},
	}}
	if err := c.do(context.Background(), "POST", "/organisations", body, &o); err != nil {
		t.Fatalf("createOrganisation: %v", err)
	}
	if o.ID == "" {
		t.Fatal("createOrganisation answered without an id")
	}
	return o.ID
}

// isConnErr reports whether err is the connection failing rather than an
// answer, as when the server is killed mid-request.
func isConnErr(err error) bool {
	var st *errStatus
	return err != nil && !errors.As(err, &st)
}
