package purl

import (
	"errors"
	"fmt"
	"strings"
)

// rule is what the purl-spec type definitions (purl-spec/types/*.json) say
// about one type's components.
type rule struct {
	namespace requirement
	lowerNS   bool // namespace is case-insensitive and canonically lower case
	lowerName bool
	lowerVer  bool
	special   func(*PURL) error // type-specific normalisation or validation
}

type requirement uint8

const (
	optional requirement = iota
	required
	prohibited
)

var rules = map[string]rule{
	"alpm":             {namespace: required, lowerNS: true, lowerName: true},
	"apk":              {namespace: required, lowerNS: true, lowerName: true},
	"bazel":            {namespace: prohibited},
	"bitbucket":        {namespace: required, lowerNS: true, lowerName: true},
	"bitnami":          {namespace: prohibited, lowerName: true},
	"brew":             {lowerNS: true, lowerName: true},
	"cargo":            {namespace: prohibited},
	"chrome-extension": {namespace: prohibited, lowerName: true, special: checkChromeExtension},
	"cocoapods":        {namespace: prohibited},
	"composer":         {namespace: required, lowerNS: true, lowerName: true},
	"conda":            {namespace: prohibited},
	"cpan":             {special: checkCPAN},
	"cran":             {namespace: prohibited},
	"deb":              {namespace: required, lowerNS: true, lowerName: true},
	"gem":              {namespace: prohibited},
	"git":              {namespace: required, lowerNS: true, lowerName: true},
	"github":           {namespace: required, lowerNS: true, lowerName: true},
	// The golang definition requires a namespace, but single-element module
	// paths (go.opencensus.io) have none, and Syft and Trivy write them so.
	"golang":           {},
	"hackage":          {namespace: prohibited},
	"hex":              {lowerNS: true, lowerName: true},
	"huggingface":      {namespace: required, lowerVer: true},
	"julia":            {namespace: prohibited, special: checkJulia},
	"luarocks":         {lowerNS: true, lowerName: true},
	"maven":            {namespace: required},
	"mlflow":           {namespace: prohibited, special: normaliseMLflow},
	"nuget":            {namespace: prohibited},
	"oci":              {namespace: prohibited, lowerName: true, lowerVer: true},
	"opam":             {namespace: prohibited},
	"otp":              {namespace: prohibited, lowerName: true},
	"pub":              {namespace: prohibited, lowerName: true, special: normalisePub},
	"pypi":             {namespace: prohibited, lowerName: true, lowerVer: true, special: normalisePyPI},
	"qpkg":             {namespace: required, lowerNS: true},
	"rpm":              {namespace: required, lowerNS: true},
	"swift":            {namespace: required},
	"vcpkg":            {namespace: prohibited},
	"vscode-extension": {namespace: required, lowerNS: true, lowerName: true, lowerVer: true},
	"yocto":            {lowerNS: true},
}

// normalise applies the type-specific rules. Unknown types get only the
// generic rules, as the spec asks.
func normalise(p *PURL) error {
	r, known := rules[p.Type]
	if !known {
		return nil
	}
	switch {
	case r.namespace == required && p.Namespace == "":
		return fmt.Errorf("namespace: required for type %s", p.Type)
	case r.namespace == prohibited && p.Namespace != "":
		return fmt.Errorf("namespace %q: not allowed for type %s", p.Namespace, p.Type)
	}
	if r.lowerNS {
		p.Namespace = strings.ToLower(p.Namespace)
	}
	if r.lowerName {
		p.Name = strings.ToLower(p.Name)
	}
	if r.lowerVer {
		p.Version = strings.ToLower(p.Version)
	}
	if r.special != nil {
		return r.special(p)
	}
	return nil
}

func normalisePyPI(p *PURL) error {
	p.Name = strings.ReplaceAll(p.Name, "_", "-")
	return nil
}

func normalisePub(p *PURL) error {
	p.Name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, p.Name)
	return nil
}

func checkChromeExtension(p *PURL) error {
	if len(p.Name) != 32 || strings.Trim(p.Name, "abcdefghijklmnop") != "" {
		return fmt.Errorf("name %q: a Chrome extension id is 32 letters a-p", p.Name)
	}
	if p.Version == "" {
		return nil
	}
	parts := strings.Split(p.Version, ".")
	if len(parts) > 4 {
		return fmt.Errorf("version %q: at most four numbers", p.Version)
	}
	for _, x := range parts {
		if x == "" || strings.Trim(x, "0123456789") != "" {
			return fmt.Errorf("version %q: only dot-separated numbers", p.Version)
		}
	}
	return nil
}

// checkCPAN: a CPAN distribution name uses '-' ("URI-PackageURL"); a module
// name with "::" is not a distribution.
func checkCPAN(p *PURL) error {
	if strings.Contains(p.Name, "::") {
		return errors.New(`name: a CPAN distribution name uses '-', not "::"`)
	}
	return nil
}

// checkJulia: Julia package names are only unique together with their uuid.
func checkJulia(p *PURL) error {
	if p.Qualifier("uuid") == "" {
		return errors.New("qualifier uuid: required for type julia")
	}
	return nil
}

// normaliseMLflow lowercases model names on Databricks, whose registry is
// case-insensitive; Azure ML names stay as they are.
func normaliseMLflow(p *PURL) error {
	if strings.Contains(strings.ToLower(p.Qualifier("repository_url")), "databricks") {
		p.Name = strings.ToLower(p.Name)
	}
	return nil
}
