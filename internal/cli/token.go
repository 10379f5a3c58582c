package cli

import "github.com/spf13/cobra"

// Placeholder until the token command lands; replaced by its owner.
func newTokenCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "token", Short: "(under construction)", Hidden: true}
}
