// Command pflicht: see internal/cli.
package main

import (
	"os"

	"github.com/pflicht/pflicht/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
