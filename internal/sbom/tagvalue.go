package sbom

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// parseTagValue reads an SPDX 2.x tag-value document: "Tag: value" lines,
// values spanning lines inside <text>...</text>. Only the tags the scan
// needs are interpreted; unknown tags are skipped as the format allows.
func parseTagValue(data []byte, lim Limits) (*Document, error) {
	var (
		d        spdxDoc
		pkg      *spdxPackage // package being read, nil outside a package section
		inOther  bool         // inside a file, snippet or license section
		problems []Problem
	)
	lines := splitLines(data)
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := strings.TrimSpace(string(lines[i]))
		if line == "" || line[0] == '#' {
			continue
		}
		tag, value, ok := strings.Cut(line, ":")
		if !ok {
			problems = append(problems, Problem{Where: "line " + strconv.Itoa(lineNo), Reason: fmt.Sprintf("%q: not a \"Tag: value\" line", truncate(line))})
			continue
		}
		tag = strings.TrimSpace(tag)
		value = strings.TrimSpace(value)
		if rest, ok := strings.CutPrefix(value, "<text>"); ok {
			// Multi-line value: read up to the line with the closing tag.
			// Each line is searched once; free text can be megabytes long.
			var sb strings.Builder
			closed := strings.Contains(rest, "</text>")
			sb.WriteString(rest)
			for !closed && i+1 < len(lines) {
				i++
				closed = bytes.Contains(lines[i], []byte("</text>"))
				sb.WriteByte('\n')
				sb.Write(lines[i])
			}
			if !closed {
				// A truncated file: keep what was read before.
				problems = append(problems, Problem{Where: "line " + strconv.Itoa(lineNo), Reason: tag + ": <text> is not closed; the document ends here (truncated?)"})
				break
			}
			value, _, _ = strings.Cut(sb.String(), "</text>")
		}
		where := "line " + strconv.Itoa(lineNo)
		switch tag {
		case "SPDXVersion":
			d.SPDXVersion = value
		case "DocumentName":
			d.Name = value
		case "PackageName":
			d.Packages = append(d.Packages, spdxPackage{Name: value, where: where})
			pkg, inOther = &d.Packages[len(d.Packages)-1], false
		case "FileName", "SnippetSPDXID", "LicenseID":
			pkg, inOther = nil, true
		case "SPDXID":
			switch {
			case pkg != nil:
				pkg.SPDXID = value
			case !inOther && d.SPDXID == "":
				d.SPDXID = value
			}
		case "Relationship":
			f := strings.Fields(value)
			if len(f) != 3 {
				problems = append(problems, Problem{Where: where, Reason: fmt.Sprintf("Relationship %q: want \"<id> <TYPE> <id>\"", value)})
				continue
			}
			d.Relationships = append(d.Relationships, spdxRelationship{From: f[0], Type: f[1], To: f[2], where: where})
		}
		if pkg == nil {
			continue
		}
		switch tag {
		case "PackageVersion":
			pkg.VersionInfo = value
		case "PackageSupplier":
			pkg.Supplier = value
		case "PrimaryPackagePurpose":
			pkg.Purpose = value
		case "PackageLicenseConcluded":
			pkg.LicenseConcluded = value
		case "PackageLicenseDeclared":
			pkg.LicenseDeclared = value
		case "PackageChecksum":
			alg, sum, ok := strings.Cut(value, ":")
			if !ok {
				problems = append(problems, Problem{Where: where, Reason: fmt.Sprintf("PackageChecksum %q: want \"<ALG>: <value>\"", value)})
				continue
			}
			pkg.Checksums = append(pkg.Checksums, spdxChecksum{Algorithm: alg, Value: strings.TrimSpace(sum)})
		case "ExternalRef":
			f := strings.Fields(value)
			if len(f) != 3 {
				problems = append(problems, Problem{Where: where, Reason: fmt.Sprintf("ExternalRef %q: want \"<CATEGORY> <type> <locator>\"", value)})
				continue
			}
			pkg.ExternalRefs = append(pkg.ExternalRefs, spdxExternalRef{Category: f[0], Type: f[1], Locator: f[2]})
		}
	}
	if d.SPDXVersion == "" {
		return nil, fmt.Errorf("sbom: SPDX tag-value: SPDXVersion: missing")
	}
	doc, err := parseSPDX(&d, "tag-value", lim)
	if err != nil {
		return nil, err
	}
	doc.Problems = append(problems, doc.Problems...)
	return doc, nil
}

func truncate(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// splitLines splits at LF, CRLF or, as old Mac tools write, CR alone, so
// that line numbers match what an editor shows.
func splitLines(data []byte) [][]byte {
	var lines [][]byte
	for len(data) > 0 {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			lines = append(lines, data)
			break
		}
		lines = append(lines, data[:i])
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	return lines
}
