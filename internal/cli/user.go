package cli

import "github.com/spf13/cobra"

// Placeholder until the user command lands; replaced by its owner.
func newUserCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "user", Short: "(under construction)", Hidden: true}
}
