package cli

import "github.com/spf13/cobra"

// Placeholder until the law command lands; replaced by its owner.
func newLawCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "law", Short: "(under construction)", Hidden: true}
}
