package cli

import "github.com/spf13/cobra"

// Placeholder until the sbom command lands; replaced by its owner.
func newSBOMCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "sbom", Short: "(under construction)", Hidden: true}
}
