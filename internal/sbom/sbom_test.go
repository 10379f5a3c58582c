package sbom

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// pkgLine is one component as a test expects it: where, what, and the
// result of Package().
type pkgLine struct {
	Where, Label, Ecosystem, Name, Version, Reason string
	Parent, Depth                                  int
	Subject                                        bool
}

func lines(doc *Document) []pkgLine {
	var out []pkgLine
	for _, c := range doc.Components {
		eco, name, ver, why := c.Package()
		out = append(out, pkgLine{c.Where, c.Label(), eco, name, ver, why.Text, c.Parent, c.Depth, c.Subject})
	}
	return out
}

func TestParseDocuments(t *testing.T) {
	tests := []struct {
		file, format, name string
		want               []pkgLine
		deps               map[string][]string
		problems           []string // substrings, in order
	}{
		{
			file: "product.cdx.json", format: "CycloneDX 1.6 JSON", name: "router-fw",
			want: []pkgLine{
				{"metadata.component", "router-fw@4.2", "", "", "", "no package URL", -1, 0, true},
				{"components[0]", "lodash@4.17.20", "npm", "lodash", "4.17.20", "", -1, 0, false},
				{"components[1]", "openssl@3.0.11", "Debian:12", "openssl", "3.0.11-1~deb12u2", "", -1, 0, false},
				{"components[1].components[0]", "libssl.so.3", "", "", "", "no package URL", 2, 1, false},
				{"components[1].components[1]", "zlib", "", "", "", "package type 'generic' has no vulnerability ecosystem", 2, 1, false},
				{"components[2]", "left-pad", "", "", "", "no version", -1, 0, false},
				{"components[3]", "broken@1", "", "", "", `malformed package URL: "pkg:npm/broken@1%zz": version: invalid percent-escape "%zz"`, -1, 0, false},
				{"components[4]", "busybox@1.36", "", "", "", "no package URL (only a CPE, which is not matched)", -1, 0, false},
				// The version from the component fills a purl without one.
				{"components[5]", "PyYAML@5.3", "PyPI", "pyyaml", "5.3", "", -1, 0, false},
			},
			deps: map[string][]string{
				"fw":      {"lodash", "openssl", "nover", "bad", "cpe-only", "pyyaml"},
				"openssl": {"libssl.so", "vendored-zlib"},
			},
			problems: []string{`components[3] "broken@1": purl:`},
		},
		{
			file: "product.cdx.xml", format: "CycloneDX 1.5 XML", name: "shop",
			want: []pkgLine{
				{"metadata.component", "shop@2.0", "", "", "", "no package URL", -1, 0, true},
				{"components[0]", "org.apache.logging.log4j/log4j-core@2.14.1", "Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", "", -1, 0, false},
				{"components[0].components[0]", "org.apache.logging.log4j/log4j-api@2.14.1", "Maven", "org.apache.logging.log4j:log4j-api", "2.14.1", "", 1, 1, false},
			},
			deps: map[string][]string{
				"app": {"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
				"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1": {"api"},
			},
		},
		{
			file: "product.spdx.json", format: "SPDX 2.3 JSON", name: "camera-firmware",
			want: []pkgLine{
				{"packages[0]", "camera@1.0", "", "", "", "no package URL", -1, 0, true},
				{"packages[1]", "busybox@1.36.1-r2", "Alpine:v3.18", "busybox", "1.36.1-r2", "", -1, 0, false},
				{"packages[2]", "golang.org/x/net@v0.17.0", "Go", "golang.org/x/net", "v0.17.0", "", -1, 0, false},
			},
			deps: map[string][]string{"SPDXRef-camera": {"SPDXRef-busybox", "SPDXRef-golang-x-net"}},
		},
		{
			file: "product.spdx", format: "SPDX 2.2 tag-value", name: "gateway",
			want: []pkgLine{
				{"line 9", "curl@7.88.1-10+deb12u5", "Debian:12", "curl", "7.88.1-10+deb12u5", "", -1, 0, true},
				{"line 20", "musl@1.2.4", "Alpine", "musl", "1.2.4-r2", "", -1, 0, false},
			},
			deps:     map[string][]string{"SPDXRef-curl": {"SPDXRef-musl"}},
			problems: []string{`line 24: "this line is broken"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc, err := Parse(readTestdata(t, tt.file), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if doc.Format != tt.format || doc.Name != tt.name {
				t.Errorf("Format, Name = %q, %q; want %q, %q", doc.Format, doc.Name, tt.format, tt.name)
			}
			if diff := cmp.Diff(tt.want, lines(doc)); diff != "" {
				t.Errorf("components (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.deps, doc.Dependencies); diff != "" {
				t.Errorf("dependencies (-want +got):\n%s", diff)
			}
			if len(doc.Problems) != len(tt.problems) {
				t.Fatalf("problems = %q, want %d", doc.Problems, len(tt.problems))
			}
			for i, p := range doc.Problems {
				if !strings.Contains(p.String(), tt.problems[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, p, tt.problems[i])
				}
			}
		})
	}
}

func TestParseComponentDetails(t *testing.T) {
	doc, err := Parse(readTestdata(t, "product.spdx.json"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	c := doc.Components[1]
	want := Component{
		Ref: "SPDXRef-busybox", Name: "busybox", Version: "1.36.1-r2",
		PURLRaw:  "pkg:apk/alpine/busybox@1.36.1-r2?arch=x86_64&distro=alpine-3.18.4",
		PURL:     c.PURL, // compared by String below
		CPE:      "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",
		Hashes:   []Hash{{"SHA256", "f498a8ff2dd007e29c2074f5e4b01a9a01775c3ff3aeaf6906ea503bc5791b7b"}},
		Licenses: []string{"GPL-2.0-only"}, Parent: -1, Where: "packages[1]",
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("component (-want +got):\n%s", diff)
	}
	if got := c.PURL.String(); got != want.PURLRaw {
		t.Errorf("PURL = %s", got)
	}
	if got := doc.Components[0].Supplier; got != "ACME GmbH" {
		t.Errorf("Supplier = %q", got)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"duplicate bom-ref", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
			{"type":"library","bom-ref":"a","name":"x"},{"type":"library","bom-ref":"a","name":"y"}]}`,
			[]string{`components[1] "y": ref "a": already used by components[0] "x"`}},
		{"missing and wrong fields", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
			{"type":"gadget","name":"x","scope":"maybe","hashes":[{"alg":"SHA-1","content":"abc"}]},{"bom-ref":""}]}`,
			[]string{
				`components[0] "x": type "gadget": not a CycloneDX component type`,
				`components[0] "x": scope "maybe"`,
				`components[0] "x" hash 1: SHA-1 value "abc": want 40 hex digits`,
				`components[1]: type: missing`,
				`components[1]: bom-ref: empty`,
				`components[1]: name: missing`,
			}},
		{"dangling dependency", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","bom-ref":"a","name":"a"}],
			"dependencies":[{"ref":"a","dependsOn":["ghost"]},{"dependsOn":[]}]}`,
			[]string{`dependencies[1]: ref: missing`, `dependencies: ref "ghost" (dependency of "a"): not a component`}},
		{"wrong bomFormat and type error", `{"bomFormat":"SPDX","specVersion":"1.4","serialNumber":"42","components":[{"type":"library","name":7},{"type":"library","name":"kept"}]}`,
			[]string{`bomFormat: "SPDX"`, `serialNumber: "42": not a urn:uuid`, `components[0]: name: missing`, `/components/0/name: JSON number where string was expected`}},
		{"SPDX package without id", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"name":"x"}]}`,
			[]string{`packages[0] "x": SPDXID: missing`}},
		{"XML license rules", `<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library"><name>x</name>
			<licenses><license><id>MIT</id><id>BSD</id></license><license><id>NotALicense</id></license><expression>MIT</expression></licenses></component></components></bom>`,
			[]string{`license 1: exactly one id or one name`, `license 2: id "NotALicense": not an SPDX license id`, `licenses: either licenses or one expression`}},
		// Fields a version does not define; JSON 1.2 and 1.3 allow others,
		// XML those of another namespace.
		{"JSON metadata fields", `{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"tools":[],"lifecycles":[],"distribution":"x","distributionConstraints":{}}}`,
			[]string{`metadata: "distribution": not a field of CycloneDX 1.6 metadata`, `metadata: "distributionConstraints": not a field of CycloneDX 1.6 metadata`}},
		{"JSON 1.3 metadata open", `{"bomFormat":"CycloneDX","specVersion":"1.3","metadata":{"distribution":"x"}}`, nil},
		{"XML metadata fields", `<bom xmlns="http://cyclonedx.org/schema/bom/1.5" xmlns:x="urn:x"><metadata><tools/><lifecycles/><x:note/><manufacturer/></metadata></bom>`,
			[]string{`metadata: "manufacturer": not a field of CycloneDX 1.5 metadata`}},
		{"citations", `{"bomFormat":"CycloneDX","specVersion":"1.7","citations":[
			{"bom-ref":"c1","pointers":["/a"],"timestamp":"2025-05-01T14:00:00Z","process":"p"},
			{"bom-ref":"c2","pointers":["/a"],"expressions":["$.a"],"timestamp":"yesterday"},
			{"expressions":["$.a"],"attributedTo":"a"}]}`,
			[]string{`citations[1] "c2": timestamp "yesterday": not a date-time`, `citations[1] "c2": needs attributedTo or process`,
				`citations[1] "c2": exactly one of pointers and expressions`, `citations[2]: timestamp: missing`}},
		{"XML citations", `<bom xmlns="http://cyclonedx.org/schema/bom/1.7"><citations><citation bom-ref="c">
			<expressions><expression>//a</expression></expressions><timestamp>2025-05-01T14:00:00Z</timestamp>
			<attributedTo>a</attributedTo><attributedTo>b</attributedTo><process>p</process><process>q</process></citation></citations></bom>`,
			[]string{`citations[0] "c": attributedTo: at most one`, `citations[0] "c": process: at most one`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.doc), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range doc.Problems {
				got = append(got, p.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems:\n%s\nwant %d", strings.Join(got, "\n"), len(tt.want))
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat(`{"type":"library","name":"n","components":[`, 70) + strings.Repeat(`]}`, 70)
	tests := []struct {
		name, doc   string
		lim         Limits
		want        string
		unsupported bool
	}{
		{"empty", " \n", Limits{}, "sbom: empty document", false},
		{"text", "hello world", Limits{}, `not an SBOM: starts with "hello world"`, false},
		{"truncated JSON", "{\n \"bomFormat\": \"CycloneDX\",\n \"components\": [", Limits{}, "JSON line 3 column", false},
		{"JSON array", `[{"purl":"pkg:npm/x@1"}]`, Limits{}, `not an SBOM: starts with "[`, false},
		{"unknown JSON", `{"name":"x"}`, Limits{}, "neither CycloneDX", false},
		{"no specVersion", `{"bomFormat":"CycloneDX"}`, Limits{}, "specVersion: missing", false},
		{"old specVersion", `{"bomFormat":"CycloneDX","specVersion":"1.1"}`, Limits{}, `specVersion "1.1": not supported`, false},
		{"bad SPDX version", `{"spdxVersion":"SPDX-1.2"}`, Limits{}, `spdxVersion "SPDX-1.2": not supported`, false},
		{"XML not CycloneDX", `<project/>`, Limits{}, "XML root element <project>", false},
		{"XML namespace", `<bom xmlns="http://cyclonedx.org/schema/bom/12"/>`, Limits{}, "not a CycloneDX namespace", false},
		{"XML syntax", "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components>\n<component>", Limits{}, "CycloneDX XML line 3", false},
		{"tag-value without version", "SPDXVersion: \nPackageName: x", Limits{}, "SPDXVersion", false},
		{"too large", `{"bomFormat":"CycloneDX","specVersion":"1.6"}`, Limits{MaxBytes: 10}, "over the limit of 10 bytes", false},
		{"too many", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"a"},{"name":"b"}]}`, Limits{MaxComponents: 1}, "more than 1 components", false},
		{"too deep", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[` + deep + `]}`, Limits{}, "nested more than 64 deep", false},
		{"RDF", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>`, Limits{}, "SPDX RDF/XML", true},
		{"YAML", "spdxVersion: SPDX-2.3\n", Limits{}, "YAML", true},
		{"XLSX", "PK\x03\x04rest", Limits{}, "XLSX", true},
		{"UTF-16", "\xff\xfe{\x00", Limits{}, "UTF-16", true},
		{"SPDX 3", `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[]}`, Limits{}, "JSON-LD", true},
		{"textproto", "# proto-file: schema/bom-1.6.proto\nspec_version: \"1.6\"", Limits{}, "protobuf text", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.doc), tt.lim)
			if err == nil {
				t.Fatalf("Parse = %+v, want error", doc)
			}
			if !strings.HasPrefix(err.Error(), "sbom: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			if got := errors.Is(err, ErrUnsupported); got != tt.unsupported {
				t.Errorf("errors.Is(err, ErrUnsupported) = %v, want %v", got, tt.unsupported)
			}
		})
	}
}

func TestPackageReasons(t *testing.T) {
	tests := []struct {
		purl, cpe, version string
		code               Code
		text               string
	}{
		{"", "", "1", NoPURL, "no package URL"},
		{"", "cpe:2.3:a:busybox:busybox:1.36:*:*:*:*:*:*:*", "1.36", CPEOnly, "no package URL (only a CPE, which is not matched)"},
		{"pkg:npm/x@1%zz", "", "", BadPURL, `malformed package URL: "pkg:npm/x@1%zz": version: invalid percent-escape "%zz"`},
		{"pkg:rpm/fedora/curl@8.0", "", "", UnknownType, "package type 'rpm' with namespace 'fedora' has no vulnerability ecosystem"},
		{"pkg:docker/library/nginx@1.25", "", "", UnknownType, "package type 'docker' has no vulnerability ecosystem"},
		{"pkg:npm/x", "", "", NoVersion, "no version"},
		{"pkg:npm/x", "", "2.0", "", ""},
	}
	for _, tt := range tests {
		b := newBuilder("test", "", Limits{}.withDefaults())
		if _, err := b.add(Component{Name: "x", PURLRaw: tt.purl, CPE: tt.cpe, Version: tt.version}); err != nil {
			t.Fatal(err)
		}
		if _, _, _, why := b.doc.Components[0].Package(); why != (Unchecked{tt.code, tt.text}) {
			t.Errorf("%s: %+v, want %s %q", tt.purl, why, tt.code, tt.text)
		}
	}
}

// FuzzParse checks that no input makes Parse panic or return a document
// whose components break the model's invariants.
func FuzzParse(f *testing.F) {
	// Small seeds, one per format: the fuzzer mutates them far faster
	// than the full testdata documents.
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","bom-ref":"a","name":"x","purl":"pkg:npm/x@1","components":[{}]}],"dependencies":[{"ref":"a","dependsOn":["b"]}]}`))
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>x</name><purl>pkg:npm/x@1</purl><licenses><license><id>MIT</id></license></licenses></component></components></bom>`))
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-a","name":"a","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:pypi/a@1"}]}],"relationships":[{"spdxElementId":"SPDXRef-a","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-a"}]}`))
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.7","metadata":{"distribution":1},"citations":[{"pointers":["/a"],"process":"p","timestamp":"2025-05-01T14:00:00Z"}]}`))
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.7"><metadata><distribution/></metadata><citations><citation><attributedTo>a</attributedTo><attributedTo>b</attributedTo></citation></citations></bom>`))
	f.Add([]byte("SPDXVersion: SPDX-2.3\nPackageName: a\nSPDXID: SPDXRef-a\nExternalRef: PACKAGE-MANAGER purl pkg:deb/debian/a@1\nPackageComment: <text>open"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data, Limits{MaxComponents: 1000, MaxDepth: 8})
		if err != nil {
			if doc != nil {
				t.Fatal("document and error")
			}
			return
		}
		for i, c := range doc.Components {
			if c.Parent >= i || c.Parent < -1 || (c.Parent == -1) != (c.Depth == 0) {
				t.Fatalf("component %d: parent %d, depth %d", i, c.Parent, c.Depth)
			}
			c.Package()
		}
	})
}

// TestTagValueLongText guards against the quadratic reading of multi-line
// <text> values that the fuzzer found: 200,000 lines must take milliseconds.
func TestTagValueLongText(t *testing.T) {
	for _, closed := range []bool{true, false} {
		var sb strings.Builder
		sb.WriteString("SPDXVersion: SPDX-2.3\nPackageName: a\nSPDXID: SPDXRef-a\nPackageComment: <text>")
		sb.WriteString(strings.Repeat("x\n", 200_000))
		if closed {
			sb.WriteString("</text>\nPackageVersion: 1\n")
		}
		start := time.Now()
		doc, err := Parse([]byte(sb.String()), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("closed=%v: took %v", closed, d)
		}
		if got := len(doc.Problems) > 0; got == closed {
			t.Errorf("closed=%v: problems %q", closed, doc.Problems)
		}
		if closed && doc.Components[0].Version != "1" {
			t.Errorf("version after the text = %q", doc.Components[0].Version)
		}
	}
}
