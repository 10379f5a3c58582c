package purl

import (
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		// Spellings of the same package by different tools.
		{"pkg:npm/%40babel/core@7.0.0", "pkg:npm/%40babel/core@7.0.0"},
		{"pkg:npm/@babel/core@7.0.0", "pkg:npm/%40babel/core@7.0.0"},
		{"pkg:npm/@babel/core", "pkg:npm/%40babel/core"},
		{"pkg://npm/lodash@4.17.21", "pkg:npm/lodash@4.17.21"},
		{"PKG:NPM/lodash@4.17.21", "pkg:npm/lodash@4.17.21"},
		{"pkg:pypi/Django_Rest@3.0", "pkg:pypi/django-rest@3.0"},
		{"pkg:deb/debian/attr@1:2.4.47-2+b1?arch=amd64", "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64"},
		{"pkg:deb/debian/attr@1%3A2.4.47-2%2bb1?arch=amd64", "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64"},
		{"pkg:maven/org.apache/io@1.0?type=jar&classifier=", "pkg:maven/org.apache/io@1.0?type=jar"},
		{"pkg:golang/github.com/foo/bar@v1.2.3#/sub/./dir/", "pkg:golang/github.com/foo/bar@v1.2.3#sub/dir"},
		{"pkg:golang/github.com//foo/bar/", "pkg:golang/github.com/foo/bar"},
		{"pkg:brew/node@20@20.10.0", "pkg:brew/node%4020@20.10.0"},
		{"pkg:generic/x@1?b=2&A=1", "pkg:generic/x@1?a=1&b=2"},
		{"pkg:generic/My Lib@1 beta", "pkg:generic/My%20Lib@1%20beta"},
	}
	for _, tt := range tests {
		p, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := p.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "empty"},
		{"npm/lodash", "scheme"},
		{"pkg:lodash", "type: missing"},
		{"pkg:3d/x", "must start with a letter"},
		{"pkg:npm/", "name: missing"},
		{"pkg:npm/@1.0", "name: missing"},
		{"pkg:npm/x@1%zz", "version: invalid percent-escape"},
		{"pkg:npm/x?a", "qualifier 1"},
		{"pkg:npm/x?a=1&a=2", "qualifier a: given twice"},
		{"pkg:npm/x?a%20b=1", "key"},
		{"pkg:maven/io@1", "namespace: required"},
		{"pkg:cargo/a/b@1", "not allowed"},
		{"pkg:golang/a%2Fb/c", "encoded '/'"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "purl: ") {
			t.Errorf("Parse(%q) error %q lacks the package prefix", tt.in, err)
		}
	}
}

func TestQualifier(t *testing.T) {
	p, err := Parse("pkg:deb/debian/curl@1?distro=debian-12&arch=amd64")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Qualifier("distro"); got != "debian-12" {
		t.Errorf("Qualifier(distro) = %q", got)
	}
	if got := p.Qualifier("nope"); got != "" {
		t.Errorf("Qualifier(nope) = %q", got)
	}
}

