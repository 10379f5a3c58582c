package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/pflicht/pflicht/internal/auth"
	"github.com/pflicht/pflicht/internal/store"
)

// minPassword is the shortest password accepted.
const minPassword = 12

func newUserCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage portal accounts",
	}
	cmd.AddCommand(newUserAddCmd(e), newUserResetTOTPCmd(e))
	return cmd
}

func newUserAddCmd(e *env) *cobra.Command {
	var loc storeFlags
	var role, org string
	var withTOTP bool
	cmd := &cobra.Command{
		Use:   "add EMAIL",
		Short: "Create an account; the password is read from standard input",
		Long: `Creates a portal account. The password is read from standard input (typed
without echo on a terminal, else the first line), never from a flag, so it
stays out of shell history and process lists.

--role admin or supervisor is a global role; member or org_admin needs --org,
the organisation the account belongs to.

--totp turns on the second factor at once and prints its otpauth:// address
for the user's authenticator app. The address holds the secret: hand it over
privately. Users can also turn TOTP on themselves in the portal
(/account/totp), which is better: the secret then never leaves their screen.`,
		Example: `  pflicht user add ciso@example.org --role admin < password.txt
  pflicht user add ciso@example.org --role admin --totp < password.txt
  pflicht user add staff@bsi.example --role supervisor --db postgres://pflicht@db/pflicht`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := store.Role(role)
			switch r {
			case store.RoleAdmin, store.RoleSupervisor:
				if org != "" {
					return &InputError{Field: "--org", Msg: fmt.Sprintf("not for the global role %s", role)}
				}
			case store.RoleMember, store.RoleOrgAdmin:
				if org == "" {
					return &InputError{Field: "--org", Msg: fmt.Sprintf("role %s needs the organisation id", role)}
				}
			default:
				return &InputError{Field: "--role", Msg: fmt.Sprintf("%q is not admin, supervisor, member or org_admin", role)}
			}
			password, err := readPassword(e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := loc.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			global := r
			if org != "" {
				global = ""
			}
			hash, err := auth.HashPassword(password)
			if err != nil {
				return err
			}
			cli := store.System("cli")
			u, err := s.CreateUser(ctx, cli, args[0], hash, global)
			if err != nil {
				return storeInputError(err, "EMAIL")
			}
			if org != "" {
				if err := s.AddMember(ctx, cli, org, u.ID, r); err != nil {
					return storeInputError(err, "--org")
				}
			}
			var uri string
			if withTOTP {
				secret := auth.NewTOTPSecret()
				if uri, err = auth.TOTPURI("pflicht", u.Email, secret); err != nil {
					return err
				}
				if err := s.SetTOTPSecret(ctx, cli, u.ID, secret, 0); err != nil {
					return fmt.Errorf("the account %s was created, but TOTP could not be turned on: %w", u.Email, err)
				}
			}
			if e.json {
				out := map[string]any{"id": u.ID, "email": u.Email, "role": role, "org": org}
				if uri != "" {
					out["totp_uri"] = uri
				}
				return writeJSON(e.stdout, out)
			}
			if e.lang == "de" {
				fmt.Fprintf(e.stdout, "Konto %s angelegt (Rolle %s, ID %s).\n", u.Email, role, u.ID)
			} else {
				fmt.Fprintf(e.stdout, "Created account %s (role %s, id %s).\n", u.Email, role, u.ID)
			}
			if uri != "" {
				if e.lang == "de" {
					fmt.Fprintf(e.stdout, "Zweiter Faktor (TOTP) ist an. Adresse für die Authenticator-App (geheim, nur vertraulich weitergeben):\n%s\n", uri)
				} else {
					fmt.Fprintf(e.stdout, "Second factor (TOTP) is on. Address for the authenticator app (a secret: hand it over privately):\n%s\n", uri)
				}
			}
			return nil
		},
	}
	loc.add(cmd)
	cmd.Flags().StringVar(&role, "role", "", "admin, supervisor, member or org_admin (required)")
	cmd.Flags().StringVar(&org, "org", "", "organisation id, for member and org_admin")
	cmd.Flags().BoolVar(&withTOTP, "totp", false, "turn on the second factor and print its otpauth:// address")
	cmd.MarkFlagRequired("role")
	return cmd
}

// newUserResetTOTPCmd turns a user's second factor off, for a user who has
// lost the authenticator: the portal asks for a current code to do it.
func newUserResetTOTPCmd(e *env) *cobra.Command {
	var loc storeFlags
	cmd := &cobra.Command{
		Use:   "reset-totp EMAIL",
		Short: "Turn off an account's second factor (lost authenticator)",
		Long: `Turns off the TOTP second factor of an account whose authenticator is lost,
so the user can sign in with the password and set up a new one at
/account/totp. The change is recorded in the audit trail as made by the CLI.`,
		Example: `  pflicht user reset-totp ciso@example.org`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, u, err := loc.openUser(ctx, args[0], "EMAIL")
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.SetTOTPSecret(ctx, store.System("cli"), u.ID, "", 0); err != nil {
				return err
			}
			if e.json {
				return writeJSON(e.stdout, map[string]any{"id": u.ID, "email": u.Email, "totp": false})
			}
			if e.lang == "de" {
				fmt.Fprintf(e.stdout, "Zweiter Faktor von %s ist abgeschaltet.\n", u.Email)
			} else {
				fmt.Fprintf(e.stdout, "Second factor of %s is off.\n", u.Email)
			}
			return nil
		},
	}
	loc.add(cmd)
	return cmd
}

// readPassword reads the password: without echo from a terminal, else the
// first line of standard input.
func readPassword(e *env) (string, error) {
	var pw string
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		pw = string(b)
	} else {
		line, err := bufio.NewReader(io.LimitReader(e.stdin, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if len([]rune(pw)) < minPassword {
		return "", &InputError{Field: "password (standard input)", Msg: fmt.Sprintf("must have at least %d characters", minPassword)}
	}
	return pw, nil
}

// storeInputError turns the store's invalid, conflict and not-found errors,
// which are the user's input, into an InputError naming field.
func storeInputError(err error, field string) error {
	if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		return &InputError{Field: field, Msg: strings.TrimPrefix(err.Error(), "store: ")}
	}
	return err
}
