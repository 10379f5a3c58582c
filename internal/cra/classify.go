package cra

import (
	"fmt"
	"strings"

	"github.com/pflicht/pflicht/internal/law"
)

// Reason is one category that placed the product in its class.
type Reason struct {
	CategoryID string   `json:"category"`
	Citation   string   `json:"citation"`
	Title      law.Text `json:"title"`
	Class      Class    `json:"class"`
}

// Classification is the class of a product and the categories behind it.
type Classification struct {
	Class   Class    `json:"class"`
	Reasons []Reason `json:"reasons"`
}

// Classify returns the class of a product that falls under the given Annex III
// and IV category ids (e.g. "annex3.1.11", "annex4.2"): the highest class of
// any of them wins; no category means "default". Unknown ids are errors.
func Classify(categoryIDs []string) (Classification, error) {
	res := Classification{Class: Default, Reasons: []Reason{}}
	seen := map[string]bool{}
	for i, id := range categoryIDs {
		id = strings.TrimSpace(id)
		k, ok := cat.category[id]
		if !ok {
			return Classification{}, fmt.Errorf("cra: category %d: %q is not an Annex III or IV category id (see the list of categories)", i+1, id)
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		res.Reasons = append(res.Reasons, Reason{CategoryID: id, Citation: k.Citation, Title: k.Title, Class: k.Class})
		if classRank[k.Class] > classRank[res.Class] {
			res.Class = k.Class
		}
	}
	return res, nil
}
