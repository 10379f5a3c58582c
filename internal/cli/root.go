// Package cli is the pflicht command line: subcommands, flags, output (human
// or --json) and exit codes. It decides no legal question itself; it parses
// input, calls an engine and renders the result.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// Exit codes, stable for scripts and CI pipelines.
const (
	ExitOK       = 0 // success
	ExitFindings = 1 // a policy gate failed (sbom scan --fail-on)
	ExitInput    = 2 // bad input or usage: the message names the field
	ExitFailure  = 3 // the command could not do its work (I/O, database)
)

// env is what every command gets: its streams, the output language and form,
// and the clock (tests pin it).
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	lang   string // "de" or "en"
	json   bool
	now    func() time.Time
	getenv func(string) string
}

// Main runs pflicht with args (without the program name) and returns the
// process exit code. It never panics: a panic in a command is reported as an
// internal error with exit code 3.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	return run(args, &env{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now, getenv: os.Getenv})
}

func run(args []string, e *env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(e.stderr, "pflicht: internal error: %v\nPlease report this as a bug.\n", r)
			code = ExitFailure
		}
	}()
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(e.stderr, "pflicht:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(e.stderr, "pflicht:", err)
	var ie *InputError
	if errors.As(err, &ie) || isUsageError(err) {
		return ExitInput
	}
	return ExitFailure
}

func newRoot(e *env) *cobra.Command {
	var lang string
	root := &cobra.Command{
		Use:   "pflicht",
		Short: "NIS-2 (BSIG), CRA and product-liability duties as cited, versioned law",
		Long: `pflicht answers what the German BSI-Gesetz 2025 (NIS-2) and the EU Cyber Resilience
Act ask of an organisation: scope and class, obligations with deadlines, reporting
clocks, fine exposure, and SBOM-based vulnerability handling. Every legal result
shows its citation and whether our reading is verified.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			l, err := resolveLang(lang, e.getenv)
			if err != nil {
				return err
			}
			e.lang = l
			return nil
		},
	}
	root.PersistentFlags().StringVar(&lang, "lang", "", "output language: de or en (default from PFLICHT_LANG, LC_ALL, LC_MESSAGES, LANG)")
	root.PersistentFlags().BoolVar(&e.json, "json", false, "machine-readable JSON output")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	for _, c := range []*cobra.Command{
		newCheckCmd(e),
		newFineCmd(e),
		newDeadlineCmd(e),
		newLawCmd(e),
		newSBOMCmd(e),
		newVulnDBCmd(e),
		newProductCmd(e),
		newUserCmd(e),
		newTokenCmd(e),
		newAuditCmd(e),
		newServeCmd(e),
	} {
		root.AddCommand(c)
	}
	return root
}

// resolveLang picks the output language: the flag, else the environment.
func resolveLang(flag string, getenv func(string) string) (string, error) {
	if flag != "" {
		switch strings.ToLower(flag) {
		case "de", "en":
			return strings.ToLower(flag), nil
		}
		return "", &InputError{Field: "--lang", Msg: fmt.Sprintf("%q is not a supported language; use de or en", flag)}
	}
	for _, k := range []string{"PFLICHT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "de") {
				return "de", nil
			}
			return "en", nil
		}
	}
	return "en", nil
}

// exitError ends a command with a given exit code and an optional message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageError marks a flag or argument error (exit code 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func isUsageError(err error) bool {
	var ue *usageError
	if errors.As(err, &ue) {
		return true
	}
	// cobra reports unknown commands and wrong argument counts as plain errors.
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.Contains(msg, "arg(s)") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "invalid argument") || strings.HasPrefix(msg, "required flag(s)") || strings.HasPrefix(msg, "flag needs an argument")
}
