// Package osv reads vulnerability advisories in the OSV schema
// (https://ossf.github.io/osv-schema/) from JSON or YAML files, directory
// trees and osv.dev's per-ecosystem all.zip archives, and the known-exploited
// catalogues (CISA KEV, the EU list) that mark some of them as exploited.
//
// Only the fields pflicht uses are typed; everything else in a record is
// ignored. Parsing is strict where a wrong reading would change a match
// (events, package coordinates) and tolerant elsewhere.
package osv

import (
	"encoding/json"
	"fmt"
	"time"
)

// Range types defined by the OSV schema.
const (
	RangeSemVer    = "SEMVER"
	RangeEcosystem = "ECOSYSTEM"
	RangeGit       = "GIT"
)

// Severity types defined by the OSV schema (others, such as "Ubuntu", exist
// in the wild and are kept as they are).
const (
	CVSSv2 = "CVSS_V2"
	CVSSv3 = "CVSS_V3"
	CVSSv4 = "CVSS_V4"
)

// Record is one OSV advisory.
type Record struct {
	SchemaVersion string    `json:"schema_version,omitempty" yaml:"schema_version"`
	ID            string    `json:"id" yaml:"id"`
	Modified      time.Time `json:"modified" yaml:"modified"`
	Published     time.Time `json:"published,omitzero" yaml:"published"`
	// Withdrawn is set when the advisory was retracted; such records must not
	// produce findings.
	Withdrawn time.Time `json:"withdrawn,omitzero" yaml:"withdrawn"`
	// Aliases name the same vulnerability in other databases (CVE, GHSA, …).
	Aliases []string `json:"aliases,omitempty" yaml:"aliases"`
	// Related names different but related vulnerabilities; never merged.
	Related []string `json:"related,omitempty" yaml:"related"`
	// Upstream names the vulnerabilities a downstream (distribution) record
	// derives from, typically the upstream CVE.
	Upstream         []string    `json:"upstream,omitempty" yaml:"upstream"`
	Summary          string      `json:"summary,omitempty" yaml:"summary"`
	Details          string      `json:"details,omitempty" yaml:"details"`
	Severity         []Severity  `json:"severity,omitempty" yaml:"severity"`
	Affected         []Affected  `json:"affected,omitempty" yaml:"affected"`
	References       []Reference `json:"references,omitempty" yaml:"references"`
	DatabaseSpecific Specific    `json:"database_specific,omitempty" yaml:"database_specific"`
}

// UnmarshalJSON decodes a record so that a bad timestamp error names its
// field, which encoding/json does not do for time.Time.
func (r *Record) UnmarshalJSON(b []byte) error {
	type plain Record // without this method
	aux := struct {
		*plain
		Modified  string `json:"modified"`
		Published string `json:"published"`
		Withdrawn string `json:"withdrawn"`
	}{plain: (*plain)(r)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		s    string
		t    *time.Time
	}{{"modified", aux.Modified, &r.Modified}, {"published", aux.Published, &r.Published}, {"withdrawn", aux.Withdrawn, &r.Withdrawn}} {
		if f.s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, f.s)
		if err != nil {
			return fmt.Errorf("%s: %q is not an RFC 3339 timestamp", f.name, f.s)
		}
		*f.t = t
	}
	return nil
}

// Severity is a scored severity: Type is CVSS_V2, CVSS_V3, CVSS_V4 or a
// database's own scheme; Score is the vector (CVSS) or the database's label.
type Severity struct {
	Type  string `json:"type" yaml:"type"`
	Score string `json:"score" yaml:"score"`
}

// Affected names one package and the versions of it the record affects.
type Affected struct {
	Package           Package    `json:"package,omitzero" yaml:"package"`
	Severity          []Severity `json:"severity,omitempty" yaml:"severity"`
	Ranges            []Range    `json:"ranges,omitempty" yaml:"ranges"`
	Versions          []string   `json:"versions,omitempty" yaml:"versions"`
	EcosystemSpecific Specific   `json:"ecosystem_specific,omitempty" yaml:"ecosystem_specific"`
	DatabaseSpecific  Specific   `json:"database_specific,omitempty" yaml:"database_specific"`
}

// Package is a package in OSV coordinates. Ecosystem may carry a suffix
// after ':' ("Debian:12", "Alpine:v3.17", "Packagist:https://…").
type Package struct {
	Ecosystem string `json:"ecosystem" yaml:"ecosystem"`
	Name      string `json:"name" yaml:"name"`
	PURL      string `json:"purl,omitempty" yaml:"purl"`
}

// Range is a set of affected versions described by events.
type Range struct {
	Type             string   `json:"type" yaml:"type"`
	Repo             string   `json:"repo,omitempty" yaml:"repo"`
	Events           []Event  `json:"events" yaml:"events"`
	DatabaseSpecific Specific `json:"database_specific,omitempty" yaml:"database_specific"`
}

// Event is one range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty" yaml:"introduced"`
	Fixed        string `json:"fixed,omitempty" yaml:"fixed"`
	LastAffected string `json:"last_affected,omitempty" yaml:"last_affected"`
	Limit        string `json:"limit,omitempty" yaml:"limit"`
}

// Reference is a link with its OSV type (ADVISORY, FIX, WEB, …).
type Reference struct {
	Type string `json:"type" yaml:"type"`
	URL  string `json:"url" yaml:"url"`
}

// Specific holds free-form database_specific or ecosystem_specific data.
type Specific map[string]any

// String returns the value at key if it is a string, else "".
func (s Specific) String(key string) string {
	v, _ := s[key].(string)
	return v
}

// Kinds of Event, as returned by Event.Kind.
const (
	Introduced   = "introduced"
	Fixed        = "fixed"
	LastAffected = "last_affected"
	Limit        = "limit"
)

// Kind returns which field of e is set and its value; kind is "" when none
// or more than one is set.
func (e Event) Kind() (kind, value string) {
	n := 0
	for _, f := range [...]struct{ k, v string }{
		{Introduced, e.Introduced}, {Fixed, e.Fixed}, {LastAffected, e.LastAffected}, {Limit, e.Limit},
	} {
		if f.v != "" {
			n++
			kind, value = f.k, f.v
		}
	}
	if n != 1 {
		return "", ""
	}
	return kind, value
}

// Validate checks what matching relies on and names the offending field.
// It accepts range types it does not know: the matcher reports those as not
// evaluable rather than losing the record.
func (r *Record) Validate() error {
	if r.ID == "" {
		return fmt.Errorf("id: missing")
	}
	for i, s := range r.Severity {
		if s.Type == "" || s.Score == "" {
			return fmt.Errorf("severity[%d]: type and score are required", i)
		}
	}
	for i, a := range r.Affected {
		p := a.Package
		if (p.Ecosystem == "") != (p.Name == "") {
			return fmt.Errorf("affected[%d].package: ecosystem and name are both required", i)
		}
		for j, rg := range a.Ranges {
			if rg.Type == "" {
				return fmt.Errorf("affected[%d].ranges[%d].type: missing", i, j)
			}
			if len(rg.Events) == 0 {
				return fmt.Errorf("affected[%d].ranges[%d].events: empty", i, j)
			}
			for k, e := range rg.Events {
				if kind, _ := e.Kind(); kind == "" {
					return fmt.Errorf("affected[%d].ranges[%d].events[%d]: exactly one of introduced, fixed, last_affected, limit must be set", i, j, k)
				}
			}
		}
	}
	return nil
}
