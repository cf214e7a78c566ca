package server

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestClientTextIsBounded: whatever a client sends as its user name or
// in an error, the log writes at most maxClientText characters of it,
// also when it begins with characters of four bytes each (which a cut
// of the first 4×maxClientText bytes counted as few enough to write the
// whole string, a packet's worth, 256 KiB, a connection).
func TestClientTextIsBounded(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("😀", maxClientText) + strings.Repeat("a", 200_000),
		strings.Repeat("é", maxClientText) + strings.Repeat("a", 200_000),
		strings.Repeat("a", 200_000),
		strings.Repeat("\xff", 200_000),
	} {
		got := clientText(s)
		if n := utf8.RuneCountInString(got); n > maxClientText+1 || !strings.HasSuffix(got, "…") {
			t.Errorf("clientText of %d bytes beginning %q: %d characters, %q…", len(s), s[:8], n, got[:min(len(got), 16)])
		}
	}
	for _, s := range []string{"", "root", strings.Repeat("😀", maxClientText), strings.Repeat("a", maxClientText)} {
		if got := clientText(s); got != s {
			t.Errorf("clientText(%q) = %q, want it whole", s, got)
		}
	}
}
