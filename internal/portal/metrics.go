package portal

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are per Server, in their own registry, so several servers (tests)
// can live in one process.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// tokenHash is the SHA-256 of the bearer token /metrics requires; nil
	// without one (Config.MetricsToken).
	tokenHash []byte
}

func newMetrics(token string) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pflicht_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pflicht_http_request_duration_seconds",
			Help:    "HTTP request duration by route pattern and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
	}
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		m.tokenHash = sum[:]
	}
	return m
}

// handler serves the metrics to whom may see them. They hold no
// organisation's data, but operational detail (routes and their traffic,
// error rates, the process's memory, file descriptors and start time) that
// helps an attacker time and aim an attack, so they are not public.
//
// With a token (--metrics-token-file) a scraper anywhere sends it as
// "Authorization: Bearer TOKEN". Without one, only clients on a loopback
// address are served (a Prometheus or an agent on the same host), and not
// a request that carries Forwarded or X-Forwarded-For: that came through
// a reverse proxy on this host, on behalf of a client elsewhere.
func (m *metrics) handler() http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.tokenHash != nil {
			// Compared as hashes, so the time taken says nothing about the
			// token's length or prefix.
			sum := sha256.Sum256([]byte(bearer(r)))
			if subtle.ConstantTimeCompare(sum[:], m.tokenHash) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="pflicht metrics"`)
				http.Error(w, "metrics: send the token of --metrics-token-file as Authorization: Bearer TOKEN", http.StatusUnauthorized)
				return
			}
		} else if !loopbackClient(r) {
			http.Error(w, "metrics: served to loopback clients only; set --metrics-token-file to scrape from another host", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// bearer returns the token of an "Authorization: Bearer" header, or "".
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// loopbackClient reports whether r comes from a loopback address and not
// through a proxy that says it forwards it.
func loopbackClient(r *http.Request) bool {
	if r.Header.Get("Forwarded") != "" || r.Header.Get("X-Forwarded-For") != "" {
		return false
	}
	ip, err := netip.ParseAddr(clientIP(r))
	return err == nil && ip.Unmap().IsLoopback()
}

// instrument counts and times h under its route pattern, so the label set
// stays bounded whatever paths clients request. A panic counts as a 500 and
// travels on to recoverPanic.
func (m *metrics) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			status := rec.status
			if v := recover(); v != nil {
				status = http.StatusInternalServerError
				defer panic(v)
			}
			m.requests.WithLabelValues(route, r.Method, strconv.Itoa(status)).Inc()
			m.duration.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
		}()
		h.ServeHTTP(rec, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status  int
	written bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.written {
		r.status, r.written = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.written = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
