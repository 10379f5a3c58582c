package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// failingReader yields n bytes and then fails, like an upload whose
// connection breaks half-way.
type failingReader struct{ n int }

var errBroken = errors.New("connection reset")

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errBroken
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

// counts returns the rows of evidence, blobs and the audit trail.
func counts(t *testing.T, s *store.Store) [3]int {
	t.Helper()
	ctx := context.Background()
	var c [3]int
	err := s.Tx(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT (SELECT count(*) FROM evidence), (SELECT count(*) FROM blobs), (SELECT count(*) FROM audit_log)").Scan(&c[0], &c[1], &c[2])
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEvidenceBrokenUploadStoresNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		before := counts(t, s)
		_, err := s.AddEvidence(ctx, tn.member, store.Evidence{OrgID: tn.org.ID, MeasureID: "30.2.2", Name: "plan.pdf", ContentType: "application/pdf"}, &failingReader{n: 100 << 10})
		if !errors.Is(err, errBroken) {
			t.Fatalf("AddEvidence = %v, want the read error", err)
		}
		if after := counts(t, s); after != before {
			t.Fatalf("rows (evidence, blobs, audit) %v before, %v after a failed upload", before, after)
		}
		mustVerify(t, s)
	})
}

func TestEvidenceValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		for _, tc := range []struct {
			name string
			e    store.Evidence
			want string // the field the error names
		}{
			{"unknown measure", store.Evidence{MeasureID: "30.2.11", Name: "a.pdf"}, "measure_id"},
			{"empty name", store.Evidence{Name: "  "}, "name"},
			{"path", store.Evidence{Name: "../etc/passwd"}, "name"},
			{"windows path", store.Evidence{Name: `C:\x.pdf`}, "name"},
			{"control character", store.Evidence{Name: "a\r\nb.pdf"}, "name"},
			{"dot dot", store.Evidence{Name: ".."}, "name"},
			{"too long", store.Evidence{Name: strings.Repeat("a", 252) + ".pdf"}, "name"},
			{"not UTF-8", store.Evidence{Name: "a\xffb.pdf"}, "name"},
		} {
			tc.e.OrgID = tn.org.ID
			_, err := s.AddEvidence(ctx, tn.member, tc.e, strings.NewReader("x"))
			if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.want+":") {
				t.Errorf("%s: %v, want ErrInvalid naming %s", tc.name, err, tc.want)
			}
		}
		if c := counts(t, s); c[0] != 0 {
			t.Errorf("%d evidence rows after rejected input", c[0])
		}
		// Organisation-wide evidence (no measure) and names in any script.
		e, err := s.AddEvidence(ctx, tn.member, store.Evidence{OrgID: tn.org.ID, Name: "Übersicht ÄÖÜ 報告.txt", ContentType: "text/plain; charset=utf-8"}, strings.NewReader("ok"))
		if err != nil || e.MeasureID != "" || e.Name != "Übersicht ÄÖÜ 報告.txt" {
			t.Fatalf("AddEvidence = %+v, %v", e, err)
		}
	})
}

func TestEvidenceContentIsTenantChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mine, theirs := newTenant(t, s, "mine"), newTenant(t, s, "theirs")
		content := []byte("%PDF-1.7 theirs")
		ev, err := s.AddEvidence(ctx, theirs.member, store.Evidence{OrgID: theirs.org.ID, MeasureID: "30.2.1", Name: "p.pdf", ContentType: "application/pdf"}, bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.EvidenceContent(ctx, mine.owner, ev.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("foreign member reads evidence: %v, want ErrNotFound", err)
		}
		if _, _, err := s.EvidenceContent(ctx, mine.owner, "no-such-id"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown id: %v, want ErrNotFound", err)
		}
		supervisor := mustUser(t, s, "staff@bsi.example", store.RoleSupervisor)
		got, r, err := s.EvidenceContent(ctx, supervisor, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(r); !bytes.Equal(b, content) || got.OrgID != theirs.org.ID || got.MeasureID != "30.2.1" || got.CreatedByEmail != "member@theirs.example" {
			t.Errorf("supervisor reads %+v %q", got, b)
		}
		if _, err := s.AddEvidence(ctx, supervisor, store.Evidence{OrgID: theirs.org.ID, Name: "x.txt"}, strings.NewReader("x")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("supervisor adds evidence: %v, want ErrNotFound", err)
		}
	})
}

func TestManagementRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		for _, r := range []store.ManagementRecord{
			{Kind: "training", HeldOn: "2026-02-01", Title: "Schulung nach § 38 Abs. 3", Participants: "Dr. A. Vorstand, B. Geschäftsführerin", Notes: "4 h, externer Anbieter"},
			{Kind: "supervision", HeldOn: "2026-03-15", Title: "Vorstandssitzung: Umsetzung der Maßnahmen", Participants: "Vorstand"},
		} {
			r.OrgID = tn.org.ID
			if _, err := s.AddManagementRecord(ctx, tn.member, r); err != nil {
				t.Fatal(err)
			}
		}
		recs, err := s.ManagementRecords(ctx, tn.owner, tn.org.ID)
		if err != nil || len(recs) != 2 {
			t.Fatalf("ManagementRecords = %+v, %v", recs, err)
		}
		if r := recs[0]; r.Kind != "supervision" || r.Participants != "Vorstand" || r.CreatedByEmail != "member@acme.example" {
			t.Errorf("latest first: %+v", r)
		}
		if r := recs[1]; r.Participants != "Dr. A. Vorstand, B. Geschäftsführerin" || r.Notes != "4 h, externer Anbieter" {
			t.Errorf("participants and notes: %+v", r)
		}
		for _, bad := range []store.ManagementRecord{
			{Kind: "approval", HeldOn: "2026-01-01", Title: "x"},
			{Kind: "training", HeldOn: "01.01.2026", Title: "x"},
			{Kind: "training", HeldOn: "2026-01-01", Title: " "},
		} {
			bad.OrgID = tn.org.ID
			if _, err := s.AddManagementRecord(ctx, tn.member, bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("AddManagementRecord(%+v) = %v, want ErrInvalid", bad, err)
			}
		}
		mustVerify(t, s)
	})
}
