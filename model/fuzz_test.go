package model

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"contactdesk/model/text"
)

// The parsers of what people type, fuzzed (go test -fuzz=FuzzName
// ./model). Each must never panic, must refuse with ErrInvalid (or say
// no) rather than accept something malformed, must give the same answer
// for what it accepted (idempotence), and must never put what it was
// given into a message unsanitised: messages quote user input, and a
// message is shown on a terminal.

// safeMessage fails the test when an error's message could act on a
// terminal or span lines.
func safeMessage(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("refused with %v, not ErrInvalid", err)
	}
	msg := err.Error()
	if text.Unsafe(msg) != "" {
		t.Fatalf("message %q: %s", msg, text.Unsafe(msg))
	}
	if n := utf8.RuneCountInString(msg); n > 300 {
		t.Fatalf("message of %d characters: %q", n, msg)
	}
}

func FuzzParseHandle(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHandle(s)
		safeMessage(t, err)
		if err != nil {
			return
		}
		if !handleRE.MatchString(string(h)) || string(h) != strings.ToLower(string(h)) {
			t.Fatalf("ParseHandle(%q) = %q", s, h)
		}
		if again, err := ParseHandle(string(h)); err != nil || again != h {
			t.Fatalf("ParseHandle(%q) = %q, but ParseHandle(%q) = %q, %v", s, h, h, again, err)
		}
		if up, err := ParseHandle(strings.ToUpper(string(h))); err != nil || up != h {
			t.Fatalf("the upper case of %q reads %q, %v", h, up, err)
		}
	})
}

func FuzzNormalizeToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		norm, ok := NormalizeToken(s)
		if !ok {
			if norm != "" {
				t.Fatalf("NormalizeToken(%q) refused but returned %q", s, norm)
			}
			return
		}
		if len(norm) != tokenSymbols {
			t.Fatalf("NormalizeToken(%q) = %q: %d symbols", s, norm, len(norm))
		}
		for _, r := range norm {
			if !strings.ContainsRune(tokenAlphabet, r) {
				t.Fatalf("NormalizeToken(%q) = %q holds %q", s, norm, r)
			}
		}
		// What a person may type differently reads the same.
		for _, typed := range []string{norm, strings.ToLower(s), strings.ToUpper(s), " " + s + " "} {
			if again, ok := NormalizeToken(typed); !ok || again != norm {
				t.Fatalf("%q reads %q, but %q reads %q, %v", s, norm, typed, again, ok)
			}
		}
		// Only the normal form is hashed: spellings of one token match.
		if !HashToken(norm).Equal(HashToken(norm)) {
			t.Fatal("a hash differs from itself")
		}
		// A link carries it back.
		id, tok, ok := ParseLink(Link(7, s))
		if again, same := NormalizeToken(tok); !ok || id != 7 || !same || again != norm {
			t.Fatalf("Link(7, %q) reads back as %d, %q, %v", s, id, tok, ok)
		}
	})
}

func FuzzParseLink(f *testing.F) {
	f.Add("https://desk.example.net/request/8?token=ABCD-EFGH")
	f.Add("http://127.0.0.1:8080/desk/request/12?lang=pt&token=A%26B")
	f.Fuzz(func(t *testing.T, s string) {
		id, tok, ok := ParseLink(s)
		if !ok {
			return
		}
		if id <= 0 {
			t.Fatalf("ParseLink(%q) = request %d", s, id)
		}
		// (The link is read trimmed: spaces that ended the token go.)
		if id2, tok2, ok := ParseLink(Link(id, tok)); !ok || id2 != id || tok2 != strings.TrimRightFunc(tok, unicode.IsSpace) {
			t.Fatalf("ParseLink(%q) = %d %q, which does not read back: %d %q %v", s, id, tok, id2, tok2, ok)
		}
	})
}

func FuzzCheckEmail(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		e, err := CheckEmail("email", s)
		safeMessage(t, err)
		if err != nil {
			return
		}
		if why := text.Unsafe(e); why != "" {
			t.Fatalf("CheckEmail(%q) accepted %q: %s", s, e, why)
		}
		at := strings.LastIndexByte(e, '@')
		if at < 1 || strings.ContainsAny(e, " \"\t\n") || !strings.Contains(e[at+1:], ".") || utf8.RuneCountInString(e) > MaxEmailLen {
			t.Fatalf("CheckEmail(%q) accepted %q", s, e)
		}
		if e != strings.TrimSpace(s) {
			t.Fatalf("CheckEmail(%q) changed it to %q", s, e)
		}
		if again, err := CheckEmail("email", e); err != nil || again != e {
			t.Fatalf("CheckEmail(%q) = %q, then %q, %v", s, e, again, err)
		}
	})
}

func FuzzCheckText(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, max uint8, required bool) {
		got, err := CheckText("name", "name", s, int(max), required)
		safeMessage(t, err)
		if err != nil {
			return
		}
		if why := text.Unsafe(got); why != "" {
			t.Fatalf("CheckText(%q) accepted %q: %s", s, got, why)
		}
		if text.Clean(got, false) != got {
			t.Fatalf("CheckText(%q) accepted %q, which drawing would change to %q", s, got, text.Clean(got, false))
		}
		if utf8.RuneCountInString(got) > int(max) || (required && got == "") || got != strings.TrimSpace(s) {
			t.Fatalf("CheckText(%q, max %d, required %v) = %q", s, max, required, got)
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseAmount(s)
		safeMessage(t, err)
		if err != nil {
			return
		}
		if c < 0 {
			t.Fatalf("ParseAmount(%q) = %d", s, c)
		}
		if again, err := ParseAmount(FormatAmount(c)); err != nil || again != c {
			t.Fatalf("ParseAmount(%q) = %d, written %q, read back %d, %v", s, c, FormatAmount(c), again, err)
		}
	})
}

func FuzzParseValidity(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseValidity(s)
		safeMessage(t, err)
		if err == nil && (d < MinValidity || d > MaxValidity) {
			t.Fatalf("ParseValidity(%q) = %s", s, d)
		}
	})
}

func FuzzParseRoles(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := ParseRoles(s)
		safeMessage(t, err)
		if err != nil {
			return
		}
		if len(rs) == 0 || len(rs) > 3 {
			t.Fatalf("ParseRoles(%q) = %v", s, rs)
		}
		for i, r := range rs {
			if i > 0 && indexRole(rs[i-1]) >= indexRole(r) {
				t.Fatalf("ParseRoles(%q) = %v: not in order, or repeated", s, rs)
			}
		}
	})
}

func indexRole(r Role) int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return -1
}
