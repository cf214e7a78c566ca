package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"contactdesk/model/text"
)

// maxMessage is how much of a message is shown: far more than any the
// command line writes itself, far less than an argument of 128 KB it
// may be quoting.
const maxMessage = 600

// message makes an error's text fit to show: on one line, cut at
// maxMessage characters, inert.
func message(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxMessage {
		s = string([]rune(s)[:maxMessage-1]) + "…"
	}
	return inert(s)
}

// inert writes what a terminal would act on — escape sequences, control
// characters, text-direction overrides, invalid bytes — as Go escapes
// (\x1b, \u202e, \xff), so that a message echoing what was typed (an
// unknown flag, a path) shows it without moving the cursor, changing the
// title or hiding text. Everything else is left as it is.
func inert(s string) string {
	if text.Unsafe(s) == "" {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case text.Unsafe(string(r)) != "":
			b.WriteString(strings.Trim(strconv.QuoteRune(r), "'"))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
