package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

var admin = store.System("test")

// tenant is an organisation with one member and one org_admin.
type tenant struct {
	org           store.Organisation
	member, owner store.Actor
}

func newTenant(t *testing.T, s *store.Store, name string) tenant {
	t.Helper()
	ctx := context.Background()
	owner := mustUser(t, s, "owner@"+name+".example", "")
	org, err := s.CreateOrganisation(ctx, owner, store.Profile{Name: name, Sectors: []string{"energy"}}, "wichtig")
	if err != nil {
		t.Fatal(err)
	}
	member := mustUser(t, s, "member@"+name+".example", "")
	if err := s.AddMember(ctx, owner, org.ID, member.UserID, store.RoleMember); err != nil {
		t.Fatal(err)
	}
	return tenant{org: org, member: member, owner: owner}
}

func mustUser(t *testing.T, s *store.Store, email string, role store.Role) store.Actor {
	t.Helper()
	u, err := s.CreateUser(context.Background(), admin, email, "$argon2id$test", role)
	if err != nil {
		t.Fatal(err)
	}
	return store.Actor{UserID: u.ID, Role: role}
}

func mustVerify(t *testing.T, s *store.Store) {
	t.Helper()
	broken, err := s.VerifyAudit(context.Background())
	if err != nil || broken != nil {
		t.Fatalf("VerifyAudit = %+v, %v", broken, err)
	}
}

func TestOrganisationProfileVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		p := store.Profile{
			Name: "Acme GmbH", LegalForm: "GmbH", RegisterNumber: "HRB 12345",
			Address: store.Address{Street: "Hauptstr. 1", PostalCode: "10115", City: "Berlin", Country: "DE"},
			Emails:  []string{"security@acme.example"}, IPRanges: []string{"192.0.2.0/24", "2001:db8::/32"},
			Sectors: []string{"energy", "transport"}, MemberStates: []string{"DE", "AT"},
			Employees: 120, TurnoverEUR: 30_000_000, BalanceSheetEUR: 20_000_000,
		}
		if _, err := s.UpdateProfile(ctx, tn.member, tn.org.ID, p, "wichtig"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("member updating the profile: %v, want ErrNotFound", err)
		}
		v, err := s.UpdateProfile(ctx, tn.owner, tn.org.ID, p, "besonders_wichtig")
		if err != nil || v.Version != 2 {
			t.Fatalf("UpdateProfile = %+v, %v", v, err)
		}
		vs, err := s.Profiles(ctx, tn.member, tn.org.ID)
		if err != nil || len(vs) != 2 || vs[0].Profile.RegisterNumber != "HRB 12345" || vs[1].Profile.Name != "acme" || vs[0].Class != "besonders_wichtig" {
			t.Fatalf("Profiles = %+v, %v", vs, err)
		}
		o, err := s.Organisation(ctx, tn.member, tn.org.ID)
		if err != nil || o.Name != "Acme GmbH" || o.Class != "besonders_wichtig" || o.ProfileVersion != 2 || o.RegisteredAt != nil {
			t.Fatalf("Organisation = %+v, %v", o, err)
		}
		r, err := s.SubmitRegistration(ctx, tn.owner, tn.org.ID)
		if err != nil || r.ProfileVersion != 2 {
			t.Fatalf("SubmitRegistration = %+v, %v", r, err)
		}
		o, _ = s.Organisation(ctx, tn.member, tn.org.ID)
		if o.RegisteredAt == nil || !o.RegisteredAt.Equal(r.SubmittedAt) {
			t.Fatalf("RegisteredAt = %v, want %v", o.RegisteredAt, r.SubmittedAt)
		}
		mustVerify(t, s)
	})
}

func TestProfileValidateNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		p     store.Profile
		field string
	}{
		{store.Profile{}, "name"},
		{store.Profile{Name: "x", Emails: []string{"nope"}}, "emails[0]"},
		{store.Profile{Name: "x", IPRanges: []string{"10.0.0.0/33"}}, "ip_ranges[0]"},
		{store.Profile{Name: "x", MemberStates: []string{"DE", "de"}}, "member_states[1]"},
		{store.Profile{Name: "x", Address: store.Address{Country: "Germany"}}, "address.country"},
		{store.Profile{Name: "x", Employees: -1}, "employees"},
	} {
		err := tc.p.Validate()
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.field+":") {
			t.Errorf("Validate(%+v) = %v, want ErrInvalid naming %s", tc.p, err, tc.field)
		}
	}
}

