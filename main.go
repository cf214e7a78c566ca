// Command contactdesk manages who is the administrator, technical and
// billing contact of a hosting customer's services: a terminal app, a
// scriptable command line, and an SSH server. The command line is package
// cli; this is its entry point.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"contactdesk/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
