// Command contactdesk manages who is the administrator, technical and
// billing contact of a hosting customer's services: a terminal app, a
// scriptable command line, and an SSH server. The command line is package
// cli; this is its entry point.
package main

import "contactdesk/cli"

func main() {
	// Run's, with SIGINT and SIGTERM stopping the command, which then
	// ends killed by the signal (see cli.Main).
	cli.Main()
}
