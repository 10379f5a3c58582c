package purl

import (
	"strings"
)

// OSVPackage returns the OSV ecosystem and package name for p, written as OSV
// advisories write them (see osv-schema ecosystems.json). ok is false when
// OSV has no ecosystem for the purl type (generic, docker, oci, ...) or the
// purl lacks what the ecosystem needs.
//
// Distribution ecosystems carry a release suffix when the purl's distro
// qualifier names one ("Debian:12", "Alpine:v3.18", "Ubuntu:22.04:LTS");
// without it the bare ecosystem ("Debian") is returned and a matcher should
// treat it as "any release". For deb, apk and rpm the name is the source
// package when the purl says which one (qualifier "upstream", as Syft and
// Trivy write it), because OSV distribution advisories name source packages.
func (p PURL) OSVPackage() (ecosystem, name string, ok bool) {
	joined := p.Name
	if p.Namespace != "" {
		joined = p.Namespace + "/" + p.Name
	}
	switch p.Type {
	case "golang":
		return "Go", joined, true
	case "npm":
		return "npm", joined, true
	case "pypi":
		return "PyPI", PEP503(p.Name), true
	case "maven":
		if p.Namespace == "" {
			return "", "", false
		}
		return "Maven", p.Namespace + ":" + p.Name, true
	case "cargo":
		return "crates.io", p.Name, true
	case "gem":
		return "RubyGems", p.Name, true
	case "nuget":
		return "NuGet", p.Name, true
	case "composer":
		return "Packagist", joined, true
	case "hex":
		return "Hex", p.Name, true
	case "pub":
		return "Pub", p.Name, true
	case "cran":
		return "CRAN", p.Name, true
	case "hackage":
		return "Hackage", p.Name, true
	case "opam":
		return "opam", p.Name, true
	case "julia":
		return "Julia", p.Name, true
	case "conan":
		return "ConanCenter", p.Name, true
	case "bitnami":
		return "Bitnami", p.Name, true
	case "brew":
		return "Homebrew", p.Name, true
	case "swift":
		return "SwiftURL", joined, true
	case "github", "githubactions":
		// GitHub Actions advisories name the action's repository.
		if p.Namespace == "" {
			return "", "", false
		}
		return "GitHub Actions", joined, true
	case "vscode-extension":
		return "VSCode", p.Namespace + "." + p.Name, true
	case "deb":
		return debEcosystem(p)
	case "apk":
		return apkEcosystem(p)
	case "alpine":
		// Syft before 0.30 wrote Alpine packages as pkg:alpine/name@version.
		return "Alpine", sourceName(p), true
	case "rpm":
		return rpmEcosystem(p)
	}
	return "", "", false
}

