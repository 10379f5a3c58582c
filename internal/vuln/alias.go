package vuln

// groups is a union-find over vulnerability ids: a record's id and its
// aliases are one vulnerability, and so, transitively, is every record
// sharing any of those ids (GO-2022-0274 = CVE-2021-43784 = GHSA-v95c-…).
// related and upstream ids are not aliases and stay apart.
type groups struct {
	parent map[string]string
	ids    map[string][]string // root → every id in its group
}

func newGroups() *groups {
	return &groups{parent: map[string]string{}, ids: map[string][]string{}}
}

// find returns the root of x's group; an id never seen is its own root.
// It does not compress paths, so that concurrent Match calls only read;
// union by size keeps the trees O(log n) deep.
func (g *groups) find(x string) string {
	for {
		p, ok := g.parent[x]
		if !ok || p == x {
			return x
		}
		x = p
	}
}

func (g *groups) ensure(x string) {
	if _, ok := g.parent[x]; !ok {
		g.parent[x] = x
		g.ids[x] = []string{x}
	}
}

func (g *groups) add(id string, aliases []string) {
	g.ensure(id)
	for _, a := range aliases {
		g.ensure(a)
		g.union(id, a)
	}
}

func (g *groups) union(a, b string) {
	ra, rb := g.find(a), g.find(b)
	if ra == rb {
		return
	}
	if len(g.ids[ra]) < len(g.ids[rb]) {
		ra, rb = rb, ra
	}
	g.parent[rb] = ra
	g.ids[ra] = append(g.ids[ra], g.ids[rb]...)
	delete(g.ids, rb)
}

// of returns every id in x's group, x included.
func (g *groups) of(x string) []string {
	if ids, ok := g.ids[g.find(x)]; ok {
		return ids
	}
	return []string{x}
}
