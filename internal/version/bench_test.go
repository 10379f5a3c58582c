package version

import "testing"

// benchCases are typical versions of the main ecosystems: a component
// version and the fixed version of an advisory it is compared with.
var benchCases = []struct{ eco, a, b string }{
	{"Go", "v1.42.0-rc.1+incompatible", "1.42.0"},
	{"Homebrew", "1.2.4_5", "1.2.4_6"},
	{"npm", "4.17.21", "4.17.20"},
	{"crates.io", "0.10.58", "0.10.60"},
	{"PyPI", "2.31.0.post1", "2.32.0rc1"},
	{"Maven", "2.17.1-SNAPSHOT", "2.17.1"},
	{"RubyGems", "7.0.8.4", "7.1.0.beta1"},
	{"NuGet", "13.0.1", "13.0.3-beta1"},
	{"Packagist", "v5.4.21", "5.4.22-RC1"},
	{"Debian:12", "1:2.38.1-5+deb12u1", "1:2.38.1-5+deb12u2"},
	{"Alpine:v3.18", "3.1.4-r5", "3.1.4-r6"},
	{"Red Hat", "1:1.1.1k-12.el8_9", "1:1.1.1k-14.el8_9"},
}

func BenchmarkParse(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.eco, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(c.eco, c.a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompare(b *testing.B) {
	for _, c := range benchCases {
		x, err := Parse(c.eco, c.a)
		if err != nil {
			b.Fatal(err)
		}
		y, err := Parse(c.eco, c.b)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.eco, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x.Compare(y)
			}
		})
	}
}
