package osv

import (
	"testing"

	"github.com/pflicht/pflicht/internal/testdata"
)

// sharedDatabases are the advisory databases under shared/data, with the
// number of record files each holds and how many of them are known not to
// parse (none so far).
var sharedDatabases = []struct {
	dir      string
	files    int
	problems int
}{
	{"golang-vulndb", 4291, 0},
	{"pypa-advisory-database", 2661, 0},
	{"rustsec-advisory-db-osv", 1206, 0},
	{"psf-advisory-database", 132, 0},
	{"drupal-advisory-database", 591, 0},
	{"r-advisory-database", 14, 0},
	{"homebrew-advisory-database", 43, 0},
}

func TestWalkSharedDatabases(t *testing.T) {
	total := 0
	for _, db := range sharedDatabases {
		t.Run(db.dir, func(t *testing.T) {
			dir := testdata.Shared(t, db.dir)
			ids := map[string]bool{}
			rep, err := Walk([]string{dir}, Options{}, func(r Record) error {
				if ids[r.ID] {
					t.Errorf("duplicate id %s", r.ID)
				}
				ids[r.ID] = true
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range rep.Problems {
				t.Log(p)
			}
			t.Logf("%s: %d files, %d records, %d ignored, %d problems", db.dir, rep.Files, rep.Records, rep.Ignored, len(rep.Problems))
			if rep.Files != db.files || len(rep.Problems) != db.problems || rep.Records != db.files-db.problems {
				t.Errorf("got %d files, %d records, %d problems; want %d files, %d problems",
					rep.Files, rep.Records, len(rep.Problems), db.files, db.problems)
			}
			total += rep.Records
		})
	}
	t.Logf("total: %d records", total)
}
