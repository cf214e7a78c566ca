// Package text makes text that came from users safe to store and to draw:
// Unsafe finds what must be refused on input, Clean removes it on output.
package text

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/graphemes"
)

// IsBidiControl reports whether r changes the direction of the text
// around it; such runes can hide or reorder what a reader sees.
func IsBidiControl(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F:
		return true
	case r >= 0x202A && r <= 0x202E:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// isInvisibleFormat reports runes that are never wanted in a name or an
// address: line and paragraph separators and the byte-order mark.
func isInvisibleFormat(r rune) bool {
	return r == 0x2028 || r == 0x2029 || r == 0xFEFF
}

// IsDefaultIgnorable reports the code points Unicode marks
// Default_Ignorable_Code_Point: zero-width spaces and joiners (U+200B–U+200D),
// the word joiner (U+2060), the byte-order mark, the soft hyphen, Hangul
// fillers, variation selectors, tags and the other invisible format
// characters. They draw as nothing, so a name holding one can pass for
// another ("Xavier Xará" with a zero-width space is not Xavier Xará).
//
// Go's unicode package has the parts of the derived property, not the
// property itself; this is its definition from DerivedCoreProperties.txt:
// Other_Default_Ignorable_Code_Point + Cf + Variation_Selector, minus
// White_Space, the interlinear annotation characters (U+FFF9–U+FFFB),
// the Egyptian hieroglyph format controls (U+13430–U+1343F) and the
// prepended concatenation marks, which are visible.
func IsDefaultIgnorable(r rune) bool {
	switch {
	case r < 0xAD:
		return false
	case r >= 0xFFF9 && r <= 0xFFFB, r >= 0x13430 && r <= 0x1343F:
		return false
	case unicode.Is(unicode.Prepended_Concatenation_Mark, r), unicode.Is(unicode.White_Space, r):
		return false
	}
	return unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)
}

// StripIgnorable returns s without its default-ignorable code points.
func StripIgnorable(s string) string {
	return strings.Map(func(r rune) rune {
		if IsDefaultIgnorable(r) {
			return -1
		}
		return r
	}, s)
}

// IsControl reports C0 and C1 control characters and DEL.
func IsControl(r rune) bool {
	return r < 0x20 || r == 0x7F || (r >= 0x80 && r <= 0x9F)
}

// MaxMarks is how many combining marks may follow one another: a letter
// of any script takes a few (Vietnamese, decomposed, two or three). More
// pile up over the lines above and below in every terminal and page that
// draws them: an owner's holder of one letter and 190 marks did. Spacing
// marks count too (50 of U+0903 on one letter were taken).
const MaxMarks = 4

// Unsafe describes the first thing in s that may not be stored as user
// text (invalid UTF-8, a control character or escape sequence, a bidi
// override, an invisible character, marks piled on one letter), or
// returns "" when s is safe.
func Unsafe(s string) string {
	if !utf8.ValidString(s) {
		return "it is not valid UTF-8"
	}
	marks := 0
	for _, r := range s {
		if unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) {
			if marks++; marks > MaxMarks {
				return "it piles marks on one letter"
			}
		} else {
			marks = 0
		}
		switch {
		case r == 0x1B || r == 0x9B:
			return "it contains an escape sequence"
		case IsControl(r):
			return "it contains a control character"
		case IsBidiControl(r):
			return "it contains a text-direction override"
		case isInvisibleFormat(r):
			return "it contains an invisible separator"
		case IsDefaultIgnorable(r):
			return fmt.Sprintf("it contains an invisible character (U+%04X)", r)
		}
	}
	return ""
}

