package delivery

import "testing"

// TestASCIIAddress: a domain beyond ASCII goes in IDNA's ASCII form, as
// Python's idna codec and every mail client write it; an ASCII address
// is left as it is.
func TestASCIIAddress(t *testing.T) {
	for in, want := range map[string]string{
		"yolanda@padaria-pão.pt": "yolanda@xn--padaria-po-n5a.pt",
		"ze@pão.pt":              "ze@xn--po-sia.pt",
		"ana@Açores-Ação.pt":     "ana@xn--aores-ao-xza7ag.pt",
		"ines@jardím.pt":         "ines@xn--jardm-2sa.pt",
		"k@bücher.example":       "k@xn--bcher-kva.example",
		"u@mail.münchen.de":      "u@mail.xn--mnchen-3ya.de",
		"bob@example.net":        "bob@example.net",
		"Bob@Example.NET":        "Bob@Example.NET",
		"pa\u0303o@pa\u0303o.pt": "pa\u0303o@xn--po-sia.pt", // decomposed ã: NFC first; the local part as it is
		"nobody":                 "nobody",
		"x@-pão-.pt":             "x@-pão-.pt", // a domain IDNA refuses: as typed
	} {
		if got := asciiAddress(in); got != want {
			t.Errorf("asciiAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
