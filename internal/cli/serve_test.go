package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeStartsAndStops runs the server on a free port with a fresh data
// directory, checks that it answers, and stops it as a signal would.
func TestServeStartsAndStops(t *testing.T) {
	var logs bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &logs, now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	data := filepath.Join(t.TempDir(), "data")
	go func() {
		done <- serve(ctx, e, serveOptions{addr: "127.0.0.1:0", data: data, logFormat: "json"}, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve ended before listening: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/healthz", http.StatusOK},
		{"/login", http.StatusOK},
		{"/metrics", http.StatusOK},
		{"/api/v1/openapi.json", http.StatusOK},
	} {
		res, err := http.Get("http://" + addr + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, res.StatusCode, tc.want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	for _, want := range []string{`"msg":"listening"`, "pflicht user add EMAIL --role admin", `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}

func TestServeBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--log-format", "xml", "--data", "DIR"}, "--log-format"},
		{[]string{"serve", "--db", "mysql://x", "--data", "DIR"}, "--db"},
		{[]string{"serve", "extra"}, "unknown command"},
	} {
		dir := t.TempDir()
		for i, a := range tc.args {
			if a == "DIR" {
				tc.args[i] = dir
			}
		}
		_, stderr, code := runCLI(t, "", tc.args...)
		if code != ExitInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d naming %s", tc.args, code, stderr, ExitInput, tc.want)
		}
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:80": true, "[::1]:8080": true,
		"0.0.0.0:8080": false, ":8080": false, "192.0.2.1:443": false, "example.org:80": false, "garbage": false,
	} {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
