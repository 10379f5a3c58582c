package cli

import "github.com/spf13/cobra"

// Placeholder until the deadline command lands; replaced by its owner.
func newDeadlineCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "deadline", Short: "(under construction)", Hidden: true}
}
