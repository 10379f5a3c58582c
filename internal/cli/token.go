package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pflicht/pflicht/internal/store"
)

func newTokenCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage API tokens",
	}
	cmd.AddCommand(newTokenCreateCmd(e), newTokenListCmd(e), newTokenRevokeCmd(e))
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
			s, u, err := loc.openUser(ctx, email, "--user")
			if err != nil {
				return err
			}
			defer s.Close()
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

// tokenRow is a token as token list --json prints it.
type tokenRow struct {
	ID         string     `json:"id"`
	Prefix     string     `json:"prefix"`
	Scope      string     `json:"scope"` // read or write
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"` // null: never
	Expired    bool       `json:"expired"`
	LastUsedAt *time.Time `json:"last_used_at"` // null: never used
}

func newTokenListCmd(e *env) *cobra.Command {
	var loc storeFlags
	var email string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List an account's API tokens",
		Long: `Lists the API tokens of the account given with --user, oldest first: id (for
token revoke), the prefix the token starts with, scope, when it was created,
when it expires and when it was last used (noted at most once a minute).
Expired tokens are listed until they are revoked.`,
		Example: `  pflicht token list --user ci@example.org`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, u, err := loc.openUser(ctx, email, "--user")
			if err != nil {
				return err
			}
			defer s.Close()
			tokens, err := s.Tokens(ctx, store.System("cli"), u.ID)
			if err != nil {
				return err
			}
			rows := make([]tokenRow, len(tokens))
			for i, t := range tokens {
				rows[i] = tokenRow{ID: t.ID, Prefix: t.Prefix, Scope: "write", CreatedAt: t.CreatedAt.UTC(),
					ExpiresAt: utcPtr(t.ExpiresAt), LastUsedAt: utcPtr(t.LastUsedAt),
					Expired: t.ExpiresAt != nil && !t.ExpiresAt.After(e.now())}
				if t.ReadOnly {
					rows[i].Scope = "read"
				}
			}
			if e.json {
				return writeJSON(e.stdout, map[string]any{"user": map[string]string{"id": u.ID, "email": u.Email}, "tokens": rows})
			}
			return printTokens(e.stdout, e.lang, u.Email, rows)
		},
	}
	loc.add(cmd)
	cmd.Flags().StringVar(&email, "user", "", "e-mail of the account (required)")
	cmd.MarkFlagRequired("user")
	return cmd
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// printTokens writes the human form of token list.
func printTokens(w io.Writer, lang, email string, rows []tokenRow) error {
	de := lang == "de"
	if len(rows) == 0 {
		if de {
			_, err := fmt.Fprintf(w, "%s hat keine API-Tokens.\n", email)
			return err
		}
		_, err := fmt.Fprintf(w, "%s has no API tokens.\n", email)
		return err
	}
	never, expired := "never", " (expired)"
	head := "ID\tPREFIX\tSCOPE\tCREATED\tEXPIRES\tLAST USED"
	if de {
		never, expired = "nie", " (abgelaufen)"
		head = "ID\tPRÄFIX\tUMFANG\tERSTELLT\tLÄUFT AB\tZULETZT BENUTZT"
	}
	when := func(t *time.Time) string {
		if t == nil {
			return never
		}
		return t.Format(time.RFC3339)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, head)
	for _, r := range rows {
		expires := when(r.ExpiresAt)
		if r.Expired {
			expires += expired
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Prefix, r.Scope, r.CreatedAt.Format(time.RFC3339), expires, when(r.LastUsedAt))
	}
	return tw.Flush()
}

func newTokenRevokeCmd(e *env) *cobra.Command {
	var loc storeFlags
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API token",
		Long: `Revokes the API token with the id token list shows. It is refused from the
next request on, by every app server sharing the database. The revocation is
recorded in the audit trail as made by the CLI.`,
		Example: `  pflicht token revoke 3QZ5K2M7XWJ4ABCDEFGHIJKLMN`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := loc.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.RevokeToken(ctx, store.System("cli"), args[0]); errors.Is(err, store.ErrNotFound) {
				return &InputError{Field: "ID", Msg: fmt.Sprintf("no API token with id %q", args[0])}
			} else if err != nil {
				return err
			}
			if e.json {
				return writeJSON(e.stdout, map[string]any{"id": args[0], "revoked": true})
			}
			if e.lang == "de" {
				fmt.Fprintf(e.stdout, "API-Token %s ist widerrufen.\n", args[0])
			} else {
				fmt.Fprintf(e.stdout, "API token %s is revoked.\n", args[0])
			}
			return nil
		},
	}
	loc.add(cmd)
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
