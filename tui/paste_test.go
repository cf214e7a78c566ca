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
		got, _, _ := pasted(c.in)
		if got != c.want {
			t.Errorf("pasted(%.20q…): %d characters %.20q…, want %d", c.in, utf8.RuneCountInString(got), got, utf8.RuneCountInString(c.want))
		}
	}
}

// TestPastedDropsDirectionControls: a paste's direction controls are
// not typed (a field would draw them, turning its text around), and
// the characters kept are those counted against maxPaste.
func TestPastedDropsDirectionControls(t *testing.T) {
	all := "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
	for _, c := range []struct{ in, want string }{
		{"zz\u202e33333" + all + "-ovh\u200f", "zz33333-ovh"},
		{all, ""},
		{strings.Repeat("\u202eq", maxPaste), strings.Repeat("q", maxPaste)},
	} {
		if got, _, _ := pasted(c.in); got != c.want {
			t.Errorf("pasted(%.40q): %.40q, want %.40q", c.in, got, c.want)
		}
	}
}

// TestPastedSaysWhatItTrimmed: pasted tells whether it trimmed space
// before and after the text (kept where the paste lands between words:
// common.PasteKeeper); a paste of nothing but space trims to nothing,
// and says nothing was around it.
func TestPastedSaysWhatItTrimmed(t *testing.T) {
	for _, c := range []struct {
		in, want    string
		lead, trail bool
	}{
		{" das Flores 12 ", "das Flores 12", true, true},
		{"Casa\r\n", "Casa", false, true},
		{"\tABCD", "ABCD", true, false},
		{"ABCD", "ABCD", false, false},
		{" \n ", "", false, false},
	} {
		got, lead, trail := pasted(c.in)
		if got != c.want || lead != c.lead || trail != c.trail {
			t.Errorf("pasted(%q): %q %v %v, want %q %v %v", c.in, got, lead, trail, c.want, c.lead, c.trail)
		}
	}
}
