package sbom

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/testdata"
)

// sbomFiles lists the files under dir that look like SBOM documents.
func sbomFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".xml", ".spdx", ".sbom", ".rdf", ".yaml", ".yml", ".xlsx", ".textproto", ".jsonld":
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// knownBad are real files in the corpora that are no valid SBOMs; each must
// be refused with an error (see shared/data/SOURCES.md, "Known bad inputs").
var knownBad = map[string]string{
	"in-the-wild/spdx/powershell-2.2.6.spdx.json": "trailing data after the JSON",
	"in-the-wild/spdx/maubot-spdx.json":           "a license map, not SPDX",
	"in-the-wild/cyclonedx/bashrc2-sbom-cdx.json": "SCANOSS output, not CycloneDX",
	"in-the-wild/cyclonedx/scanoss-sbom-cdx.json": "SCANOSS output (a JSON array), not CycloneDX",
	"schemas/spdx-schema.json":                    "the SPDX JSON schema",
}

// TestCorpusValid parses every SBOM of the shared corpora: each must parse,
// or be refused as an unsupported format (RDF, YAML, XLSX, textproto).
func TestCorpusValid(t *testing.T) {
	roots := []string{
		"cyclonedx-specification/tools/src/test/resources",
		"cyclonedx-bom-examples",
		"spdx-examples",
		"spdx-spec-v2.3",
		"spdx-tools-golang",
		"bom-shelter",
	}
	for _, root := range roots {
		t.Run(root, func(t *testing.T) {
			dir := testdata.Shared(t, root)
			var parsed, unsupported, components, problems int
			for _, f := range sbomFiles(t, dir) {
				base := filepath.Base(f)
				if strings.Contains(base, "invalid") {
					continue
				}
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				rel, _ := filepath.Rel(dir, f)
				doc, err := Parse(data, Limits{})
				if why, bad := knownBad[rel]; bad {
					if err == nil {
						t.Errorf("%s (%s): parsed, want an error", rel, why)
					} else {
						t.Logf("%s (%s): %v", rel, why, err)
					}
					continue
				}
				switch {
				case errors.Is(err, ErrUnsupported):
					unsupported++
				case err != nil:
					t.Errorf("%s: %v", rel, err)
				default:
					parsed++
					components += len(doc.Components)
					problems += len(doc.Problems)
					if len(doc.Problems) > 0 {
						t.Logf("%s: %d problems, first: %s", rel, len(doc.Problems), doc.Problems[0])
					}
				}
			}
			t.Logf("%s: %d parsed (%d components, %d problems), %d refused as unsupported", root, parsed, components, problems, unsupported)
		})
	}
}

// TestCorpusInvalid checks that each schema-invalid CycloneDX example is
// flagged: an error, or at least one problem. One that passes silently
// fails the test.
func TestCorpusInvalid(t *testing.T) {
	dir := testdata.Shared(t, "cyclonedx-specification/tools/src/test/resources")
	var flagged, unsupported, total int
	var missed []string
	for _, f := range sbomFiles(t, dir) {
		if !strings.HasPrefix(filepath.Base(f), "invalid-") {
			continue
		}
		total++
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, f)
		doc, err := Parse(data, Limits{})
		switch {
		case errors.Is(err, ErrUnsupported):
			unsupported++
		case err != nil:
			flagged++
			t.Logf("%s: error: %v", rel, err)
		case len(doc.Problems) > 0:
			flagged++
			t.Logf("%s: %s", rel, doc.Problems[0])
		default:
			missed = append(missed, rel)
		}
	}
	t.Logf("invalid-*: %d of %d flagged, %d refused as unsupported (textproto), %d not flagged", flagged, total, unsupported, len(missed))
	for _, m := range missed {
		t.Errorf("not flagged: %s", m)
	}
}
