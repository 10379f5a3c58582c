package osv

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func walkAll(t *testing.T, paths []string, opt Options) ([]Record, Report, error) {
	t.Helper()
	var recs []Record
	rep, err := Walk(paths, opt, func(r Record) error {
		recs = append(recs, r)
		return nil
	})
	return recs, rep, err
}

func TestWalkTree(t *testing.T) {
	var progress []int
	recs, rep, err := walkAll(t, []string{"testdata/tree"}, Options{Progress: func(done, total int) {
		progress = append(progress, done*100+total)
	}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff([]string{"GO-TEST-0001", "PYSEC-TEST-1", "ARR-1", "ARR-2"}, ids); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	var problems []string
	for _, p := range rep.Problems {
		problems = append(problems, p.Error())
	}
	want := []string{
		`testdata/tree/nested/bad-event.yaml: affected[0].ranges[0].events[0]: exactly one of introduced, fixed, last_affected, limit must be set`,
		`testdata/tree/nested/bad-time.json: invalid JSON: modified: "yesterday" is not an RFC 3339 timestamp`,
		`testdata/tree/nested/broken.json: invalid JSON at line 2: unexpected end of JSON input`,
	}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if rep.Files != 6 || rep.Records != 4 || rep.Ignored != 1 {
		t.Errorf("report %+v", rep)
	}
	if diff := cmp.Diff([]int{106, 206, 306, 406, 506, 606}, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}

	g := recs[0]
	if g.Modified != time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC) || g.DatabaseSpecific.String("severity") != "HIGH" ||
		g.Affected[0].Package.PURL != "pkg:golang/example.org/mod" || g.Affected[0].Ranges[0].Events[1].Fixed != "1.2.3" {
		t.Errorf("JSON record decoded wrongly: %+v", g)
	}
	y := recs[1]
	// Unquoted YAML numbers must keep their text: 1.10 is not 1.1.
	if y.Affected[0].Ranges[0].Events[1].Fixed != "1.10" || !cmp.Equal(y.Affected[0].Versions, []string{"1.0", "1.9"}) {
		t.Errorf("YAML versions lost their text: %+v", y.Affected[0])
	}
	if y.Published != time.Date(2020, 8, 5, 14, 15, 0, 0, time.UTC) {
		t.Errorf("quoted YAML time: %v", y.Published)
	}
	if recs[2].Withdrawn.IsZero() || !cmp.Equal(recs[3].Related, []string{"ARR-1"}) {
		t.Errorf("array records: %+v", recs[2:])
	}
}

func TestWalkSingleFileAndErrors(t *testing.T) {
	recs, _, err := walkAll(t, []string{"testdata/tree/GO-TEST-0001.json"}, Options{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("single file: %v, %d records", err, len(recs))
	}
	if _, _, err := walkAll(t, []string{"testdata/tree/README.md"}, Options{}); err == nil || !strings.Contains(err.Error(), "not an OSV file") {
		t.Errorf("README: %v", err)
	}
	if _, _, err := walkAll(t, []string{"testdata/missing"}, Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing path: %v", err)
	}
	stop := errors.New("stop")
	_, err = Walk([]string{"testdata/tree"}, Options{}, func(Record) error { return stop })
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), "GO-TEST-0001") {
		t.Errorf("callback error: %v", err)
	}
	_, rep, err := walkAll(t, []string{"testdata/tree/GO-TEST-0001.json"}, Options{Limits: Limits{MaxFileBytes: 100}})
	if err != nil || len(rep.Problems) != 1 || !errors.Is(rep.Problems[0].Err, ErrLimit) {
		t.Errorf("file size limit: %v %+v", err, rep)
	}
}

