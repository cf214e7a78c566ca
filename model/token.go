package model

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
)

// Tokens are 28 symbols of Crockford's base32 (5 bits each, 140 bits in
// all) drawn from crypto/rand, written in groups of four: a person can
// read them aloud and type them back, whatever the case and separators.
const (
	tokenAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	tokenSymbols  = 28
	tokenGroup    = 4
)

// TokenHash is the SHA-256 of a token's normal form; only the hash is
// stored with the request.
type TokenHash [32]byte

// NewToken draws a fresh token and returns it as written in a mail, with
// its hash.
func NewToken() (string, TokenHash) {
	var raw [tokenSymbols]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic("contactdesk: crypto/rand failed: " + err.Error())
	}
	var b strings.Builder
	for i, c := range raw {
		if i > 0 && i%tokenGroup == 0 {
			b.WriteByte('-')
		}
		// 256 is a multiple of 32, so c%32 is uniform.
		b.WriteByte(tokenAlphabet[c%32])
	}
	tok := b.String()
	norm, _ := NormalizeToken(tok)
	return tok, HashToken(norm)
}

// NormalizeToken turns what a person typed into a token's normal form:
// separators (spaces, dashes, dots, underscores) dropped, upper case, and
// the letters Crockford's base32 reads as digits (O→0, I and L→1) mapped.
// It reports false when what remains cannot be a token.
func NormalizeToken(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '_' || r == '\t':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r > 0x7F || !strings.ContainsRune(tokenAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
		if b.Len() > tokenSymbols {
			return "", false
		}
	}
	if b.Len() != tokenSymbols {
		return "", false
	}
	return b.String(), true
}

// HashToken hashes a token's normal form.
func HashToken(norm string) TokenHash { return sha256.Sum256([]byte(norm)) }

// Equal compares two hashes in constant time.
func (h TokenHash) Equal(o TokenHash) bool {
	return subtle.ConstantTimeCompare(h[:], o[:]) == 1
}

// TokenState says whether a token can still be used.
type TokenState string

// Token states.
const (
	TokenActive   TokenState = "active"
	TokenUsed     TokenState = "used"
	TokenReplaced TokenState = "replaced"
)

// TokenRecord is a token as stored: its hash, never its text.
type TokenRecord struct {
	ID        int64
	RequestID int64
	Handle    Handle
	Hash      TokenHash
	State     TokenState
}