// TestTenantIsolation runs every organisation-scoped call against a
// foreign organisation's records: each must be ErrNotFound.
func TestTenantIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mine, theirs := newTenant(t, s, "mine"), newTenant(t, s, "theirs")
		inc, err := s.CreateIncident(ctx, theirs.member, store.Incident{OrgID: theirs.org.ID, Regime: store.RegimeBSIG, Title: "outage", AwareAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := s.AddEvidence(ctx, theirs.member, store.Evidence{OrgID: theirs.org.ID, Name: "policy.pdf"}, strings.NewReader("secret"))
		if err != nil {
			t.Fatal(err)
		}
		prod, err := s.CreateProduct(ctx, theirs.member, theirs.org.ID, "Router")
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.Notify(ctx, theirs.member, store.Notification{OrgID: theirs.org.ID, Kind: "deadline", Title: "due"})
		if err != nil {
			t.Fatal(err)
		}
		supervisor := mustUser(t, s, "staff@bsi.example", store.RoleSupervisor)
		a := mine.owner
		foreign := theirs.org.ID
		calls := map[string]func() error{
			"Organisation":       func() error { _, err := s.Organisation(ctx, a, foreign); return err },
			"Profiles":           func() error { _, err := s.Profiles(ctx, a, foreign); return err },
			"UpdateProfile":      func() error { _, err := s.UpdateProfile(ctx, a, foreign, store.Profile{Name: "x"}, ""); return err },
			"SubmitRegistration": func() error { _, err := s.SubmitRegistration(ctx, a, foreign); return err },
			"AddMember":          func() error { return s.AddMember(ctx, a, foreign, a.UserID, store.RoleOrgAdmin) },
			"CreateIncident": func() error {
				_, err := s.CreateIncident(ctx, a, store.Incident{OrgID: foreign, Regime: store.RegimeBSIG, Title: "x", AwareAt: time.Now()})
				return err
			},
			"Incident":          func() error { _, err := s.Incident(ctx, a, inc.ID); return err },
			"Incidents":         func() error { _, err := s.Incidents(ctx, a, foreign); return err },
			"SetIncidentStatus": func() error { return s.SetIncidentStatus(ctx, a, inc.ID, "closed") },
			"SubmitReport": func() error {
				_, err := s.SubmitReport(ctx, a, inc.ID, "early_warning", json.RawMessage(`{}`))
				return err
			},
			"Reports":  func() error { _, err := s.Reports(ctx, a, inc.ID); return err },
			"Measures": func() error { _, err := s.Measures(ctx, a, foreign); return err },
			"SetMeasure": func() error {
				_, err := s.SetMeasure(ctx, a, foreign, store.Measure{MeasureID: "30.2.1", Status: "open"})
				return err
			},
			"AddEvidence": func() error {
				_, err := s.AddEvidence(ctx, a, store.Evidence{OrgID: foreign, Name: "x"}, strings.NewReader("x"))
				return err
			},
			"EvidenceList":    func() error { _, err := s.EvidenceList(ctx, a, foreign); return err },
			"EvidenceContent": func() error { _, _, err := s.EvidenceContent(ctx, a, ev.ID); return err },
			"AddManagementRecord": func() error {
				_, err := s.AddManagementRecord(ctx, a, store.ManagementRecord{OrgID: foreign, Kind: "training", HeldOn: "2026-01-01", Title: "x"})
				return err
			},
			"ManagementRecords": func() error { _, err := s.ManagementRecords(ctx, a, foreign); return err },
			"CreateProduct":     func() error { _, err := s.CreateProduct(ctx, a, foreign, "x"); return err },
			"AddProductVersion": func() error {
				_, err := s.AddProductVersion(ctx, a, store.ProductVersion{ProductID: prod.ID, Version: "1"})
				return err
			},
			"Products": func() error { _, err := s.Products(ctx, a, foreign); return err },
			"Notify": func() error {
				_, err := s.Notify(ctx, a, store.Notification{OrgID: foreign, Kind: "k", Title: "t"})
				return err
			},
			"Notifications":        func() error { _, err := s.Notifications(ctx, a, foreign); return err },
			"MarkNotificationRead": func() error { return s.MarkNotificationRead(ctx, a, n.ID) },
			// A supervisor reads everything but writes nothing.
			"supervisor SubmitReport": func() error {
				_, err := s.SubmitReport(ctx, supervisor, inc.ID, "early_warning", json.RawMessage(`{}`))
				return err
			},
			"supervisor SetMeasure": func() error {
				_, err := s.SetMeasure(ctx, supervisor, foreign, store.Measure{MeasureID: "30.2.1", Status: "open"})
				return err
			},
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s on a foreign organisation: %v, want ErrNotFound", name, err)
			}
		}
		if _, err := s.Incident(ctx, supervisor, inc.ID); err != nil {
			t.Errorf("supervisor reading an incident: %v", err)
		}
		page, err := s.Registry(ctx, mine.member, store.RegistryFilter{})
		if err != nil || page.Total != 1 || page.Organisations[0].ID != mine.org.ID {
			t.Errorf("member's registry = %+v, %v; want only its own organisation", page, err)
		}
		page, err = s.Registry(ctx, supervisor, store.RegistryFilter{})
		if err != nil || page.Total != 2 {
			t.Errorf("supervisor's registry = %+v, %v; want both", page, err)
		}
	})
}

func TestIncidentsAndReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		aware := time.Date(2026, 3, 1, 8, 30, 0, 123456789, time.FixedZone("CET", 3600))
		inc, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: store.RegimeCRAVulnerability, Title: "CVE-2026-1", AwareAt: aware})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Incident(ctx, tn.owner, inc.ID)
		if err != nil || got.ID != inc.ID || !got.CreatedAt.Equal(inc.CreatedAt) || !got.AwareAt.Equal(aware.Truncate(time.Microsecond)) {
			t.Fatalf("Incident = %+v, %v; want %+v", got, err, inc)
		}
		for _, stage := range []string{"early_warning", "notification", "final"} {
			if _, err := s.SubmitReport(ctx, tn.member, inc.ID, stage, json.RawMessage(`{"stage":"`+stage+`"}`)); err != nil {
				t.Fatal(err)
			}
		}
		for _, bad := range []struct{ stage, content string }{{"Early Warning", `{}`}, {"final", `[1]`}, {"final", `{`}, {"final", `null`}} {
			if _, err := s.SubmitReport(ctx, tn.member, inc.ID, bad.stage, json.RawMessage(bad.content)); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("SubmitReport(%q, %s) = %v, want ErrInvalid", bad.stage, bad.content, err)
			}
		}
		rs, err := s.Reports(ctx, tn.member, inc.ID)
		if err != nil || len(rs) != 3 || rs[2].Stage != "final" || string(rs[0].Content) != `{"stage":"early_warning"}` {
			t.Fatalf("Reports = %+v, %v", rs, err)
		}
		if err := s.SetIncidentStatus(ctx, tn.member, inc.ID, "closed"); err != nil {
			t.Fatal(err)
		}
		list, err := s.Incidents(ctx, tn.member, tn.org.ID)
		if err != nil || len(list) != 1 || list[0].Status != "closed" {
			t.Fatalf("Incidents = %+v, %v", list, err)
		}
		if _, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: "gdpr", Title: "x", AwareAt: aware}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("unknown regime: %v, want ErrInvalid", err)
		}
		mustVerify(t, s)
	})
}

