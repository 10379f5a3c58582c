// Package e2e tests the real pflicht binary from the outside: it builds
// cmd/pflicht, runs `pflicht serve` as a child process and drives it through
// the CLI, the JSON API and a headless Chromium. The tests are in the
// _test.go files; this package has no code of its own.
//
//	go test ./internal/e2e                             # everything
//	go test ./internal/e2e -run Browser -args -screenshots=DIR  # keep the screenshots
package e2e
