package model

import (
	"errors"
	"strings"
	"testing"
	"time"

	"contactdesk/locale"
)

func TestParseHandle(t *testing.T) {
	for in, want := range map[string]Handle{"xx11111-ovh": "xx11111-ovh", " XX11111-OVH ": "xx11111-ovh", "Ab1-Ovh": "ab1-ovh"} {
		if got, err := ParseHandle(in); err != nil || got != want {
			t.Errorf("ParseHandle(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "x11111-ovh", "xxx11111-ovh", "xx-ovh", "xx11111", "xx11111-ovh\x1b[2J", "xx11111-ovhx", "x1x1111-ovh", "xx12345678901-ovh"} {
		if _, err := ParseHandle(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseHandle(%q) = %v", bad, err)
		}
	}
}

func TestParseRoles(t *testing.T) {
	rs, err := ParseRoles("billing, TECH,tech")
	if err != nil || JoinRoles(rs, ",") != "tech,billing" {
		t.Errorf("got %v %v", rs, err)
	}
	for _, bad := range []string{"", ",", "owner", "tech,owner"} {
		if _, err := ParseRoles(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseRoles(%q) = %v", bad, err)
		}
	}
}

func TestCheckEmail(t *testing.T) {
	for _, ok := range []string{"a@b.pt", "first.last+tag@sub.example.com", "x_y@example.co.uk", "a@my-host.example.pt", "a@" + strings.Repeat("b", 63) + ".pt"} {
		if got, err := CheckEmail("email", ok); err != nil || got != ok {
			t.Errorf("CheckEmail(%q) = %q, %v", ok, got, err)
		}
	}
	for _, bad := range []string{"", "a", "a@", "@b.pt", "a@b", "a@b.", "a@.b", "a@b..pt", "A <a@b.pt>", "a b@c.pt", "a@[1.2.3.4]", "\"a\"@b.pt", "a@b.pt\n", strings.Repeat("a", 250) + "@b.pt", "a@-b.com", "a@b-.com", "a@b.pt-", "a@" + strings.Repeat("b", 64) + ".pt"} {
		if _, err := CheckEmail("email", bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckEmail(%q) = %v", bad, err)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]Cents{"0": 0, "42": 4200, "42.5": 4250, "42.50": 4250, "0.07": 7, "1,50": 150, "12,5": 1250} {
		if got, err := ParseAmount(in); err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "-1", "+1", "1.234", "1.", ".5", "1,000", "1,234.50", "1,5,0", ",5", "1,", "abc", "1e3", "99999999999"} {
		if _, err := ParseAmount(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseAmount(%q) = %v", bad, err)
		}
	}
	if FormatAmount(4250) != "42.50" || FormatAmount(7) != "0.07" {
		t.Error("FormatAmount")
	}
}

func TestParseValidity(t *testing.T) {
	for in, want := range map[string]time.Duration{"15d": 15 * 24 * time.Hour, "48h": 48 * time.Hour, "90s": 90 * time.Second, "1d": 24 * time.Hour} {
		if got, err := ParseValidity(in); err != nil || got != want {
			t.Errorf("ParseValidity(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "0d", "-1d", "10s", "366d", "forever", "d", "1.5d"} {
		if _, err := ParseValidity(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseValidity(%q) = %v", bad, err)
		}
	}
}

func TestTokens(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok, hash := NewToken()
		if seen[tok] {
			t.Fatal("a token came twice")
		}
		seen[tok] = true
		norm, ok := NormalizeToken(tok)
		if !ok || HashToken(norm) != hash || len(tok) != 34 || strings.Count(tok, "-") != 6 {
			t.Fatalf("token %q", tok)
		}
	}
	tok, hash := NewToken()
	for _, typed := range []string{strings.ToLower(tok), strings.ReplaceAll(tok, "-", " "), strings.ReplaceAll(tok, "-", ""), " " + tok + " "} {
		norm, ok := NormalizeToken(typed)
		if !ok || !HashToken(norm).Equal(hash) {
			t.Errorf("%q is not read as %q", typed, tok)
		}
	}
	for _, bad := range []string{"", "ABC", tok + "A", strings.Replace(tok, tok[:1], "U", 1), "é" + tok[1:]} {
		if _, ok := NormalizeToken(bad); ok {
			t.Errorf("%q read as a token", bad)
		}
	}
}

func TestParseLink(t *testing.T) {
	id, tok, ok := ParseLink("contactdesk://request/12?token=ABCD-EFGH")
	if !ok || id != 12 || tok != "ABCD-EFGH" {
		t.Errorf("%d %q %v", id, tok, ok)
	}
	// The web page's links, with or without their token.
	for link, want := range map[string]struct {
		id  int64
		tok string
	}{
		"https://desk.example.net/request/8?token=ABCD-EFGH":    {8, "ABCD-EFGH"},
		"http://127.0.0.1:8080/desk/request/12?token=AB&x=1":    {12, "AB"},
		"https://desk.example.net/request/8":                    {8, ""},
		" contactdesk://request/8 ":                             {8, ""},
		WebLink("https://d.example", 31, "7K3Q-9XWM-4HBT-AAAA"): {31, "7K3Q-9XWM-4HBT-AAAA"},
	} {
		id, tok, ok := ParseLink(link)
		if !ok || id != want.id || tok != want.tok {
			t.Errorf("ParseLink(%q) = %d %q %v", link, id, tok, ok)
		}
	}
	for _, bad := range []string{"", "http://request/12", "contactdesk://request/x?token=A", "contactdesk://request/-1", "contactdesk://request/012",
		"ftp://desk.example.net/request/8?token=A", "https:///request/8", "https://desk.example.net/request/8#top", "https://desk.example.net/requests/8", "https://d.example/request/8/x"} {
		if _, _, ok := ParseLink(bad); ok {
			t.Errorf("ParseLink(%q) ok", bad)
		}
	}
}

func TestPartiesOf(t *testing.T) {
	cases := []struct {
		req, from, to Handle
		want          string
	}{
		{"a", "t", "n", "a,t,n"},
		{"a", "t", "a", "a,t"},
		{"a", "a", "n", "a,n"},
		{"t", "t", "n", "t,n"},
	}
	for _, c := range cases {
		var got []string
		for _, h := range PartiesOf(c.req, c.from, c.to) {
			got = append(got, string(h))
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("PartiesOf(%s,%s,%s) = %v", c.req, c.from, c.to, got)
		}
	}
}

func TestCheckTextRefusesInvisibleCharacters(t *testing.T) {
	for _, r := range []string{"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\u115f"} {
		_, err := CheckText("name", "name", "Xavier"+r+" Xará", MaxNameLen, true)
		if !errors.Is(err, ErrInvalid) || FieldOf(err) != "name" || !strings.Contains(err.Error(), "invisible") {
			t.Errorf("name with %q: %v (field %q)", r, err, FieldOf(err))
		}
		if _, err := CheckEmail("email", "xavier"+r+"@xara.pt"); !errors.Is(err, ErrInvalid) || FieldOf(err) != "email" {
			t.Errorf("e-mail with %q: %v", r, err)
		}
		if _, err := CheckServiceName("xara" + r + ".pt"); !errors.Is(err, ErrInvalid) {
			t.Errorf("service name with %q: %v", r, err)
		}
	}
	// Blank once the invisible characters are taken out: empty.
	for _, s := range []string{"\u200b", " \u3164 ", "\u200b\u200d\ufeff"} {
		_, err := CheckText("name", "name", s, MaxNameLen, true)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "may not be empty") {
			t.Errorf("CheckText(%q) = %v, want it refused as empty", s, err)
		}
	}
}

// TestPartyWhyOnceDone: the outgoing contact of a request is its current
// contact while it is open, or ends without the change, and its former
// one once the change is made, in every language.
func TestPartyWhyOnceDone(t *testing.T) {
	r := Request{Requester: "xx11111-ovh", From: "xx11111-ovh", To: "cd67890-ovh", Roles: []Role{Tech}}
	for _, c := range []struct {
		state State
		lang  locale.Lang
		want  string
	}{
		{StateValidating, locale.EN, "requester and current tech contact"},
		{StateRefused, locale.EN, "requester and current tech contact"},
		{StateDone, locale.EN, "requester and former tech contact"},
		{StateDone, locale.PT, "requerente e antigo contacto técnico"},
		{StateDone, locale.FR, "demandeur et ancien contact technique"},
	} {
		r.State = c.state
		if got := r.Why("xx11111-ovh").In(locale.For(c.lang)); got != c.want {
			t.Errorf("%s, %s: %q, want %q", c.state, c.lang, got, c.want)
		}
	}
}

// TestCheckTextRefusesPiledMarks: a text whose letter carries more marks
// than any script puts on one (190 did, in an owner's holder, drawn over
// the lines above and below it on other customers' screens) is refused,
// saying why in the reader's language; accents are not.
func TestCheckTextRefusesPiledMarks(t *testing.T) {
	if _, err := CheckText("holder", "holder", "Ze\u0301lia Nguye\u0302\u0303n", 200, true); err != nil {
		t.Errorf("decomposed accents refused: %v", err)
	}
	_, err := CheckText("holder", "holder", "A"+strings.Repeat("\u0301", 190), 200, true)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("190 marks on one letter: %v", err)
	}
	if got := Localize(err, locale.For(locale.PT)); !strings.Contains(got, "empilha sinais diacríticos numa só letra") {
		t.Errorf("in Portuguese: %q", got)
	}
}
