package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"contactdesk/model/text"
)

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
