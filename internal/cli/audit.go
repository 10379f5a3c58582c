package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/store"
)

func newAuditCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check the audit trail",
	}
	cmd.AddCommand(newAuditVerifyCmd(e))
	return cmd
}

func newAuditVerifyCmd(e *env) *cobra.Command {
	var loc storeFlags
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Verify the hash chain of the audit trail",
		Long: `Recomputes the hash chain of the audit trail from its first record and reports
the first record that was changed, inserted or removed, or records cut from
its end. Exit code 0: intact; 1: broken; 3: could not read the database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := loc.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			broken, err := s.VerifyAudit(ctx)
			truncated := errors.Is(err, store.ErrAuditTruncated)
			if err != nil && !truncated {
				return err
			}
			res := map[string]any{"intact": broken == nil && !truncated}
			var msg string
			switch {
			case broken != nil:
				res["first_broken"] = broken
				msg = fmt.Sprintf("audit trail broken at record %d (%s %s %s by %s at %s)",
					broken.Seq, broken.Action, broken.Entity, broken.EntityID, broken.Actor, broken.At.UTC().Format("2006-01-02T15:04:05Z"))
				if e.lang == "de" {
					msg = fmt.Sprintf("Prüfpfad gebrochen bei Eintrag %d (%s %s %s durch %s am %s)",
						broken.Seq, broken.Action, broken.Entity, broken.EntityID, broken.Actor, broken.At.UTC().Format("2006-01-02T15:04:05Z"))
				}
			case truncated:
				res["truncated"] = true
				msg = "audit trail broken: " + err.Error()
				if e.lang == "de" {
					msg = "Prüfpfad gebrochen: Einträge am Ende fehlen (" + err.Error() + ")"
				}
			}
			if e.json {
				if err := writeJSON(e.stdout, res); err != nil {
					return err
				}
				msg = ""
			}
			if msg != "" {
				return &exitError{code: ExitFindings, msg: msg}
			}
			if res["intact"] == false {
				return &exitError{code: ExitFindings}
			}
			if !e.json {
				if e.lang == "de" {
					fmt.Fprintln(e.stdout, "Prüfpfad intakt.")
				} else {
					fmt.Fprintln(e.stdout, "Audit trail intact.")
				}
			}
			return nil
		},
	}
	loc.add(cmd)
	return cmd
}
