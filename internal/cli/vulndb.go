package cli

import "github.com/spf13/cobra"

// Placeholder until the vulndb command lands; replaced by its owner.
func newVulnDBCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "vulndb", Short: "(under construction)", Hidden: true}
}
