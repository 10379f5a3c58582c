package version

import "strings"

// rpm is an RPM version, [epoch:]version[-release], ordered by rpm's
// rpmvercmp. Like osv-scalibr (whose vectors pin this down for OSV), a
// prefix before ':' is an epoch only when it is all digits, the release
// starts at the first '-', and a missing release orders before any
// release.
type rpm struct {
	s                       string
	epoch, version, release string
}

func parseRPM(s string) (Version, error) {
	v := &rpm{s: s, version: s}
	if e, r, ok := strings.Cut(s, ":"); ok && digits(e) == len(e) {
		v.epoch, v.version = strings.TrimLeft(e, "0"), r
	}
	if i := strings.IndexByte(v.version, '-'); i >= 0 {
		// The release keeps its '-' so that "1-" has a release and orders
		// after "1", as osv-scalibr does.
		v.version, v.release = v.version[:i], v.version[i:]
	}
	return v, nil
}

func (v *rpm) String() string { return v.s }

func (v *rpm) Compare(w Version) int {
	u, ok := w.(*rpm)
	if !ok {
		return mismatch(v, w)
	}
	if c := compareNum(v.epoch, u.epoch); c != 0 {
		return c
	}
	if c := rpmvercmp(v.version, u.version); c != 0 {
		return c
	}
	return rpmvercmp(v.release, u.release)
}

// rpmvercmp is rpm's comparison of a version or a release: separators
// (anything but letters, digits, '~' and '^') are skipped, '~' orders
// before everything including the end, '^' after the end but before
// everything else, and runs of digits compare numerically and after runs
// of letters.
func rpmvercmp(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return -1
	case b == "":
		return 1
	}
	i, j := 0, 0
	for {
		for i < len(a) && !rpmSignificant(a[i]) {
			i++
		}
		for j < len(b) && !rpmSignificant(b[j]) {
			j++
		}
		ac, bc := at(a, i), at(b, j)
		if ac == '~' || bc == '~' {
			if ac != '~' {
				return 1
			}
			if bc != '~' {
				return -1
			}
			i++
			j++
			continue
		}
		if ac == '^' || bc == '^' {
			switch {
			case ac == 0:
				return -1
			case bc == 0:
				return 1
			case ac != '^':
				return 1
			case bc != '^':
				return -1
			}
			i++
			j++
			continue
		}
		if ac == 0 || bc == 0 {
			break
		}
		run := isAlpha
		if isDigit(ac) {
			run = isDigit
		}
		i0, j0 := i, j
		for i < len(a) && run(a[i]) {
			i++
		}
		for j < len(b) && run(b[j]) {
			j++
		}
		if j == j0 { // a digit run against a letter run
			if isDigit(ac) {
				return 1
			}
			return -1
		}
		x, y := a[i0:i], b[j0:j]
		if isDigit(ac) {
			x, y = strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0")
			if c := compareNum(x, y); c != 0 {
				return c
			}
		} else if c := strings.Compare(x, y); c != 0 {
			return c
		}
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	return 0
}

func rpmSignificant(c byte) bool { return isAlnum(c) || c == '~' || c == '^' }