func TestOSVPackage(t *testing.T) {
	tests := []struct {
		in, eco, name string
		ok            bool
	}{
		{"pkg:golang/github.com/gorilla/mux@v1.8.0", "Go", "github.com/gorilla/mux", true},
		{"pkg:golang/go.opencensus.io@v0.23.0", "Go", "go.opencensus.io", true},
		{"pkg:npm/%40angular/core@12.0.0", "npm", "@angular/core", true},
		{"pkg:npm/lodash@4.17.21", "npm", "lodash", true},
		{"pkg:pypi/Zope.Interface@5.0", "PyPI", "zope-interface", true},
		{"pkg:pypi/django_rest__framework@1", "PyPI", "django-rest-framework", true},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "Maven", "org.apache.logging.log4j:log4j-core", true},
		{"pkg:cargo/serde@1.0.0", "crates.io", "serde", true},
		{"pkg:gem/rails@7.0.0", "RubyGems", "rails", true},
		{"pkg:nuget/Newtonsoft.Json@13.0.1", "NuGet", "Newtonsoft.Json", true},
		{"pkg:composer/Laravel/Framework@9.0.0", "Packagist", "laravel/framework", true},
		{"pkg:hex/phoenix@1.7.0", "Hex", "phoenix", true},
		{"pkg:pub/http@1.0.0", "Pub", "http", true},
		{"pkg:cran/ggplot2@3.4.0", "CRAN", "ggplot2", true},
		{"pkg:swift/github.com/apple/swift-nio@2.0.0", "SwiftURL", "github.com/apple/swift-nio", true},
		{"pkg:github/actions/checkout@v4", "GitHub Actions", "actions/checkout", true},
		{"pkg:vscode-extension/ms-python/python@2024.1.0", "VSCode", "ms-python.python", true},
		{"pkg:deb/debian/libssl3@3.0.11-1?arch=amd64&distro=debian-12&upstream=openssl", "Debian:12", "openssl", true},
		{"pkg:deb/debian/curl@7.88?distro=bookworm", "Debian:12", "curl", true},
		{"pkg:deb/debian/curl@7.88?distro=debian-12.5", "Debian:12", "curl", true},
		{"pkg:deb/debian/curl@7.88", "Debian", "curl", true},
		{"pkg:deb/debian/curl@7.88?distro=debian-x%2F..", "Debian", "curl", true},
		{"pkg:deb/ubuntu/curl@7.81?distro=ubuntu-22.04", "Ubuntu:22.04:LTS", "curl", true},
		{"pkg:deb/ubuntu/curl@7.81?distro=ubuntu-23.10", "Ubuntu:23.10", "curl", true},
		{"pkg:deb/ubuntu/curl@7.81?distro=jammy", "Ubuntu:22.04:LTS", "curl", true},
		{"pkg:deb/ubuntu/libc6@2.35?upstream=glibc%402.35-0ubuntu3", "Ubuntu", "glibc", true},
		{"pkg:apk/alpine/busybox@1.36.1-r2?arch=x86_64&distro=alpine-3.18.4&upstream=busybox", "Alpine:v3.18", "busybox", true},
		{"pkg:apk/alpine/libcrypto3@3.1?upstream=openssl", "Alpine", "openssl", true},
		{"pkg:apk/wolfi/glibc@2.38", "Wolfi", "glibc", true},
		{"pkg:alpine/libvncserver@0.9.9?arch=x86_64", "Alpine", "libvncserver", true},
		{"pkg:rpm/almalinux/openssl-libs@3.0.7?distro=almalinux-9.2&upstream=openssl-3.0.7-24.el9.src.rpm", "AlmaLinux:9", "openssl", true},
		{"pkg:rpm/rocky/bash@5.1?distro=rocky-9.3", "Rocky Linux:9", "bash", true},
		{"pkg:rpm/redhat/openssl@3.0.7", "Red Hat", "openssl", true},
		{"pkg:rpm/opensuse/curl@8.0", "openSUSE", "curl", true},
		{"pkg:rpm/suse/curl@8.0", "SUSE", "curl", true},
		{"pkg:rpm/fedora/curl@8.0", "", "", false},
		{"pkg:generic/openssl@3.0", "", "", false},
		{"pkg:docker/library/nginx@1.25", "", "", false},
	}
	for _, tt := range tests {
		p, err := Parse(tt.in)
		if err != nil {
			if tt.ok {
				t.Errorf("Parse(%q): %v", tt.in, err)
			}
			continue
		}
		eco, name, ok := p.OSVPackage()
		if eco != tt.eco || name != tt.name || ok != tt.ok {
			t.Errorf("OSVPackage(%q) = %q, %q, %v; want %q, %q, %v", tt.in, eco, name, ok, tt.eco, tt.name, tt.ok)
		}
	}
}

func TestPEP503(t *testing.T) {
	for in, want := range map[string]string{
		"Django": "django", "zope.interface": "zope-interface", "a__b--c..d": "a-b-c-d", "_x_": "x",
	} {
		if got := PEP503(in); got != want {
			t.Errorf("PEP503(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzPURL checks that Parse never panics and that its output is a fixed
// point: parsing the canonical string gives the same purl and string.
func FuzzPURL(f *testing.F) {
	for _, s := range []string{
		"pkg:npm/%40babel/core@7.0.0?a=b#c/d",
		"pkg:deb/debian/attr@1:2.4.47-2+b1?arch=amd64&distro=debian-12",
		"pkg:git/codeberg.org/forgejo/forgejo@a72d",
		"pkg:golang/github.com/foo/bar@v1#/x/../y",
		"pkg:pypi/Django_X@1",
		"pkg:brew/node@20@20.10.0",
		"pkg:mlflow/A@1?repository_url=https://x.databricks.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		c := p.String()
		q, err := Parse(c)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q does not parse: %v", s, c, err)
		}
		if !equal(p, q) || q.String() != c {
			t.Fatalf("round trip of %q: %s -> %s", s, dump(p), dump(q))
		}
		p.OSVPackage()
	})
}
