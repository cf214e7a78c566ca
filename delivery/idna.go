package delivery

import (
	"strings"

	"golang.org/x/net/idna"

	"contactdesk/model/text"
)

// asciiAddress is addr as SMTP and a message's header carry it to any
// server: its domain in ASCII, each label with letters beyond ASCII in
// IDNA's "xn--" form (padaria-pão.pt is xn--padaria-po-n5a.pt), as a
// mail client writes it; golang.org/x/net/idna maps and encodes it as
// browsers and resolvers do (lower case, NFC, Punycode). Sent as typed,
// such a domain needs the server's SMTPUTF8, which many relays do not
// offer: the mail would be refused, and its token lost. The local part
// is left as it is (only SMTPUTF8 carries one beyond ASCII), and so is
// a domain IDNA refuses: the server says what it thinks of it.
func asciiAddress(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || text.IsASCII(addr[at+1:]) {
		return addr
	}
	domain, err := idna.Lookup.ToASCII(addr[at+1:])
	if err != nil {
		return addr
	}
	return addr[:at+1] + domain
}