// PEP503 normalises a Python package name: lower case, runs of '-', '_' and
// '.' become one '-'.
func PEP503(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// sourceName returns the source package named by the "upstream" qualifier
// ("openssl", "openssl@3.0.11-1", "openssl-3.0.7-1.el9.src.rpm"), or the
// binary name.
func sourceName(p PURL) string {
	up := p.Qualifier("upstream")
	if up == "" {
		return p.Name
	}
	if base, ok := strings.CutSuffix(up, ".src.rpm"); ok {
		// name-version-release.src.rpm: drop the last two '-' fields.
		for range 2 {
			i := strings.LastIndexByte(base, '-')
			if i <= 0 {
				return p.Name
			}
			base = base[:i]
		}
		return base
	}
	if i := strings.IndexByte(up, '@'); i > 0 {
		up = up[:i]
	}
	return up
}

// distroRelease splits a distro qualifier ("debian-12", "ubuntu-22.04",
// "alpine-3.18.4", "bookworm", "12") into its release part.
func distroRelease(p PURL, prefix string) string {
	d := strings.ToLower(p.Qualifier("distro"))
	d = strings.TrimPrefix(d, prefix+"-")
	d = strings.TrimPrefix(d, prefix)
	return d
}

var debianCodenames = map[string]string{
	"buzz": "1.1", "rex": "1.2", "bo": "1.3", "hamm": "2.0", "slink": "2.1", "potato": "2.2",
	"woody": "3.0", "sarge": "3.1", "etch": "4", "lenny": "5", "squeeze": "6", "wheezy": "7",
	"jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12",
	"trixie": "13", "forky": "14", "sid": "sid",
}

var ubuntuCodenames = map[string]string{
	"trusty": "14.04", "xenial": "16.04", "bionic": "18.04", "focal": "20.04", "groovy": "20.10",
	"hirsute": "21.04", "impish": "21.10", "jammy": "22.04", "kinetic": "22.10", "lunar": "23.04",
	"mantic": "23.10", "noble": "24.04", "oracular": "24.10", "plucky": "25.04", "questing": "25.10",
}

func debEcosystem(p PURL) (string, string, bool) {
	name := sourceName(p)
	switch p.Namespace {
	case "debian":
		rel := distroRelease(p, "debian")
		if c, ok := debianCodenames[rel]; ok {
			rel = c
		} else if major, _, ok := strings.Cut(rel, "."); ok && rel != "" && major != "" {
			rel = major // OSV scopes Debian by major release: "Debian:12"
		}
		if !isRelease(rel) {
			return "Debian", name, true
		}
		return "Debian:" + rel, name, true
	case "ubuntu":
		rel := distroRelease(p, "ubuntu")
		if c, ok := ubuntuCodenames[rel]; ok {
			rel = c
		}
		if !isRelease(rel) {
			return "Ubuntu", name, true
		}
		// OSV requires ":LTS" for long-term releases: April releases of even years.
		if yy, mm, ok := strings.Cut(rel, "."); ok && mm == "04" && len(yy) == 2 && (yy[1]-'0')%2 == 0 {
			rel += ":LTS"
		}
		return "Ubuntu:" + rel, name, true
	}
	return "", "", false
}

func apkEcosystem(p PURL) (string, string, bool) {
	name := sourceName(p)
	switch p.Namespace {
	case "alpine":
		rel := strings.TrimPrefix(distroRelease(p, "alpine"), "v")
		// Alpine branches are major.minor with a mandatory 'v': "Alpine:v3.18".
		parts := strings.SplitN(rel, ".", 3)
		if len(parts) < 2 || !isRelease(parts[0]+"."+parts[1]) {
			return "Alpine", name, true
		}
		return "Alpine:v" + parts[0] + "." + parts[1], name, true
	case "wolfi":
		return "Wolfi", name, true
	case "chainguard":
		return "Chainguard", name, true
	case "alpaquita":
		return "Alpaquita", name, true
	case "minimos":
		return "MinimOS", name, true
	}
	return "", "", false
}

func rpmEcosystem(p PURL) (string, string, bool) {
	name := sourceName(p)
	major := func(prefix string) string {
		rel := distroRelease(p, prefix)
		m, _, _ := strings.Cut(rel, ".")
		if !isRelease(m) {
			return ""
		}
		return ":" + m
	}
	switch p.Namespace {
	case "redhat", "rhel":
		// Red Hat ecosystems are scoped by product CPE, which a purl lacks.
		return "Red Hat", name, true
	case "almalinux":
		return "AlmaLinux" + major("almalinux"), name, true
	case "rocky", "rocky-linux", "rockylinux":
		return "Rocky Linux" + major("rocky"), name, true
	case "suse", "sles":
		return "SUSE", name, true
	case "opensuse":
		return "openSUSE", name, true
	case "openeuler":
		return "openEuler", name, true
	case "mageia":
		return "Mageia" + major("mageia"), name, true
	case "photon":
		rel := distroRelease(p, "photon")
		if !isRelease(rel) {
			return "Photon OS", name, true
		}
		return "Photon OS:" + rel, name, true
	case "azurelinux":
		return "Azure Linux" + major("azurelinux"), name, true
	}
	return "", "", false
}

// isRelease reports whether s looks like a release number ("12", "22.04")
// or Debian's "sid", so that a garbage distro qualifier never makes it into
// an ecosystem string.
func isRelease(s string) bool {
	if s == "sid" {
		return true
	}
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	return strings.Trim(s, "0123456789.") == ""
}
