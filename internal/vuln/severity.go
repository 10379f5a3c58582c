package vuln

import (
	"fmt"
	"strings"

	"github.com/pflicht/pflicht/internal/osv"
)

// Severity is how severe an advisory is and where that judgement comes from.
type Severity struct {
	// Score is the CVSS v3 base score computed from Vector; 0 unless Source
	// is CVSS_V3.
	Score float64 `json:"score,omitempty"`
	// Rating is CRITICAL, HIGH, MEDIUM, LOW or NONE for a CVSS v3 score,
	// the database's own label in upper case (MODERATE, …), or UNKNOWN.
	Rating string `json:"rating"`
	Vector string `json:"vector,omitempty"`
	// Source is CVSS_V3, database_specific, another severity type as the
	// record names it (Ubuntu, …), or none.
	Source string `json:"source"`
	// Note says why a better source was not used, e.g. an unscored CVSS v4
	// vector.
	Note string `json:"note,omitempty"`
}

// Rating values besides the CVSS v3 ones.
const RatingUnknown = "UNKNOWN"

// severityOf picks the severity of a record. In order: a CVSS v3 vector
// (record level, then per package), scored here; the database's own label
// (database_specific.severity, as GitHub's advisories carry it); any other
// labelled severity type. CVSS v4 and v2 vectors are not scored: they are
// reported with rating UNKNOWN and a note saying so.
func severityOf(r *osv.Record) Severity {
	all := append([]osv.Severity(nil), r.Severity...)
	for _, a := range r.Affected {
		all = append(all, a.Severity...)
	}
	var notes []string
	for _, s := range all {
		if s.Type != osv.CVSSv3 {
			continue
		}
		v, err := osv.ParseCVSS3(s.Score)
		if err != nil {
			notes = append(notes, err.Error())
			continue
		}
		score := v.BaseScore()
		return Severity{Score: score, Rating: osv.Rating(score), Vector: s.Score, Source: osv.CVSSv3}
	}
	if label := r.DatabaseSpecific.String("severity"); label != "" {
		return Severity{Rating: strings.ToUpper(label), Source: "database_specific", Note: strings.Join(notes, "; ")}
	}
	var vector string
	for _, s := range all {
		switch s.Type {
		case osv.CVSSv4, osv.CVSSv2:
			if vector == "" {
				vector = s.Score
				notes = append(notes, fmt.Sprintf("%s vector not scored (only CVSS v3 base scores are computed) and the record has no database severity", s.Type))
			}
		case osv.CVSSv3:
		default:
			return Severity{Rating: strings.ToUpper(s.Score), Source: s.Type, Note: strings.Join(notes, "; ")}
		}
	}
	return Severity{Rating: RatingUnknown, Vector: vector, Source: "none", Note: strings.Join(notes, "; ")}
}
