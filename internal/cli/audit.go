package cli

import "github.com/spf13/cobra"

// Placeholder until the audit command lands; replaced by its owner.
func newAuditCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "audit", Short: "(under construction)", Hidden: true}
}
