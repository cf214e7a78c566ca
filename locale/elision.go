package locale

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// French elides de, le, la, que (and ne, je, me, te, se, jusque,
// lorsque, puisque) before a word that begins with a vowel sound: "la
// demande d'example.com", not "de example.com". The catalogue cannot
// write it, for the word is an argument: the French localizer elides,
// as it writes a message, such a word of the text that comes right
// before an argument whose value calls for it (elides). The catalogue
// keeps its plain "de {{.Service}}", which reads right before a
// consonant.

// elisions are the words French elides, in lower case, and what they
// become.
var elisions = map[string]string{
	"de": "d'", "le": "l'", "la": "l'", "que": "qu'", "ne": "n'", "je": "j'",
	"me": "m'", "te": "t'", "se": "s'",
	"jusque": "jusqu'", "lorsque": "lorsqu'", "puisque": "puisqu'",
}

// elides reports whether a value written after an elidable word calls
// for the elision: it begins with a vowel (an accented one too), or a y
// said as one (Yves, not Yolanda). Not:
//   - an h: whether it is mute (d'Hélène, l'hôtel) or aspirated (de
//     Hugues?, le haut, de hosting.fr said in English) takes a
//     dictionary, and "de" before a mute h reads as a slip where "d'"
//     before an aspirated one is an error;
//   - a code, whose first letters are followed by a digit: a handle
//     (ab12345-ovh, spelt out letter by letter), an application key
//     (a3f9…), which are read as codes, not words — "de ab12345-ovh" as
//     "de xx11111-ovh";
//   - onze, onzième, oui, which French does not elide before.
//
// Anything else (a quote, a digit, a slash) keeps the word as it is.
func elides(v string) bool {
	r, n := utf8.DecodeRuneInString(v)
	if r == utf8.RuneError {
		return false
	}
	lower := strings.ToLower(v)
	switch {
	case strings.HasPrefix(lower, "onz"), strings.HasPrefix(lower, "oui"):
		return false
	case unicode.ToLower(r) == 'y':
		next, _ := utf8.DecodeRuneInString(v[n:])
		if next == utf8.RuneError || isVowel(next) || !unicode.IsLetter(next) {
			return false
		}
	case !isVowel(r):
		return false
	}
	// the first letters, then a digit: a code
	rest := strings.TrimLeftFunc(v, unicode.IsLetter)
	next, _ := utf8.DecodeRuneInString(rest)
	return !unicode.IsDigit(next)
}

// isVowel reports whether r is a vowel letter of French, accented or
// not, in either case.
func isVowel(r rune) bool {
	return strings.ContainsRune("aeiouàâäéèêëîïôöùûüœæ", unicode.ToLower(r))
}

// elide returns text, written right before a value v, with its last
// word elided when it is one French elides and v calls for it (elides):
// "le contact tech de " and "example.com" make "le contact tech d'".
// ok is false when nothing is elided (text is returned as it is). The
// word must stand alone (after a space, a bracket, a quote, or at the
// start), followed by one space, plain or no-break.
func elide(text, v string) (string, bool) {
	before, ok := strings.CutSuffix(text, " ")
	if !ok {
		before, ok = strings.CutSuffix(text, "\u00a0")
	}
	if !ok || !elides(v) {
		return text, false
	}
	i := strings.LastIndexFunc(before, func(r rune) bool { return !unicode.IsLetter(r) }) + 1
	if i > 0 {
		// the word's start: after a rune that is not a letter (not an
		// apostrophe, which would make it a word's end: "aujourd'hui")
		if prev, _ := utf8.DecodeLastRuneInString(before[:i]); prev == '\'' || prev == '’' || prev == '-' {
			return text, false
		}
	}
	word := before[i:]
	short, ok := elisions[strings.ToLower(word)]
	if !ok {
		return text, false
	}
	if word != strings.ToLower(word) { // De, Le, Que: D', L', Qu'
		short = strings.ToUpper(short[:1]) + short[1:]
	}
	return before[:i] + short, true
}

// argMark marks where an argument's value begins in a text that
// text/template writes (elideMarked): a character of Unicode's private
// use, which no text of the desk holds (one a user typed in is dropped
// from the French texts).
const argMark = "\ue000"

// marked returns v, when it is a string (of any type whose kind is
// string), as text/template would write it, after argMark; other values
// as they are (a number never begins with a vowel).
func marked(v any) any {
	if v == nil || reflect.ValueOf(v).Kind() != reflect.String {
		return v
	}
	return argMark + fmt.Sprint(v)
}

// elideMarked elides, in s, the words before the values marked in it
// (marked), and removes the marks.
func elideMarked(s string) string {
	if !strings.Contains(s, argMark) {
		return s
	}
	var b strings.Builder
	parts := strings.Split(s, argMark)
	text := parts[0]
	for _, v := range parts[1:] {
		text, _ = elide(text, v)
		b.WriteString(text)
		text = v
	}
	b.WriteString(text)
	return b.String()
}