func TestMeasuresEvidenceManagement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		if _, err := s.SetMeasure(ctx, tn.member, tn.org.ID, store.Measure{MeasureID: "30.2.10", Status: "implemented", Owner: "CISO", ReviewDate: "2027-01-31"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetMeasure(ctx, tn.member, tn.org.ID, store.Measure{MeasureID: "30.2.10", Status: "in_progress"}); err != nil {
			t.Fatal(err)
		}
		ms, err := s.Measures(ctx, tn.member, tn.org.ID)
		if err != nil || len(ms) != 10 || ms[0].Status != "open" || ms[9].Status != "in_progress" || ms[9].Owner != "" {
			t.Fatalf("Measures = %+v, %v", ms, err)
		}
		for _, bad := range []store.Measure{{MeasureID: "30.2.11", Status: "open"}, {MeasureID: "30.2.1", Status: "done"}, {MeasureID: "30.2.1", Status: "open", ReviewDate: "31.01.2027"}} {
			if _, err := s.SetMeasure(ctx, tn.member, tn.org.ID, bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("SetMeasure(%+v) = %v, want ErrInvalid", bad, err)
			}
		}
		content := []byte("%PDF-1.7 policy")
		e1, err := s.AddEvidence(ctx, tn.member, store.Evidence{OrgID: tn.org.ID, MeasureID: "30.2.1", Name: "policy.pdf", ContentType: "application/pdf"}, bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		// The same content again is stored once and referenced twice.
		if _, err := s.AddEvidence(ctx, tn.member, store.Evidence{OrgID: tn.org.ID, Name: "copy.pdf"}, bytes.NewReader(content)); err != nil {
			t.Fatal(err)
		}
		e, r, err := s.EvidenceContent(ctx, tn.owner, e1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(r); !bytes.Equal(got, content) || e.Size != int64(len(content)) || e.SHA256 != e1.SHA256 {
			t.Fatalf("EvidenceContent = %+v, %q", e, got)
		}
		list, err := s.EvidenceList(ctx, tn.member, tn.org.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("EvidenceList = %+v, %v", list, err)
		}
		big := io.MultiReader(bytes.NewReader(make([]byte, store.MaxEvidenceSize)), strings.NewReader("x"))
		if _, err := s.AddEvidence(ctx, tn.member, store.Evidence{OrgID: tn.org.ID, Name: "big"}, big); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("oversized evidence: %v, want ErrInvalid", err)
		}
		if _, err := s.AddManagementRecord(ctx, tn.owner, store.ManagementRecord{OrgID: tn.org.ID, Kind: "training", HeldOn: "2026-02-01", Title: "§38(3) Schulung"}); err != nil {
			t.Fatal(err)
		}
		recs, err := s.ManagementRecords(ctx, tn.member, tn.org.ID)
		if err != nil || len(recs) != 1 || recs[0].Kind != "training" {
			t.Fatalf("ManagementRecords = %+v, %v", recs, err)
		}
		mustVerify(t, s)
	})
}

func TestProductsAndNotifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		p, err := s.CreateProduct(ctx, tn.member, tn.org.ID, "Router X")
		if err != nil {
			t.Fatal(err)
		}
		v := store.ProductVersion{ProductID: p.ID, Version: "2.0", SupportStart: "2027-12-11", SupportEnd: "2032-12-11", Categories: []string{"annex-iii-1-12"}}
		if _, err := s.AddProductVersion(ctx, tn.member, v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddProductVersion(ctx, tn.member, v); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate version: %v, want ErrConflict", err)
		}
		v.Version, v.SupportEnd = "3.0", "2020-01-01"
		if _, err := s.AddProductVersion(ctx, tn.member, v); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("support ending before it starts: %v, want ErrInvalid", err)
		}
		ps, err := s.Products(ctx, tn.member, tn.org.ID)
		if err != nil || len(ps) != 1 || len(ps[0].Versions) != 1 || ps[0].Versions[0].Categories[0] != "annex-iii-1-12" {
			t.Fatalf("Products = %+v, %v", ps, err)
		}
		supervisor := mustUser(t, s, "staff@bsi.example", store.RoleSupervisor)
		n, err := s.Notify(ctx, supervisor, store.Notification{OrgID: tn.org.ID, Kind: "authority", Title: "Bitte Registrierung ergänzen"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkNotificationRead(ctx, tn.member, n.ID); err != nil {
			t.Fatal(err)
		}
		ns, err := s.Notifications(ctx, tn.member, tn.org.ID)
		if err != nil || len(ns) != 1 || ns[0].ReadAt == nil {
			t.Fatalf("Notifications = %+v, %v", ns, err)
		}
		mustVerify(t, s)
	})
}

func TestUsersSessionsTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, admin, "Alice@Example.org", "$argon2id$x", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, admin, "alice@example.org", "$argon2id$x", ""); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate e-mail: %v, want ErrConflict", err)
		}
		if _, err := s.CreateUser(ctx, store.Actor{UserID: u.ID}, "bob@example.org", "$argon2id$x", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("non-admin creating a user: %v, want ErrNotFound", err)
		}
		if _, err := s.CreateUser(ctx, admin, "bob@example.org", "$argon2id$x", store.RoleOrgAdmin); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("org role as global role: %v, want ErrInvalid", err)
		}
		got, err := s.UserByEmail(ctx, "ALICE@example.org")
		if err != nil || got.ID != u.ID || got.PasswordHash != "$argon2id$x" {
			t.Fatalf("UserByEmail = %+v, %v", got, err)
		}
		token, err := s.CreateSession(ctx, u.ID, time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.SessionActor(ctx, token, time.Now(), time.Hour)
		if err != nil || a.UserID != u.ID {
			t.Fatalf("SessionActor = %+v, %v", a, err)
		}
		if err := s.DeleteSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionActor(ctx, token, time.Now(), time.Hour); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ended session: %v, want ErrNotFound", err)
		}
		expired, err := s.CreateSession(ctx, u.ID, time.Now(), -time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionActor(ctx, expired, time.Now(), time.Hour); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired session: %v, want ErrNotFound", err)
		}
		tok, info, err := s.CreateToken(ctx, admin, u.ID, true, nil)
		if err != nil || !strings.HasPrefix(tok, info.Prefix) {
			t.Fatalf("CreateToken = %q, %+v, %v", tok, info, err)
		}
		a, err = s.TokenActor(ctx, tok)
		if err != nil || a.UserID != u.ID || !a.ReadOnly {
			t.Fatalf("TokenActor = %+v, %v", a, err)
		}
		if _, err := s.TokenActor(ctx, tok+"x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("wrong token: %v, want ErrNotFound", err)
		}
		past := time.Now().Add(-time.Hour)
		old, _, err := s.CreateToken(ctx, admin, u.ID, false, &past)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenActor(ctx, old); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired token: %v, want ErrNotFound", err)
		}
		mustVerify(t, s)
	})
}

// TestAuditChainDetectsTampering edits, deletes and truncates audit rows
// behind the store's back and expects VerifyAudit to notice each.
func TestAuditChainDetectsTampering(t *testing.T) {
	for _, tc := range []struct {
		name, sql string
		seq       int64 // first broken record; 0 for truncation
	}{
		{"edit", "UPDATE audit_log SET after_json = '{}' WHERE seq = 3", 3},
		{"edit actor", "UPDATE audit_log SET actor = 'someone else' WHERE seq = 2", 2},
		{"delete", "DELETE FROM audit_log WHERE seq = 2", 3},
		{"truncate", "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				for i := range 4 {
					if _, err := s.CreateOrganisation(ctx, admin, store.Profile{Name: fmt.Sprint("org", i)}, ""); err != nil {
						t.Fatal(err)
					}
				}
				mustVerify(t, s)
				if err := s.Tx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, tc.sql); return err }); err != nil {
					t.Fatal(err)
				}
				broken, err := s.VerifyAudit(ctx)
				switch {
				case tc.seq == 0:
					if !errors.Is(err, store.ErrAuditTruncated) {
						t.Fatalf("VerifyAudit = %+v, %v; want ErrAuditTruncated", broken, err)
					}
				case err != nil || broken == nil || broken.Seq != tc.seq:
					t.Fatalf("VerifyAudit = %+v, %v; want record %d", broken, err, tc.seq)
				}
			})
		})
	}
}

