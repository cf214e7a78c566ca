package locale_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"contactdesk/locale"
)

func TestFromEnv(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want locale.Lang
		ok   bool
	}{
		{map[string]string{"LANG": "pt_PT.UTF-8"}, locale.PT, true},
		{map[string]string{"LANG": "pt_BR.UTF-8"}, locale.PT, true}, // the nearest the desk speaks
		{map[string]string{"LANG": "fr_CA"}, locale.FR, true},
		{map[string]string{"LANG": "fr_FR.UTF-8@euro"}, locale.FR, true},
		{map[string]string{"LANG": "en_GB.UTF-8"}, locale.EN, true},
		{map[string]string{"LANG": "C"}, locale.EN, false},
		{map[string]string{"LANG": "C.UTF-8"}, locale.EN, false},
		{map[string]string{"LANG": "POSIX"}, locale.EN, false},
		{map[string]string{"LANG": "de_DE.UTF-8"}, locale.EN, false},
		{map[string]string{}, locale.EN, false},
		// LC_ALL first, then LC_MESSAGES, then LANG: the first set decides
		{map[string]string{"LC_ALL": "fr_FR.UTF-8", "LC_MESSAGES": "pt_PT", "LANG": "en_US"}, locale.FR, true},
		{map[string]string{"LC_MESSAGES": "pt_PT", "LANG": "fr_FR"}, locale.PT, true},
		{map[string]string{"LC_ALL": "C", "LANG": "fr_FR"}, locale.EN, false},
	}
	for _, c := range cases {
		got, ok := locale.FromEnv(func(k string) string { return c.env[k] })
		if got != c.want || ok != c.ok {
			t.Errorf("%v: %s %v, want %s %v", c.env, got, ok, c.want, c.ok)
		}
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	cases := map[string]locale.Lang{
		"pt-PT,pt;q=0.9,en;q=0.8":             locale.PT,
		"fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7": locale.FR,
		"de-DE,de;q=0.9,en;q=0.5":             locale.EN,
		"de-DE":                               locale.EN,
		"":                                    locale.EN,
	}
	for h, want := range cases {
		if got, _ := locale.FromAcceptLanguage(h); got != want {
			t.Errorf("%q: %s, want %s", h, got, want)
		}
	}
}

