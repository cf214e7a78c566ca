package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// escapes builds the sequences a hostile name or address could carry to
// act on a terminal, with fuzzed parameters.
func escapes(kind uint8, params string) string {
	// Keep only what may stand inside each sequence, so that the
	// sequence ends where it should.
	keep := func(ok func(byte) bool) string {
		var b strings.Builder
		for i := 0; i < len(params) && b.Len() < 40; i++ {
			if ok(params[i]) {
				b.WriteByte(params[i])
			}
		}
		return b.String()
	}
	csiParams := keep(func(c byte) bool { return c >= 0x20 && c <= 0x3F })
	oscBody := keep(func(c byte) bool { return c >= 0x20 && c < 0x7F })
	switch kind % 10 {
	case 0:
		return "\x1b[" + csiParams + "m" // colour, bold…
	case 1:
		return "\x1b[" + csiParams + "H" // cursor to a place
	case 2:
		return "\x1b]0;" + oscBody + "\x07" // window title, BEL-terminated
	case 3:
		return "\x1b]8;;" + oscBody + "\x1b\\" // hyperlink, ST-terminated
	case 4:
		return "\x1bP" + oscBody + "\x1b\\" // DCS
	case 5:
		return "\u009b" + csiParams + "J" // 8-bit CSI: erase
	case 6:
		return "\u009d" + oscBody + "\u009c" // 8-bit OSC
	case 7:
		return "\x1b(B" // charset
	case 8:
		return "\u202e" // right-to-left override
	default:
		return "\x1b_" + oscBody + "\x1b\\" // APC
	}
}

// FuzzCleanKeepsText checks the other half of Clean's promise, beside
// FuzzClean's (nothing that can act on a terminal survives): the text
// around an escape sequence is kept whole, and cleaning twice changes
// nothing more.
func FuzzCleanKeepsText(f *testing.F) {
	f.Fuzz(func(t *testing.T, before, after string, kind uint8, params string) {
		// Text a user may store: what Unsafe lets through.
		if Unsafe(before) != "" || Unsafe(after) != "" || Unsafe(before+after) != "" {
			return
		}
		s := before + escapes(kind, params) + after
		for _, multiline := range []bool{false, true} {
			if got := Clean(s, multiline); got != before+after {
				t.Fatalf("Clean(%q) = %q, want %q", s, got, before+after)
			}
		}
		if Unsafe(s) == "" {
			t.Fatalf("Unsafe(%q) lets it through", s)
		}
	})
}

// FuzzCleanTwice checks that Clean's output is clean: cleaning it again,
// or checking it with Unsafe, finds nothing (but newlines when kept).
func FuzzCleanTwice(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		once := Clean(s, false)
		if twice := Clean(once, false); twice != once {
			t.Fatalf("Clean(%q) = %q, and again %q", s, once, twice)
		}
		if why := Unsafe(once); why != "" {
			t.Fatalf("Clean(%q) = %q, which Unsafe refuses: %s", s, once, why)
		}
		if line := Line(s); strings.ContainsAny(line, "\n\r\t") {
			t.Fatalf("Line(%q) = %q", s, line)
		}
		if n := utf8.RuneCountInString(once); n > utf8.RuneCountInString(s) {
			t.Fatalf("Clean(%q) = %q is longer", s, once)
		}
	})
}