// writeZip writes an archive of name → content in osv.dev's all.zip layout.
func writeZip(t *testing.T, files map[string][]byte, names ...string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "all.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWalkZip(t *testing.T) {
	good, _ := os.ReadFile("testdata/tree/GO-TEST-0001.json")
	files := map[string][]byte{
		"GO-TEST-0001.json": good,
		"BROKEN.json":       []byte(`{"id": 1}`),
		"notes.txt":         []byte("x"),
	}
	p := writeZip(t, files, "GO-TEST-0001.json", "BROKEN.json", "notes.txt")
	recs, rep, err := walkAll(t, []string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || rep.Files != 2 || rep.Ignored != 1 || len(rep.Problems) != 1 {
		t.Fatalf("records %d, report %+v", len(recs), rep)
	}
	if got, want := rep.Problems[0].Error(), p+"!BROKEN.json: id: want string, got JSON number"; got != want {
		t.Errorf("problem %q, want %q", got, want)
	}

	// A directory holding archives reads them too (osv.dev's per-ecosystem
	// downloads side by side).
	if recs, _, err := walkAll(t, []string{filepath.Dir(p)}, Options{}); err != nil || len(recs) != 1 {
		t.Errorf("directory with an archive: %v, %d records", err, len(recs))
	}
	if b, err := json.Marshal(rep.Problems[0]); err != nil || !strings.Contains(string(b), `"reason":"id: want string, got JSON number"`) {
		t.Errorf("problem as JSON: %s %v", b, err)
	}

	if _, _, err := walkAll(t, []string{p}, Options{Limits: Limits{MaxArchiveEntries: 2}}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "3 entries, more than the limit of 2") {
		t.Errorf("entry limit: %v", err)
	}
	if _, _, err := walkAll(t, []string{p}, Options{Limits: Limits{MaxArchiveBytes: 100}}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "uncompressed bytes, more than the limit of 100") {
		t.Errorf("size limit: %v", err)
	}
}

func TestWalkZipBomb(t *testing.T) {
	// 4 MiB of spaces inside a JSON record compress to a few KiB.
	bomb := append([]byte(`{"id": "BOMB", "details": "`), bytes.Repeat([]byte(" "), 4<<20)...)
	bomb = append(bomb, `"}`...)
	p := writeZip(t, map[string][]byte{"BOMB.json": bomb}, "BOMB.json")
	_, _, err := walkAll(t, []string{p}, Options{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "expands more than 100 times") {
		t.Errorf("ratio limit: %v", err)
	}
	recs, _, err := walkAll(t, []string{p}, Options{Limits: Limits{MaxArchiveRatio: 10000}})
	if err != nil || len(recs) != 1 {
		t.Errorf("with a raised ratio limit: %v, %d records", err, len(recs))
	}
}

// TestWalkParallelOrder checks that parsing on several workers keeps the
// order of the files, lists problems in that order, and stops at the first
// error of the callback without waiting for the rest.
func TestWalkParallelOrder(t *testing.T) {
	dir := t.TempDir()
	const n = 300
	var want, wantProblems []string
	for i := range n {
		name := filepath.Join(dir, fmt.Sprintf("r%04d.json", i))
		body := fmt.Sprintf(`{"id":"TEST-%04d","modified":"2024-01-01T00:00:00Z"}`, i)
		if i%37 == 0 {
			body = "{broken"
			wantProblems = append(wantProblems, name)
		} else {
			want = append(want, fmt.Sprintf("TEST-%04d", i))
		}
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		recs, rep, err := walkAll(t, []string{dir}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var ids, problems []string
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		for _, p := range rep.Problems {
			problems = append(problems, p.Path)
		}
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Fatalf("records (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantProblems, problems); diff != "" {
			t.Fatalf("problems (-want +got):\n%s", diff)
		}
		if rep.Files != n || rep.Records != len(want) {
			t.Fatalf("report %+v", rep)
		}
	}
	stop := errors.New("stop")
	seen := 0
	rep, err := Walk([]string{dir}, Options{}, func(r Record) error {
		if seen++; r.ID == "TEST-0010" {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), "r0010.json: TEST-0010") || seen != 10 || rep.Records != 9 {
		t.Errorf("stop: err %v, seen %d, report %+v", err, seen, rep)
	}
}
