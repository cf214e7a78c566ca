package tui

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPastedIsCut: of a paste, only the first maxPaste characters are
// typed, whole characters (a multi-byte one is not split), its lines
// joined: a paste of 200,000 characters, typed whole a key at a time,
// kept a server core busy for minutes.
func TestPastedIsCut(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{strings.Repeat("q", 200000), strings.Repeat("q", maxPaste)},
		{strings.Repeat("é", 5000), strings.Repeat("é", maxPaste)},
		{"  ABCD-1234\r\nEFGH\n", "ABCD-1234 EFGH"},
	} {
		got := pasted(c.in)
		if got != c.want {
			t.Errorf("pasted(%.20q…): %d characters %.20q…, want %d", c.in, utf8.RuneCountInString(got), got, utf8.RuneCountInString(c.want))
		}
	}
}
