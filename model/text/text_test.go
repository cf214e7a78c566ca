package text

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Xavier Xará", "Xavier Xará"},
		{"CSI colour", "\x1b[31mred\x1b[0m", "red"},
		{"cursor move", "a\x1b[2J\x1b[Hb", "ab"},
		{"OSC title with BEL", "\x1b]0;pwned\x07name", "name"},
		{"OSC with ST", "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"DCS", "\x1bPq#0;2;0;0;0\x1b\\ok", "ok"},
		{"8-bit CSI", "a\u009b31mb", "ab"},
		{"8-bit OSC", "a\u009d0;t\u009cb", "ab"},
		{"C0 controls", "a\x00b\x07c\x08d\re", "abcde"},
		{"DEL and C1", "a\x7fb\u0085c", "abc"},
		{"bidi override", "abc\u202edcba\u202c", "abcdcba"},
		{"isolates", "\u2066x\u2069", "x"},
		{"tab", "a\tb", "a b"},
		{"newline dropped", "a\nb", "ab"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"unterminated CSI", "abc\x1b[12", "abc"},
		{"lone ESC", "abc\x1b", "abc"},
		{"charset select", "\x1b(Bx", "x"},
	}
	for _, c := range cases {
		if got := Clean(c.in, false); got != c.want {
			t.Errorf("%s: Clean(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
	if got := Clean("a\nb\x1b[1mc", true); got != "a\nbc" {
		t.Errorf("multiline: %q", got)
	}
	if got := Line("a\nb"); got != "a b" {
		t.Errorf("Line: %q", got)
	}
}

func TestUnsafe(t *testing.T) {
	// decomposed accents, and Vietnamese's two marks on a letter
	for _, ok := range []string{"", "Zélia Zagalo", "Rua das Flores 12, 1200-195 Lisboa", "日本語", "👩 emoji", "Ze\u0301lia", "Nguye\u0302\u0303n", "a\u0301\u0302\u0303\u0304b", "हिन्दी", "क्षत्रिय"} {
		if why := Unsafe(ok); why != "" {
			t.Errorf("Unsafe(%q) = %q", ok, why)
		}
	}
	for _, bad := range []string{"\x1b[2J", "a\nb", "a\tb", "\x00", "\u009b", "\u202e", "\u2067", "\xff", "\u2028", "\ufeff", "\x7f", "👩\u200d💻 emoji with ZWJ", "A" + strings.Repeat("\u0301", 5), "Z" + strings.Repeat("\u0489", 190), "a" + strings.Repeat("\u0903", 50), "a" + strings.Repeat("\u0301\u0903", 30)} {
		if Unsafe(bad) == "" {
			t.Errorf("Unsafe(%q) = \"\"", bad)
		}
	}
}

// FuzzClean checks that nothing that can act on a terminal survives, and
// that printable text is kept.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[31mred", "\x1b]0;t\x07", "\u202eabc", "a\xffb", "\x1bP\x1b\\", "\u009b1m", "tab\there", "x\ny"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, multiline := range []bool{false, true} {
			out := Clean(s, multiline)
			if !utf8.ValidString(out) {
				t.Fatalf("Clean(%q) is not valid UTF-8: %q", s, out)
			}
			for _, r := range out {
				if r == '\n' && multiline {
					continue
				}
				if IsControl(r) || IsBidiControl(r) || isInvisibleFormat(r) {
					t.Fatalf("Clean(%q) kept %U: %q", s, r, out)
				}
			}
			if Unsafe(s) == "" && !strings.ContainsAny(s, "\t") && Clean(s, multiline) != s {
				t.Fatalf("safe text %q was changed to %q", s, out)
			}
		}
	})
}

func TestUnsafeRefusesInvisibleCharacters(t *testing.T) {
	for _, r := range []rune{0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x180E, 0xFE0F, 0xE0041, 0x034F, 0x2064} {
		s := "Xavier" + string(r) + " Xará"
		if Unsafe(s) == "" {
			t.Errorf("Unsafe(%q) accepts U+%04X", s, r)
		}
		if got := StripIgnorable(s); got != "Xavier Xará" {
			t.Errorf("StripIgnorable(%q) = %q", s, got)
		}
	}
	// Visible letters and spaces of every script stay allowed, and so do
	// the format characters Unicode does not call ignorable.
	for _, s := range []string{"Xavier Xará", "Ñandú Çedilha", "山田 太郎", "Олег", "ישראל", "مرحبا", "नमस्ते", "\u0600\u0661", "a\u00a0b"} {
		if why := Unsafe(s); why != "" {
			t.Errorf("Unsafe(%q) = %q, want it accepted", s, why)
		}
	}
}

