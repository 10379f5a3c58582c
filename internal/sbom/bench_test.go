package sbom

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pflicht/pflicht/internal/testdata"
)

// BenchmarkParseContainerSBOM parses each of the largest real SBOMs in
// bom-shelter/in-the-lab (SPDX JSON container scans, up to ~4,000 packages).
func BenchmarkParseContainerSBOM(b *testing.B) {
	dir := testdata.Shared(b, "bom-shelter/in-the-lab/spdx-popular-containers/data")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		b.Skip("no SBOMs in " + dir)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		name := filepath.Base(f)
		if len(name) > 40 {
			name = name[:40]
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var n int
			for b.Loop() {
				doc, err := Parse(data, Limits{})
				if err != nil {
					b.Fatal(err)
				}
				n = len(doc.Components)
			}
			b.ReportMetric(float64(n), "components")
		})
	}
}

// BenchmarkParseCycloneDX measures the largest real CycloneDX SBOMs in
// bom-shelter, JSON and XML.
func BenchmarkParseCycloneDX(b *testing.B) {
	for _, name := range []string{"redis-commander-sbom-cdx.json", "elixir-cdx.xml"} {
		data, err := os.ReadFile(testdata.Shared(b, "bom-shelter/in-the-wild/cyclonedx/"+name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var n int
			for b.Loop() {
				doc, err := Parse(data, Limits{})
				if err != nil {
					b.Fatal(err)
				}
				n = len(doc.Components)
			}
			b.ReportMetric(float64(n), "components")
		})
	}
}
