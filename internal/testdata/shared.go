// Package testdata locates ../shared/data, the third-party data the tests and
// benchmarks use, and skips a test clearly when it is absent.
package testdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// SharedDir returns the absolute path of shared/data beside the repository
// (or $PFLICHT_SHARED_DATA), and whether it exists.
func SharedDir() (string, bool) {
	if d := os.Getenv("PFLICHT_SHARED_DATA"); d != "" {
		_, err := os.Stat(d)
		return d, err == nil
	}
	_, file, _, _ := runtime.Caller(0)
	// file is <repo>/internal/testdata/shared.go; shared/ sits beside <repo>.
	d := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data")
	d, _ = filepath.Abs(d)
	_, err := os.Stat(d)
	return d, err == nil
}

// Shared returns the path of a file or folder under shared/data, or skips the
// test with a message saying what is missing and how to provide it.
func Shared(tb testing.TB, rel string) string {
	tb.Helper()
	d, ok := SharedDir()
	if !ok {
		tb.Skipf("skipped: ../shared/data not found (set PFLICHT_SHARED_DATA); needed for %s", rel)
	}
	p := filepath.Join(d, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("skipped: %s not found under %s", rel, d)
	}
	return p
}
