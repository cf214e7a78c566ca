package common

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWidthAgreesWithAnsi(t *testing.T) {
	for _, s := range []string{
		"", "plain", "\x1b[1;7mbold reverse\x1b[m", "Xavier Xará", "● pending", "\x1b[33m●\x1b[m x",
		"tab\tinside", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "日本語", "\x1b[1m\x1b[4munder\x1b[m",
	} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, ansi says %d", s, got, want)
		}
	}
}

func TestFitAndCut(t *testing.T) {
	cases := []struct {
		in       string
		w        int
		fit, cut string
	}{
		{"xara-shop.com", 20, "xara-shop.com       ", "xara-shop.com"},
		{"xara-shop.com", 8, "xara-sh…", "xara-sh…"},
		{"Zélia Zagalo", 6, "Zélia…", "Zélia…"},
		{"abc", 1, "…", "…"},
		{"abc", 0, "", ""},
	}
	for _, c := range cases {
		if got := Fit(c.in, c.w); got != c.fit {
			t.Errorf("Fit(%q, %d) = %q, want %q", c.in, c.w, got, c.fit)
		}
		if got := Cut(c.in, c.w); got != c.cut {
			t.Errorf("Cut(%q, %d) = %q, want %q", c.in, c.w, got, c.cut)
		}
	}
}
