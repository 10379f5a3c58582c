package portal

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/store/storetest"
)

// TestMetricsAccess: without a token /metrics answers loopback clients
// that do not come through a proxy; with one, whoever sends it, and only
// them.
func TestMetricsAccess(t *testing.T) {
	const token = "metrics-token-0123456789"
	// The route reads no database; one store of either kind will do.
	st := storetest.Open(t, filepath.Join(t.TempDir(), "pflicht.db"))
	for _, tc := range []struct {
		name   string
		token  string // Config.MetricsToken
		remote string
		header map[string]string
		status int
		msg    string // in the refusal
	}{
		{"loopback", "", "127.0.0.1:5000", nil, 200, ""},
		{"loopback v6", "", "[::1]:5000", nil, 200, ""},
		{"other host", "", "192.0.2.7:5000", nil, 403, "--metrics-token-file"},
		{"v4-mapped other host", "", "[::ffff:192.0.2.7]:5000", nil, 403, "loopback clients only"},
		{"through a local proxy", "", "127.0.0.1:5000", map[string]string{"X-Forwarded-For": "192.0.2.7"}, 403, "loopback"},
		{"through a local proxy (Forwarded)", "", "127.0.0.1:5000", map[string]string{"Forwarded": "for=192.0.2.7"}, 403, "loopback"},
		{"token from anywhere", token, "192.0.2.7:5000", map[string]string{"Authorization": "Bearer " + token}, 200, ""},
		{"token, scheme in lower case", token, "192.0.2.7:5000", map[string]string{"Authorization": "bearer " + token}, 200, ""},
		{"token required on loopback too", token, "127.0.0.1:5000", nil, 401, "Authorization: Bearer"},
		{"wrong token", token, "192.0.2.7:5000", map[string]string{"Authorization": "Bearer " + token + "x"}, 401, "Bearer"},
		{"token as a prefix", token, "192.0.2.7:5000", map[string]string{"Authorization": "Bearer " + token[:10]}, 401, "Bearer"},
		{"basic auth", token, "192.0.2.7:5000", map[string]string{"Authorization": "Basic " + token}, 401, "Bearer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := New(Config{Store: st, MetricsToken: tc.token, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.RemoteAddr = tc.remote
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			body := w.Body.String()
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d\n%s", w.Code, tc.status, body)
			}
			switch {
			case tc.status == http.StatusOK && !strings.Contains(body, "go_goroutines"):
				t.Errorf("no metrics:\n%s", body)
			case tc.status != http.StatusOK && (!strings.Contains(body, tc.msg) || strings.Contains(body, "go_goroutines")):
				t.Errorf("refusal %q, want it to name %q and hold no metrics", body, tc.msg)
			case tc.status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "":
				t.Error("401 without WWW-Authenticate")
			case strings.Contains(body, token) && tc.status != http.StatusOK:
				t.Error("the refusal shows the token")
			}
		})
	}
}
