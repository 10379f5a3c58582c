package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/store"
	"github.com/pflicht/pflicht/internal/store/storetest"
)

// BenchmarkRawInsert is the floor: one durable row per transaction, no
// audit. ops/s is the database's durable commit rate on this machine.
func BenchmarkRawInsert(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		s.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "CREATE TABLE bench (id {{id}}, payload TEXT NOT NULL)")
			return err
		})
		b.ResetTimer()
		for b.Loop() {
			if err := s.Tx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO bench (payload) VALUES (?)", "x")
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkSubmitReport submits incident reports through the store API,
// each durable with its audit record and the incident's next due instant
// (as the portal and the API submit them): from one client (the latency of
// one submission) and from 32 concurrent clients, as a busy portal would,
// where group commit shares each fsync. Reports go to a pool of incidents,
// stage after stage, so each incident holds a handful of reports as in
// life.
func BenchmarkSubmitReport(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, store.System("bench"), "bench@example.org", "$argon2id$x", "")
		if err != nil {
			b.Fatal(err)
		}
		a := store.Actor{UserID: u.ID}
		org, err := s.CreateOrganisation(ctx, a, store.Profile{Name: "bench"}, "")
		if err != nil {
			b.Fatal(err)
		}
		const pool = 4000
		ids := make([]string, pool)
		var wg sync.WaitGroup
		for w := range 32 {
			wg.Go(func() {
				for i := w; i < pool; i += 32 {
					inc, err := s.CreateIncident(ctx, a, store.Incident{OrgID: org.ID, Regime: store.RegimeBSIG, Title: "bench", AwareAt: time.Now()})
					if err != nil {
						b.Error(err)
						return
					}
					ids[i] = inc.ID
				}
			})
		}
		wg.Wait()
		content := json.RawMessage(`{"summary":"Ausfall der Leitstelle","impact":"regional","indicators":["198.51.100.7"]}`)
		stages := []string{"early_warning", "notification", "final"}
		next := store.WithNextDue(facts.NextDue)
		var seq atomic.Int64
		for _, clients := range []int{1, 32} {
			b.Run(fmt.Sprint("clients=", clients), func(b *testing.B) {
				var wg sync.WaitGroup
				work := make(chan struct{})
				for range clients {
					wg.Go(func() {
						for range work {
							// A stage is stored once per incident: past the
							// pool's real stages, submissions name their own.
							i := int(seq.Add(1) - 1)
							stage := fmt.Sprint("s", i)
							if round := i / pool; round < len(stages) {
								stage = stages[round]
							}
							if _, err := s.SubmitReport(ctx, a, ids[i%pool], stage, content, next); err != nil {
								b.Error(err)
							}
						}
					})
				}
				for b.Loop() {
					work <- struct{}{}
				}
				close(work)
				wg.Wait()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
			})
		}
	})
}

// BenchmarkRegistryPage pages the supervisor's registry over 30,000
// organisations with and without filters.
func BenchmarkRegistryPage(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, s *store.Store) {
		ctx := context.Background()
		seedOrganisations(b, s, 30_000)
		supervisor := store.Actor{UserID: "staff", Role: store.RoleSupervisor}
		no := false
		for _, tc := range []struct {
			name string
			f    store.RegistryFilter
		}{
			{"all", store.RegistryFilter{}},
			{"class", store.RegistryFilter{Class: "besonders_wichtig"}},
			{"sector", store.RegistryFilter{Sector: "health"}},
			{"unregistered+sector", store.RegistryFilter{Sector: "energy", Registered: &no}},
			// The search scans search_name: a common and a rare match, and
			// one with a sector.
			{"search common", store.RegistryFilter{Query: "gmbh"}},
			{"search rare", store.RegistryFilter{Query: "012345"}},
			{"search+sector", store.RegistryFilter{Query: "organisation 01", Sector: "health"}},
			{"changed", store.RegistryFilter{Changed: true}},
		} {
			b.Run(tc.name, func(b *testing.B) {
				// A page deep in the list costs what the first one does.
				f := tc.f
				for range 20 {
					p, err := s.Registry(ctx, supervisor, f)
					if err != nil {
						b.Fatal(err)
					}
					f.After = p.Next
				}
				for b.Loop() {
					if _, err := s.Registry(ctx, supervisor, f); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// seedOrganisations inserts n organisations in one transaction, directly:
// the API's one-transaction-per-organisation would only measure fsync.
func seedOrganisations(b *testing.B, s *store.Store, n int) {
	ctx := context.Background()
	sectors := []string{"energy", "transport", "health", "water", "digital"}
	err := s.Tx(ctx, func(tx *store.Tx) error {
		for i := range n {
			id := fmt.Sprintf("org%06d", i)
			class := []string{"", "wichtig", "besonders_wichtig"}[i%3]
			var reg any
			regVersion, version := 0, 1
			if i%4 != 0 {
				reg, regVersion = tx.Now(), 1
				if i%8 == 1 {
					version = 2 // changed since the registration
				}
			}
			name := fmt.Sprintf("Organisation %06d GmbH", (i*7919)%n)
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (id, name, search_name, created_at, class, profile_version, registered_at, registered_version)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, name, store.SearchName(name), tx.Now(), class, version, reg, regVersion); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO organisation_sectors (org_id, sector, name) VALUES (?, ?, ?)", id, sectors[i%len(sectors)], name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if s.Dialect() == "postgres" {
		s.Tx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, "ANALYZE"); return err })
	}
}
