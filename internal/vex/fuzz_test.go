package vex

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/*.json", "testdata/*.xml", "testdata/golden/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(`{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"status":"fixed","products":[{"@id":"pkg:npm/a","subcomponents":[{"@id":"pkg:npm/b@1"}]}]}]}`))
	f.Add([]byte(`{"bomFormat":"CycloneDX","components":[{"bom-ref":"a","purl":"pkg:npm/a@1"}],"vulnerabilities":[{"id":"CVE-1","analysis":{"state":"resolved"},"affects":[{"ref":"a","versions":[{"version":"2"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		stmts, err := Parse(data)
		if err != nil {
			return
		}
		if len(stmts) > MaxStatements {
			t.Fatalf("%d statements, more than MaxStatements", len(stmts))
		}
		var findings []Finding
		for i, s := range stmts {
			if s.VulnID == "" {
				t.Fatalf("statement %d has no VulnID", i)
			}
			if _, err := ParseStatus(string(s.Status)); err != nil {
				t.Fatalf("statement %d: %v", i, err)
			}
			targets := s.Subcomponents
			if len(targets) == 0 {
				targets = s.Products
			}
			for _, p := range targets {
				findings = append(findings, Finding{ComponentPURL: p, ComponentRef: p, VulnID: s.VulnID})
			}
		}
		// Every statement's target must match a finding built from it.
		for i, f := range Apply(findings, stmts) {
			if f.Applied == nil && findings[i].ComponentPURL != "" {
				t.Fatalf("finding %d (%s, %s) built from a statement matched none", i, f.VulnID, f.ComponentPURL)
			}
		}
	})
}