// Clean returns s with every escape sequence, control character, bidi
// override and invalid byte removed (invalid bytes and invisible
// characters become U+FFFD), so that drawing it can never move the
// cursor, change the title or hide text; nor can marks pile up on one
// letter: past MaxMarks in a row, they are dropped.
// Tabs become a space. With multiline, newlines are kept.
func Clean(s string, multiline bool) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	marks := 0 // combining marks in a row, written
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(utf8.RuneError)
			marks = 0
			i++
			continue
		}
		if unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) {
			// Past MaxMarks in a row, as Unsafe counts them (across what
			// is dropped between them), a mark is dropped: they would
			// pile up over the lines above and below.
			if marks++; marks > MaxMarks {
				i += size
				continue
			}
		} else if r == '\t' || r == '\n' && multiline || !IsControl(r) && !IsBidiControl(r) && !isInvisibleFormat(r) {
			marks = 0 // something is written between them
		}
		switch {
		case r == 0x1B:
			i = skipEscape(s, i+size)
			continue
		case r == 0x9B: // 8-bit CSI
			i = skipCSI(s, i+size)
			continue
		case r == 0x9D, r == 0x90, r == 0x98, r == 0x9E, r == 0x9F: // 8-bit OSC, DCS, SOS, PM, APC
			i = skipString(s, i+size)
			continue
		case r == '\n' && multiline:
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case IsControl(r), IsBidiControl(r), isInvisibleFormat(r):
			// dropped
		case IsDefaultIgnorable(r):
			// Shown, not dropped: a name stored with a zero-width space
			// (by an older version, by hand) must not draw exactly as
			// the name it imitates.
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Line is Clean for a one-line field: newlines become spaces.
func Line(s string) string {
	return Clean(strings.ReplaceAll(s, "\n", " "), false)
}

// isPlain reports the common case where nothing needs cleaning.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7F || c >= 0x80 {
			return false
		}
	}
	return true
}

// skipEscape skips what follows an ESC at s[i:], returning the index
// after the whole sequence.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// nF sequences: intermediates 0x20–0x2F then one final byte.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2F {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7E {
		i++
	}
	return i
}

// skipCSI skips parameters and intermediates up to and including the
// final byte. A control that cannot be part of a CSI ends it and is
// dropped; a letter beyond ASCII ends it and is kept, whole (dropping
// its first byte alone left the others to be shown as one U+FFFD each).
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c >= 0x80 {
			return i
		}
		i++
		if c >= 0x40 && c <= 0x7E {
			return i
		}
		if c < 0x20 || c > 0x7E {
			return i
		}
	}
	return i
}

// skipString skips an OSC, DCS, SOS, PM or APC body up to its terminator
// (BEL, ESC \ or 8-bit ST), or to the end of s.
func skipString(s string, i int) int {
	for i < len(s) {
		if s[i] == 0x07 {
			return i + 1
		}
		if s[i] == 0x1B {
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i + 1
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0x9C {
			return i + size
		}
		i += size
	}
	return i
}

// Quote is s in Go's quotes, cut to max characters (… ending what is
// cut): a control, invisible or direction-changing character shows as
// its escape ("yy22222-ovh\u202e"), so that a message quoting what was
// typed shows it, not what it would draw as. Clean would drop such a
// character, and the value refused would read as a valid one.
func Quote(s string, max int) string {
	s = Shorten(s, max)
	// strconv leaves some invisible characters as they are (a combining
	// grapheme joiner, a variation selector): escaped too.
	return escapeInvisible(strconv.Quote(s))
}

// Shorten returns s cut to at most max characters (runes), "…" included,
// when it is longer. The cut falls between grapheme clusters (what a
// reader sees as one character), found as the Charm libraries find them
// (uax29, which charmbracelet/x/ansi measures with): cutting at a rune
// left half a flag (🇵 of 🇵🇹, a letter in a box), a letter without the
// accent typed after it (e + U+0301), an emoji without its skin tone. A
// cluster longer than max alone is cut within, so that the bound holds
// whatever the text.
func Shorten(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	end, n := 0, 0
	g := graphemes.FromString(s)
	for g.Next() {
		c := utf8.RuneCountInString(g.Value())
		if n+c > max-1 {
			break
		}
		end, n = g.End(), n+c
	}
	if end == 0 {
		return string([]rune(s)[:max-1]) + "…"
	}
	return s[:end] + "…"
}

// escapeInvisible writes each invisible character of q as \uXXXX, and
// each combining mark past MaxMarks in a row (what Unsafe refuses would
// pile up over the message's lines).
func escapeInvisible(q string) string {
	var b strings.Builder
	marks := 0
	for _, r := range q {
		if unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) {
			marks++
		} else {
			marks = 0
		}
		if IsBidiControl(r) || isInvisibleFormat(r) || IsDefaultIgnorable(r) || marks > MaxMarks {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// IsASCII reports whether s holds ASCII alone: a host name or a local
// part that needs no IDNA and no SMTPUTF8.
func IsASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
