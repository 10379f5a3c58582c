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
	cmd.AddCommand(newUserAddCmd(e))
	return cmd
}

func newUserAddCmd(e *env) *cobra.Command {
	var loc storeFlags
	var role, org string
	cmd := &cobra.Command{
		Use:   "add EMAIL",
		Short: "Create an account; the password is read from standard input",
		Long: `Creates a portal account. The password is read from standard input (typed
without echo on a terminal, else the first line), never from a flag, so it
stays out of shell history and process lists.

--role admin or supervisor is a global role; member or org_admin needs --org,
the organisation the account belongs to.`,
		Example: `  pflicht user add ciso@example.org --role admin < password.txt
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
			if e.json {
				return writeJSON(e.stdout, map[string]any{"id": u.ID, "email": u.Email, "role": role, "org": org})
			}
			if e.lang == "de" {
				fmt.Fprintf(e.stdout, "Konto %s angelegt (Rolle %s, ID %s).\n", u.Email, role, u.ID)
			} else {
				fmt.Fprintf(e.stdout, "Created account %s (role %s, id %s).\n", u.Email, role, u.ID)
			}
			return nil
		},
	}
	loc.add(cmd)
	cmd.Flags().StringVar(&role, "role", "", "admin, supervisor, member or org_admin (required)")
	cmd.Flags().StringVar(&org, "org", "", "organisation id, for member and org_admin")
	cmd.MarkFlagRequired("role")
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
