package web

import (
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"
)

// keepWhole is s for the page, escaped for HTML, with each word that
// holds a hyphen between letters or digits — a handle (yy22222-ovh), a
// service's name (mx-xara), an address, a date — in a span that the
// style sheet keeps on one line: browsers break a line after a hyphen,
// and "yy22222-" above "ovh" reads as two names. The text itself is
// unchanged (no non-breaking hyphen stands in for the real one), so
// that a handle copied from the page is the handle.
func keepWhole(s string) template.HTML {
	var b strings.Builder
	for s != "" {
		n := strings.IndexFunc(s, unicode.IsSpace)
		switch {
		case n == 0: // a space, as it is
			_, size := utf8.DecodeRuneInString(s)
			n = size
			b.WriteString(template.HTMLEscapeString(s[:n]))
		case n < 0:
			n = len(s)
			fallthrough
		default:
			word := template.HTMLEscapeString(s[:n])
			if joinedByHyphen(s[:n]) {
				word = `<span class="whole">` + word + `</span>`
			}
			b.WriteString(word)
		}
		s = s[n:]
	}
	return template.HTML(b.String())
}

// joinedByHyphen reports whether word has a hyphen with a letter or a
// digit on each side.
func joinedByHyphen(word string) bool {
	rs := []rune(word)
	for i := 1; i+1 < len(rs); i++ {
		if rs[i] == '-' && isAlnum(rs[i-1]) && isAlnum(rs[i+1]) {
			return true
		}
	}
	return false
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