// TestCleanShowsInvisibleCharacters: text stored with a zero-width
// character (by an older version, by hand) never draws exactly as the
// text it imitates.
func TestCleanShowsInvisibleCharacters(t *testing.T) {
	if got := Clean("Xavier\u200b Xará", false); got != "Xavier\uFFFD Xará" {
		t.Errorf("Clean = %q", got)
	}
	if why := Unsafe(Clean("00\u200c", false)); why != "" {
		t.Errorf("Clean's output is refused: %s", why)
	}
}

// TestCleanEveryRune: whatever single character Clean is given, what it
// returns is text Unsafe accepts, and cleaning it again changes nothing.
// Every code point is tried, so the fuzzer has no single rune left to find.
func TestCleanEveryRune(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		s := "a" + string(r) + "b"
		once := Clean(s, false)
		if why := Unsafe(once); why != "" {
			t.Fatalf("Clean(%q) = %q, which Unsafe refuses: %s", s, once, why)
		}
		if twice := Clean(once, false); twice != once {
			t.Fatalf("Clean(%q) = %q, and again %q", s, once, twice)
		}
	}
}

// TestQuoteShowsWhatWasTyped: a value quoted in a message shows its
// invisible characters as escapes, where Clean would drop them and the
// value refused would read as a valid one.
func TestQuoteShowsWhatWasTyped(t *testing.T) {
	for in, want := range map[string]string{
		"yy22222-ovh\u202e": `"yy22222-ovh\u202e"`,
		"host\nx":           `"host\nx"`,
		"a\u034fb":          `"a\u034fb"`,
		"\x1b[31mred":       `"\x1b[31mred"`,
		"Zélia":             `"Zélia"`,
		"abcdef":            `"abc…"`,
	} {
		max := 40
		if in == "abcdef" {
			max = 4
		}
		if got := Quote(in, max); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestQuoteEscapesPiledMarks: a refusal quoting what was typed writes
// the marks past MaxMarks as escapes, so that the message itself is safe
// to draw (a fuzzer's find: "͋͋͋͋͋" is not a role).
func TestQuoteEscapesPiledMarks(t *testing.T) {
	got := Quote("a"+strings.Repeat("\u034b", 6), 40)
	if Unsafe(got) != "" || got != `"a`+strings.Repeat("\u034b", 4)+`\u034b\u034b"` {
		t.Errorf("Quote = %q", got)
	}
}

// A value cut short in a message ends between what a reader sees as
// characters: never half a flag, a letter without its accent, an emoji
// without its skin tone; ASCII is cut as before, and the bound holds.
func TestShortenKeepsGraphemesWhole(t *testing.T) {
	x38 := strings.Repeat("x", 38)
	for _, c := range []struct{ in, want string }{
		{strings.Repeat("a", 50), strings.Repeat("a", 39) + "…"},
		{strings.Repeat("a", 40), strings.Repeat("a", 40)},
		{x38 + "🇵🇹🇵🇹", x38 + "…"},            // not x38 + "🇵"
		{x38 + "e\u0301" + "zzz", x38 + "…"}, // not x38 + "e"
		{x38 + "👍🏽zz", x38 + "…"},            // not x38 + "👍"
		{"x🇵🇹" + strings.Repeat("山", 40), "x🇵🇹" + strings.Repeat("山", 36) + "…"},
		{"e" + strings.Repeat("\u0301", 60), "e" + strings.Repeat("\u0301", 38) + "…"}, // one cluster past max: cut within
	} {
		got := Shorten(c.in, 40)
		if got != c.want {
			t.Errorf("Shorten(%q, 40) = %q, want %q", c.in, got, c.want)
		}
		if n := utf8.RuneCountInString(got); n > 40 {
			t.Errorf("Shorten(%q, 40) is %d runes long", c.in, n)
		}
	}
	if got, want := Quote(x38+"🇵🇹🇵🇹", 40), `"`+x38+`…"`; got != want {
		t.Errorf("Quote = %s, want %s", got, want)
	}
}
