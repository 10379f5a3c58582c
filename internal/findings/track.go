package findings

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/facts"
	"github.com/pflicht/pflicht/internal/law"
	"github.com/pflicht/pflicht/internal/store"
)

// NotificationKind is the kind of the portal notification a new track
// sends.
const NotificationKind = "cra-kev"

// OpenTracks opens the CRA Art. 14 reporting tracks the known-exploited
// findings of the given versions call for, links the findings to them and
// notifies the organisations; it returns the incidents opened.
//
// A finding calls for a track when it is not gone, not decided
// not_affected or fixed, has no track yet, and its version is on the market
// on the day of now: support_start, if set, has come. The end of the
// support period does not matter: Art. 14(1) CRA concerns actively
// exploited vulnerabilities in products with digital elements without
// limiting the duty to the support period, and Art. 69(3) extends it to
// products placed on the market before 11.12.2027. One track serves a product and an
// exploited CVE, whatever the versions and components it is found in; a
// finding whose product has an open track for its CVE is linked to it.
//
// The incident's aware_at is now, the moment pflicht learnt of the
// exploited vulnerability in the product. That is our reading of "becomes
// aware" in Art. 14(1) CRA for an automatic track: the manufacturer may
// have known earlier (from the catalogue, a supplier, its own analysis),
// and then its clocks started earlier; aware_at can be corrected on the
// incident. Whether Art. 14 applies at all on that day is the clock
// engine's answer: no track opens for an awareness before it applies.
//
// Each track opens in one transaction (store.OpenKEVTrack) with its next
// due instant, so the supervisor's overdue feed sees it at once. The
// database keeps one open track per product and CVE, also for uploads and
// re-matches running at once in one or several processes: the later links
// its findings to the track of the earlier.
func OpenTracks(ctx context.Context, st *store.Store, versionIDs []string, now time.Time) ([]store.Incident, error) {
	sys := store.System("kev-track")
	cands, err := st.UntrackedKEV(ctx, sys, versionIDs)
	if err != nil {
		return nil, err
	}
	today := now.In(law.Berlin).Format(time.DateOnly)
	type group struct {
		productID, cve string
		found          []store.KEVCandidate
	}
	var groups []*group
	for _, c := range cands {
		// support_start is taken as the day the version is placed on the
		// market; before it, pflicht opens no track (a rule of the tool,
		// the incident can be opened by hand). A version past its support
		// end stays a product on the market (Art. 14(1), 69(3) CRA).
		if c.SupportStart != "" && c.SupportStart > today {
			continue
		}
		if n := len(groups); n > 0 && groups[n-1].productID == c.ProductID && groups[n-1].cve == c.KEVCVE {
			groups[n-1].found = append(groups[n-1].found, c)
			continue
		}
		groups = append(groups, &group{c.ProductID, c.KEVCVE, []store.KEVCandidate{c}})
	}
	if len(groups) == 0 {
		return nil, nil
	}
	clk, err := clock.Compute(clock.Input{Regime: clock.CRAVulnerability, AwareAt: now, Now: now})
	if err != nil {
		return nil, fmt.Errorf("findings: clock: %w", err)
	}
	if !clk.Applicable {
		return nil, nil
	}
	var opened []store.Incident
	for _, g := range groups {
		ids := make([]string, len(g.found))
		for i, c := range g.found {
			ids[i] = c.ID
		}
		first := g.found[0]
		inc, isNew, err := st.OpenKEVTrack(ctx, sys, store.KEVTrackOpen{
			Incident: store.Incident{OrgID: first.OrgID, Regime: store.RegimeCRAVulnerability,
				Title: fmt.Sprintf("%s: %s %s (%s)", g.cve, first.Product, first.Version, first.Component), AwareAt: now},
			ProductID: g.productID, CVE: g.cve, FindingIDs: ids,
			Notification: func(inc store.Incident) store.Notification { return notification(inc, g.found, clk) },
		}, store.WithNextDue(facts.NextDue))
		if err != nil {
			return opened, err
		}
		if isNew {
			opened = append(opened, inc)
		}
	}
	return opened, nil
}

// notification tells the organisation about a new track: product,
// versions, components, the CVE and the first due instant with its
// citation, in German and English.
func notification(inc store.Incident, found []store.KEVCandidate, clk clock.Result) store.Notification {
	first := found[0]
	var versions, comps []string
	for _, c := range found {
		if !slices.Contains(versions, c.Version) {
			versions = append(versions, c.Version)
		}
		if comp := c.Component + " " + c.ComponentVersion; !slices.Contains(comps, comp) {
			comps = append(comps, comp)
		}
	}
	var due *clock.Stage
	for i := range clk.Stages {
		s := &clk.Stages[i]
		if s.Due != nil && (due == nil || s.Due.Before(*due.Due)) {
			due = s
		}
	}
	n := store.Notification{OrgID: inc.OrgID, Kind: NotificationKind,
		Title: fmt.Sprintf("Aktiv ausgenutzte Schwachstelle %s in %s / Actively exploited vulnerability %s in %s", first.KEVCVE, first.Product, first.KEVCVE, first.Product)}
	var b strings.Builder
	fmt.Fprintf(&b, "Produkt %s, Version %s, Komponente %s: %s steht in einem Katalog bekannt ausgenutzter Schwachstellen. pflicht hat dafür die Meldung nach Art. 14 Abs. 1 VO (EU) 2024/2847 eröffnet (Vorfall %s).",
		first.Product, strings.Join(versions, ", "), strings.Join(comps, ", "), first.KEVCVE, inc.ID)
	if due != nil {
		fmt.Fprintf(&b, " %s fällig bis %s (%s%s).", due.Title.DE, due.Due.In(law.Berlin).Format("02.01.2006 15:04 MST"), due.Citation,
			unverified(due, "; Fristberechnung: "))
	}
	b.WriteString(" Als Kenntnis (Art. 14 Abs. 1) gilt hier der Zeitpunkt, zu dem pflicht davon erfuhr (unsere Lesart, UNVERIFIED); wussten Sie es früher, laufen die Fristen ab dann: korrigieren Sie den Zeitpunkt im Vorfall.\n\n")
	fmt.Fprintf(&b, "Product %s, version %s, component %s: %s is listed in a known-exploited catalogue. pflicht opened the reporting track under Art. 14(1) Regulation (EU) 2024/2847 (incident %s).",
		first.Product, strings.Join(versions, ", "), strings.Join(comps, ", "), first.KEVCVE, inc.ID)
	if due != nil {
		fmt.Fprintf(&b, " %s due by %s (%s%s).", due.Title.EN, due.Due.In(law.Berlin).Format("2006-01-02 15:04 MST"), due.Citation,
			unverified(due, "; period computation: "))
	}
	b.WriteString(" Awareness (Art. 14(1)) is taken here as the moment pflicht learnt of it (our reading, UNVERIFIED); if you knew earlier, the periods run from then: correct the time on the incident.")
	n.Body = b.String()
	return n
}

// unverified marks a due instant the clock engine computed by a reading not
// verified (the counting of Regulation 1182/71), as every result must.
func unverified(s *clock.Stage, label string) string {
	if s.DueStatus == law.Unverified {
		return label + string(law.Unverified)
	}
	return ""
}
