package cli

import "github.com/spf13/cobra"

// Placeholder until the fine command lands; replaced by its owner.
func newFineCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "fine", Short: "(under construction)", Hidden: true}
}