// TestFromAcceptLanguageLong: a header of thousands of languages is read
// for its first 32, as many as any browser sends, not parsed and
// matched whole for every page (a header of 16 KiB cost 15 ms of CPU).
func TestFromAcceptLanguageLong(t *testing.T) {
	many := strings.Repeat("de,", 5000)
	if got, ok := locale.FromAcceptLanguage("fr;q=0.5," + many + "pt"); !ok || got != locale.FR {
		t.Errorf("French first, then thousands of others: %s %v", got, ok)
	}
	if got, ok := locale.FromAcceptLanguage(strings.Repeat("de,", 31) + "pt," + many); !ok || got != locale.PT {
		t.Errorf("Portuguese 32nd: %s %v", got, ok)
	}
	if got, ok := locale.FromAcceptLanguage(strings.Repeat("de,", 32) + "pt"); ok {
		t.Errorf("Portuguese 33rd was read: %s", got)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]locale.Lang{"pt": locale.PT, "PT": locale.PT, "pt-PT": locale.PT, "pt_PT": locale.PT, "fr_FR.UTF-8": locale.FR, " en ": locale.EN} {
		if got, ok := locale.Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %s %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "de", "ptx", "C"} {
		if _, ok := locale.Parse(in); ok {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}

func TestNumbers(t *testing.T) {
	en, pt, fr := locale.For(locale.EN), locale.For(locale.PT), locale.For(locale.FR)
	cases := []struct {
		got, want string
	}{
		{en.Amount(4250), "€42.50"},
		{pt.Amount(4250), "42,50\u00a0€"},
		{fr.Amount(4250), "42,50\u00a0€"},
		{en.Amount(123456789), "€1234567.89"},
		{en.Amount(-4250), "-€42.50"}, {fr.Amount(-4250), "-42,50\u00a0€"},
		{pt.Amount(123456789), "1\u00a0234\u00a0567,89\u00a0€"},
		{fr.Amount(123456), "1\u202f234,56\u00a0€"},
		{pt.Amount(123456), "1234,56\u00a0€"}, // pt-PT groups from five digits
		{pt.Amount(5), "0,05\u00a0€"},
		{en.Number(1000), "1000"},
		{pt.Number(1000), "1000"},
		{pt.Number(10000), "10\u00a0000"},
		{fr.Number(1000), "1\u202f000"},
		{fr.Number(999), "999"},
		{en.Ordinal(5), "5th"}, {en.Ordinal(1), "1st"}, {en.Ordinal(12), "12th"}, {en.Ordinal(22), "22nd"},
		{pt.Ordinal(5), "5.º"}, {fr.Ordinal(5), "5e"}, {fr.Ordinal(1), "1er"},
		// a backup's size: the decimal comma, as an amount's
		{en.Size(196608), "192.0 KB"}, {pt.Size(196608), "192,0\u00a0KB"}, {fr.Size(196608), "192,0\u00a0Ko"},
		{en.Size(812), "812 B"}, {pt.Size(812), "812\u00a0B"}, {pt.Size(5 << 30), "5,0\u00a0GB"}, {pt.Size(3 << 40), "3072,0\u00a0GB"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

func TestDates(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	en, pt, fr := locale.For(locale.EN), locale.For(locale.PT), locale.For(locale.FR)
	cases := []struct {
		got, want string
	}{
		{en.Stamp(now), "2026-03-02 09:00 UTC"},
		{pt.Stamp(now), "02/03/2026 09:00 UTC"},
		{fr.Stamp(now), "02/03/2026 09:00 UTC"},
		// a mail's sentence: the month in words, as a letter writes it
		{en.Spelled(now), "2026-03-02 09:00 UTC"},
		{pt.Spelled(now), "2 de março de 2026, às 09:00 UTC"},
		{fr.Spelled(now), "2 mars 2026 à 09:00 UTC"},
		{pt.Spelled(now.Add(-8 * time.Hour)), "2 de março de 2026, à 01:00 UTC"},
		{pt.Spelled(time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)), "31 de dezembro de 2026, às 23:59 UTC"},
		{fr.Spelled(time.Date(2026, 8, 1, 0, 5, 0, 0, time.UTC)), "1er août 2026 à 00:05 UTC"},
		{fr.Spelled(time.Date(2026, 2, 11, 14, 30, 0, 0, time.FixedZone("CET", 3600))), "11 février 2026 à 13:30 UTC"},
		{en.Date(now), "2026-03-02"},
		{fr.Date(now), "02/03/2026"},
		{en.Ago(now, now.Add(-2*time.Hour)), "2h ago"},
		{pt.Ago(now, now.Add(-2*time.Hour)), "há 2 h"},
		{fr.Ago(now, now.Add(-2*time.Hour)), "il y a 2 h"},
		{en.Ago(now, now.Add(-30*time.Second)), "just now"},
		{pt.Ago(now, now.Add(-25*time.Hour)), "há 1 dia"},
		{pt.Ago(now, now.Add(-50*time.Hour)), "há 2 dias"},
		{fr.Ago(now, now.Add(-50*time.Hour)), "il y a 2 j"},
		{fr.Ago(now, now.Add(-8*24*time.Hour)), "22/02/2026"},
		{en.Brief(now, now.Add(-30*time.Second)), "now"},
		{pt.Brief(now, now.Add(-30*time.Second)), "agora"},
		{fr.Brief(now, now.Add(-30*time.Second)), "<1 min"},
		{en.Brief(now, now.Add(-59*time.Minute)), "59m"},
		{pt.Brief(now, now.Add(-59*time.Minute)), "59 min"},
		{en.Brief(now, now.Add(-2*time.Hour)), "2h"},
		{fr.Brief(now, now.Add(-23*time.Hour)), "23 h"},
		{en.Brief(now, now.Add(-50*time.Hour)), "2d"},
		{pt.Brief(now, now.Add(-50*time.Hour)), "2 d"},
		{fr.Brief(now, now.Add(-50*time.Hour)), "2 j"},
		{en.Brief(now, now.Add(-8*24*time.Hour)), "02-22"},
		{pt.Brief(now, now.Add(-8*24*time.Hour)), "22/02"},
		{fr.Brief(now, now.Add(-8*24*time.Hour)), "22/02"},
		// another year: its month, with the year
		{en.Brief(now, now.Add(-70*24*time.Hour)), "2025-12"},
		{fr.Brief(now, now.Add(-70*24*time.Hour)), "12/2025"},
		{en.Brief(now, now.Add(time.Hour)), "03-02"},
		{en.Until(now, now.Add(14*24*time.Hour)), "in 14d"},
		// to the nearest of its unit: a 15-day request made a moment ago
		{en.Until(now, now.Add(15*24*time.Hour-time.Minute)), "in 15d"},
		{en.Until(now, now.Add(14*24*time.Hour+11*time.Hour)), "in 14d"},
		{en.Until(now, now.Add(59*time.Minute+45*time.Second)), "in 1h"},
		{en.Until(now, now.Add(90*time.Second)), "in 2m"},
		{en.Until(now, now.Add(10*time.Second)), "in 1m"},
		{pt.Until(now, now.Add(3*time.Hour)), "daqui a 3 h"},
		{fr.Until(now, now.Add(3*time.Hour)), "dans 3 h"},
		// days in full in French, as in Portuguese: "dans 15 j" read clipped
		{fr.Until(now, now.Add(15*24*time.Hour)), "dans 15 jours"},
		{fr.Until(now, now.Add(48*time.Hour)), "dans 2 jours"},
		{pt.Until(now, now.Add(15*24*time.Hour)), "daqui a 15 dias"},
		{en.Duration(15 * 24 * time.Hour), "15 days"},
		{en.Duration(time.Hour), "1 hour"},
		{en.Duration(90 * time.Second), "90 seconds"},
		{pt.Duration(15 * time.Minute), "15 minutos"},
		{pt.Duration(time.Minute), "1 minuto"},
		{fr.Duration(24 * time.Hour), "1 jour"},
		{fr.Duration(48 * time.Hour), "2 jours"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

func TestPluralsAndWords(t *testing.T) {
	en, pt, fr := locale.For(locale.EN), locale.For(locale.PT), locale.For(locale.FR)
	// French counts 0 and 1 as one; Portuguese of Portugal only 1.
	cases := []struct {
		got, want string
	}{
		{en.T("err.token.tries_left", locale.Args{"N": 1}), "1 try left before a pause"},
		{en.T("err.token.tries_left", locale.Args{"N": 0}), "0 tries left before a pause"},
		{pt.T("err.token.tries_left", locale.Args{"N": 0}), "restam 0 tentativas antes de uma pausa"},
		{fr.T("err.token.tries_left", locale.Args{"N": 0}), "il reste 0 essai avant une pause"},
		{en.List("a", "b", "c"), "a, b and c"},
		{pt.List("a", "b"), "a e b"},
		{fr.List("a", "b", "c"), "a, b et c"},
		// a Word argument is written in the reader's language
		{fr.T("err.token.throttled", locale.Args{"Scope": locale.M("word.scope.email"), "At": "10:15", "In": locale.Duration(15 * time.Minute)}),
			"trop de codes erronés pour votre changement d'adresse e-mail\u00a0: vos essais sont suspendus jusqu'à 10:15 UTC (dans 15 minutes)"},
		// ids are never grouped
		{fr.T("word.scope.request", locale.Args{"ID": 12345}), "la demande #12345"},
		{en.T("no.such.message"), "no.such.message"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

// TestQuestionsShowTheLocalYes: a question's keys name the language's
// own letter for yes (tui.key.yes_letter: s for sim, o for oui), which
// the footer shows too; "y", also taken, is English.
func TestQuestionsShowTheLocalYes(t *testing.T) {
	for _, l := range []locale.Lang{locale.EN, locale.PT, locale.FR} {
		loc := locale.For(l)
		yes := loc.T("tui.key.yes_letter")
		for _, id := range []string{"tui.request.cancel_keys", "tui.contacts.leave_keys"} {
			if s := loc.T(id); !strings.HasPrefix(s, yes+":") && !strings.HasPrefix(s, yes+"\u00a0:") {
				t.Errorf("%s: %s = %q, not led by %q", l, id, s, yes)
			}
		}
	}
}

// TestQuotedInEachLanguage: a value quoted as typed is written in the
// reader's quotes: « abc » in French (it was "abc", which French
// typography does not use), "abc" in English and Portuguese, an
// invisible character still escaped, a quote mark inside no longer
// escaped in « ».
func TestQuotedInEachLanguage(t *testing.T) {
	for _, c := range []struct {
		q      locale.Quoted
		en, fr string
	}{
		{`"abc"`, `"abc"`, "«\u00a0abc\u00a0»"},
		{`"x\u202e"`, `"x\u202e"`, "«\u00a0x\\u202e\u00a0»"},
		{`"a\"b"`, `"a\"b"`, "«\u00a0a\"b\u00a0»"},
		{`"a\\"`, `"a\\"`, "«\u00a0a\\\\\u00a0»"},
	} {
		if got := c.q.In(locale.For(locale.EN)); got != c.en {
			t.Errorf("%s in English: %q, want %q", c.q, got, c.en)
		}
		if got := c.q.In(locale.For(locale.PT)); got != c.en {
			t.Errorf("%s in Portuguese: %q, want %q", c.q, got, c.en)
		}
		if got := c.q.In(locale.For(locale.FR)); got != c.fr {
			t.Errorf("%s in French: %q, want %q", c.q, got, c.fr)
		}
	}
	if got := locale.For(locale.FR).T("err.lang", locale.Args{"Value": locale.Quoted(`"de"`)}); !strings.HasPrefix(got, "«\u00a0de\u00a0» n'est pas") {
		t.Errorf("a refusal quoting a value, in French: %q", got)
	}
}

// TestEveryLanguageIsComplete: each language the desk offers is found
// again from its code, its $LANG and its Accept-Language, has its own
// localizer, name and numbers' separators, and is named in the
// catalogues. A language added to the list without one of these would
// read as English, or write 42,50 € as "4250 €", and nothing else says
// so.
func TestEveryLanguageIsComplete(t *testing.T) {
	en := locale.IDs(locale.EN)
	for _, l := range locale.Langs {
		tag := l.Tag().String()
		if got, ok := locale.Parse(string(l)); got != l || !ok {
			t.Errorf("%s: Parse(%q) = %s %v", l, l, got, ok)
		}
		if got, ok := locale.FromEnv(func(k string) string {
			if k == "LANG" {
				return strings.ReplaceAll(tag, "-", "_") + ".UTF-8"
			}
			return ""
		}); got != l || !ok {
			t.Errorf("%s: LANG=%s reads as %s %v", l, tag, got, ok)
		}
		if got, ok := locale.FromAcceptLanguage(tag + ";q=0.9"); got != l || !ok {
			t.Errorf("%s: Accept-Language %s reads as %s %v", l, tag, got, ok)
		}
		if got := locale.For(l).Lang(); got != l {
			t.Errorf("%s: its localizer writes %s", l, got)
		}
		if l.Name() == string(l) || l.Name() == "" {
			t.Errorf("%s: no name of its own: %q", l, l.Name())
		}
		if a := locale.For(l).Amount(4250); !strings.Contains(a, "42") || strings.Contains(a, "4250") {
			t.Errorf("%s: 42.50 is written %q: no decimal separator", l, a)
		}
		if id := "word.lang." + string(l); !slices.Contains(en, id) {
			t.Errorf("%s: the catalogues have no %s", l, id)
		}
		if len(locale.HelpCatalogue(l)) == 0 {
			t.Errorf("%s: no help catalogue", l)
		}
	}
}
