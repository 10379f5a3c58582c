package version

import "github.com/google/osv-scalibr/semantic"

// scalibr wraps a version parsed by osv-scalibr/semantic.
type scalibr struct {
	kind string // scalibr ecosystem name, to tell orderings apart
	s    string
	v    semantic.Version
}

func (v scalibr) String() string { return v.s }

func (v scalibr) Compare(w Version) int {
	ws, ok := w.(scalibr)
	if !ok || ws.kind != v.kind {
		return mismatch(v, w)
	}
	c, err := v.v.Compare(ws.v)
	if err != nil {
		return mismatch(v, w)
	}
	return c
}

func scalibrParser(kind string) func(string) (Version, error) {
	return func(s string) (Version, error) {
		v, err := semantic.Parse(s, kind)
		if err != nil {
			return nil, err
		}
		return scalibr{kind: kind, s: s, v: v}, nil
	}
}
