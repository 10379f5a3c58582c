package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/store"
)

func newTokenCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage API tokens",
	}
	cmd.AddCommand(newTokenCreateCmd(e))
	return cmd
}

func newTokenCreateCmd(e *env) *cobra.Command {
	var loc storeFlags
	var email, expires string
	var readOnly bool
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an API token for an account and print it once",
		Long: `Creates an API token that acts as the account given with --user. The token is
printed once and stored only as a hash: keep it now, it cannot be shown again.`,
		Example: `  pflicht token create --user ci@example.org --expires 30d --read-only`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ttl, err := parseExpiry(expires)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := loc.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			u, err := s.UserByEmail(ctx, email)
			if err != nil {
				return storeInputError(err, "--user")
			}
			var until *time.Time
			if ttl > 0 {
				t := e.now().Add(ttl)
				until = &t
			}
			token, info, err := s.CreateToken(ctx, store.System("cli"), u.ID, readOnly, until)
			if err != nil {
				return err
			}
			if e.json {
				return writeJSON(e.stdout, map[string]any{"token": token, "id": info.ID, "prefix": info.Prefix, "read_only": info.ReadOnly, "expires_at": info.ExpiresAt})
			}
			fmt.Fprintln(e.stdout, token)
			when := "never"
			if until != nil {
				when = until.UTC().Format(time.RFC3339)
			}
			if e.lang == "de" {
				fmt.Fprintf(e.stderr, "Token für %s, läuft ab: %s. Es wird nur jetzt angezeigt.\n", u.Email, strings.Replace(when, "never", "nie", 1))
			} else {
				fmt.Fprintf(e.stderr, "Token for %s, expires: %s. It is shown only this once.\n", u.Email, when)
			}
			return nil
		},
	}
	loc.add(cmd)
	cmd.Flags().StringVar(&email, "user", "", "e-mail of the account the token acts as (required)")
	cmd.Flags().StringVar(&expires, "expires", "90d", "lifetime: Nd (days), a Go duration such as 12h, or never")
	cmd.Flags().BoolVar(&readOnly, "read-only", false, "the token may only read")
	cmd.MarkFlagRequired("user")
	return cmd
}

// parseExpiry reads --expires: "never" (0), "Nd", or a Go duration.
func parseExpiry(s string) (time.Duration, error) {
	if s == "never" {
		return 0, nil
	}
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
		if n > 100*365 {
			err = fmt.Errorf("too long")
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return 0, &InputError{Field: "--expires", Msg: fmt.Sprintf("%q is not a positive Nd, duration (12h) or never", s)}
	}
	return d, nil
}