func TestAuditRecordsBeforeAndAfter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		if _, err := s.SetMeasure(ctx, tn.member, tn.org.ID, store.Measure{MeasureID: "30.2.5", Status: "open"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetMeasure(ctx, tn.member, tn.org.ID, store.Measure{MeasureID: "30.2.5", Status: "implemented"}); err != nil {
			t.Fatal(err)
		}
		var last store.AuditEntry
		var before, after string
		for r, err := range s.AuditRows(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			last = store.AuditEntry{Actor: r.Actor, OrgID: r.OrgID, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID}
			before, after = r.Before, r.After
		}
		want := store.AuditEntry{Actor: tn.member.String(), OrgID: tn.org.ID, Action: "update", Entity: "measure", EntityID: "30.2.5"}
		if last != want || !strings.Contains(before, `"status":"open"`) || !strings.Contains(after, `"status":"implemented"`) {
			t.Fatalf("last audit record %+v before %s after %s", last, before, after)
		}
	})
}

// TestConcurrentWriters writes from many goroutines at once: none may fail
// (no SQLITE_BUSY, no serialisation error), and the chain stays linear.
func TestConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "acme")
		inc, err := s.CreateIncident(ctx, tn.member, store.Incident{OrgID: tn.org.ID, Regime: store.RegimeBSIG, Title: "x", AwareAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		const workers, each = 16, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					var err error
					if w%2 == 0 {
						// One stage is stored once; distinct stage names keep
						// the writers racing on the same incident row.
						_, err = s.SubmitReport(ctx, tn.member, inc.ID, fmt.Sprintf("progress-%d-%d", w, i), json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)))
					} else {
						_, err = s.SetMeasure(ctx, tn.member, tn.org.ID, store.Measure{MeasureID: store.MeasureIDs[i], Status: "in_progress"})
					}
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		rs, err := s.Reports(ctx, tn.member, inc.ID)
		if err != nil || len(rs) != workers/2*each {
			t.Fatalf("%d reports, %v; want %d", len(rs), err, workers/2*each)
		}
		mustVerify(t, s)
	})
}

func TestRegistryPagesAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := range 25 {
			class, sectors := "wichtig", []string{"energy"}
			if i%5 == 0 {
				class, sectors = "besonders_wichtig", []string{"energy", "health"}
			}
			o, err := s.CreateOrganisation(ctx, admin, store.Profile{Name: fmt.Sprintf("org %02d", i), Sectors: sectors}, class)
			if err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				if _, err := s.SubmitRegistration(ctx, admin, o.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		supervisor := mustUser(t, s, "staff@bsi.example", store.RoleSupervisor)
		var names []string
		f := store.RegistryFilter{Limit: 10}
		for {
			page, err := s.Registry(ctx, supervisor, f)
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 25 {
				t.Fatalf("Total = %d, want 25", page.Total)
			}
			for _, o := range page.Organisations {
				names = append(names, o.Name)
			}
			if page.Next == "" {
				break
			}
			f.After = page.Next
		}
		if len(names) != 25 || names[0] != "org 00" || names[24] != "org 24" {
			t.Fatalf("paged names = %v", names)
		}
		yes := true
		for _, tc := range []struct {
			f    store.RegistryFilter
			want int
		}{
			{store.RegistryFilter{Class: "besonders_wichtig"}, 5},
			{store.RegistryFilter{Sector: "health"}, 5},
			{store.RegistryFilter{Registered: &yes}, 13},
			{store.RegistryFilter{Sector: "health", Registered: &yes}, 3},
		} {
			page, err := s.Registry(ctx, supervisor, tc.f)
			if err != nil || page.Total != tc.want || len(page.Organisations) != tc.want {
				t.Errorf("Registry(%+v) = %d/%d, %v; want %d", tc.f, page.Total, len(page.Organisations), err, tc.want)
			}
		}
		for _, bad := range []store.RegistryFilter{{Limit: 501}, {After: "!!"}} {
			if _, err := s.Registry(ctx, supervisor, bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Registry(%+v) = %v, want ErrInvalid", bad, err)
			}
		}
	})
}
