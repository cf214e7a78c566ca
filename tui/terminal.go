package tui

import (
	"errors"

	"github.com/charmbracelet/x/term"
)

// ErrNoTerminal refuses to open the app without a terminal on both
// sides: a stdin or a stdout that is a pipe, a file or /dev/null.
var ErrNoTerminal = errors.New("the terminal app needs a terminal; to script, give a command")

// CheckTerminal returns ErrNoTerminal unless in and out are terminals. A
// character device is not enough (/dev/null is one, and the program
// would fail later, with a reader it can't make cancellable): each must
// answer as a terminal does.
func CheckTerminal(in, out any) error {
	for _, f := range []any{in, out} {
		fd, ok := f.(interface{ Fd() uintptr })
		if !ok || !term.IsTerminal(fd.Fd()) {
			return ErrNoTerminal
		}
	}
	return nil
}
