package cli

import "github.com/spf13/cobra"

// Placeholder until the check command lands; replaced by its owner.
func newCheckCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "check", Short: "(under construction)", Hidden: true}
}
