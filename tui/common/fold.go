package common

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold is s as a search compares it: lower case, without its accents
// ("Brandão" and "brandao" both fold to "brandao"), so that what a user
// types on a keyboard without them finds the names written with them.
// golang.org/x/text does the decomposing (NFD, then the marks dropped).
func Fold(s string) string {
	if sevenBit(s) {
		// no accent to drop: a list of 100,000 services folds its
		// haystacks at each read
		return strings.ToLower(s)
	}
	// a chain of its own each time: a Transformer keeps state, and the
	// sessions of a served desk fold at once
	fold := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(fold, strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

func sevenBit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
