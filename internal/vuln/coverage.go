package vuln

// CoveredBy returns whether advisories of ecosystems (as the database names
// them, store.VulnEcosystems) cover a package of ecosystem and, if not, why
// (the Detail of its NoAdvisories verdict): the rule and words Match
// applies after SetCovered. It lets a stored "no advisories" verdict be
// checked again without loading records.
func CoveredBy(ecosystems []string) func(ecosystem string) (covered bool, why string) {
	ix := New(nil)
	ix.SetCovered(ecosystems)
	return ix.loaded
}
