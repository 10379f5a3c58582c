package cli

import "github.com/spf13/cobra"

// Placeholder until the product command lands; replaced by its owner.
func newProductCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "product", Short: "(under construction)", Hidden: true}
}
