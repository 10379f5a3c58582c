package version

import (
	"errors"
	"strings"
)

var errGoToolchain = errors.New(`not a Go toolchain version such as "go1.21.0" or "go1.22rc1"`)

// parseGo parses a version of the Go ecosystem: a module version in SemVer,
// or a Go toolchain version as SBOMs give the standard library ("stdlib")
// and runtime.Version reports it, which OSV's Go records write in SemVer:
// go1.21 is 1.21.0, go1.22rc1 is 1.22.0-rc.1 and go1.9beta2 is
// 1.9.0-beta.2, as golang/vuln maps release tags. A missing minor number
// counts as 0 (go1 is 1.0.0), and GOEXPERIMENT's " X:name,..." suffix is
// ignored.
func parseGo(s string) (Version, error) {
	if !strings.HasPrefix(s, "go") {
		return parseSemVer(s)
	}
	rest := s[len("go"):]
	if before, exp, ok := strings.Cut(rest, " "); ok {
		if !strings.HasPrefix(exp, "X:") || len(exp) == len("X:") {
			return nil, errGoToolchain
		}
		rest = before
	}
	v := &semver{s: s}
	nums := [3]*string{&v.major, &v.minor, &v.patch}
	for i, p := range nums {
		n := digits(rest)
		if n == 0 {
			return nil, errGoToolchain
		}
		*p = strings.TrimLeft(rest[:n], "0")
		rest = rest[n:]
		if i == 2 || !strings.HasPrefix(rest, ".") {
			break
		}
		rest = rest[1:]
	}
	if rest == "" {
		return v, nil
	}
	for _, kind := range []string{"beta", "rc", "-pre"} {
		if n, ok := strings.CutPrefix(rest, kind); ok && n != "" && digits(n) == len(n) {
			v.pre = strings.TrimPrefix(kind, "-") + "." + n
			return v, nil
		}
	}
	return nil, errGoToolchain
}
