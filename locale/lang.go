// Package locale is what the desk needs to speak each account's
// language: the catalogues of its texts (active.XX.toml) and of the
// command line's help (help.XX.toml), embedded in the binary, the list
// of its languages (languages, in lang.go), a Localizer per language
// that writes them with their named arguments and CLDR plurals, the
// words and numbers each language writes its own way (amounts, dates,
// durations, "2 h ago"), and the matching of what a system or a browser
// asks for ($LANG, Accept-Language) to a language the desk speaks.
//
// It is a leaf: it knows nothing of accounts, requests or screens. The
// model hands it values that know how to write themselves (Word), so that
// a refusal made once is written in the language of whoever reads it.
package locale

import (
	"strings"

	"golang.org/x/text/language"
)

// Lang is a language the desk speaks, as stored with an account.
type Lang string

// The languages the desk speaks. Portuguese is European Portuguese
// (pt-PT), the language of the page this product follows.
const (
	PT Lang = "pt"
	EN Lang = "en"
	FR Lang = "fr"
)

// languages are the languages the desk speaks, in the order they are
// offered, each with its BCP 47 tag and its name in itself. Langs, Known,
// Parse, the matching of $LANG and Accept-Language, and Name all read
// them here. A language added here also needs its catalogues
// (active.XX.toml, help.XX.toml), its numbers' separators (seps, in
// format.go), and its name in every catalogue (word.lang.XX):
// TestEveryLanguageIsComplete names what is missing.
var languages = []struct {
	lang Lang
	tag  language.Tag
	name string
}{
	{PT, language.EuropeanPortuguese, "Português"},
	{EN, language.English, "English"},
	{FR, language.French, "Français"},
}

// Langs lists the languages the desk speaks, in the order they are offered.
var Langs = func() []Lang {
	ls := make([]Lang, len(languages))
	for i, l := range languages {
		ls[i] = l.lang
	}
	return ls
}()

// Default is the language of whoever has said nothing: English.
const Default = EN

// tags are the languages' BCP 47 tags.
var tags = func() map[Lang]language.Tag {
	m := map[Lang]language.Tag{}
	for _, l := range languages {
		m[l.lang] = l.tag
	}
	return m
}()

// byIndex are the languages in the order of matching: the default
// first, so that a language the desk does not speak falls back to it,
// then the others as offered (English, Portuguese, French).
var byIndex = func() []Lang {
	ls := []Lang{Default}
	for _, l := range Langs {
		if l != Default {
			ls = append(ls, l)
		}
	}
	return ls
}()

var matcher = func() language.Matcher {
	ts := make([]language.Tag, len(byIndex))
	for i, l := range byIndex {
		ts[i] = tags[l]
	}
	return language.NewMatcher(ts)
}()

// Tag returns the language's BCP 47 tag (pt-PT for Portuguese).
func (l Lang) Tag() language.Tag {
	if t, ok := tags[l]; ok {
		return t
	}
	return tags[Default]
}

// Known reports whether the desk speaks l.
func (l Lang) Known() bool {
	_, ok := tags[l]
	return ok
}

// Parse reads a language code whatever its case: pt, en or fr, and the
// regional forms people write (pt-PT, pt_PT, en-GB, fr_FR.UTF-8…).
func Parse(s string) (Lang, bool) {
	v := strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(v, "-_.@"); i > 0 {
		v = v[:i]
	}
	l := Lang(v)
	return l, l.Known()
}

// match finds the language nearest to what tags ask for, best first;
// ok is false when the desk speaks none of them (nor a kin: pt-BR gets
// Portuguese, fr-CA French).
func match(ts ...language.Tag) (Lang, bool) {
	if len(ts) == 0 {
		return Default, false
	}
	_, i, conf := matcher.Match(ts...)
	if conf == language.No {
		return Default, false
	}
	return byIndex[i], true
}

// FromEnv returns the language of a process's messages as POSIX says:
// $LC_ALL, else $LC_MESSAGES, else $LANG — the first that is set decides
// ("pt_PT.UTF-8", "fr_CA", "C"). English when it is C or POSIX, names a
// language the desk does not speak, or when none is set; ok says whether
// one of the three named a language the desk speaks.
func FromEnv(getenv func(string) string) (l Lang, ok bool) {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			continue
		}
		return fromPOSIX(v)
	}
	return Default, false
}

// fromPOSIX reads a POSIX locale name: language[_territory][.codeset][@modifier].
func fromPOSIX(v string) (Lang, bool) {
	if i := strings.IndexAny(v, ".@"); i >= 0 {
		v = v[:i]
	}
	if v == "" || v == "C" || v == "POSIX" {
		return Default, false
	}
	t, err := language.Parse(strings.ReplaceAll(v, "_", "-"))
	if err != nil {
		return Default, false
	}
	return match(t)
}

// maxAcceptLanguages is the most entries of an Accept-Language header
// read: a browser sends a few (each language its reader chose, and its
// bare form: "pt-PT,pt;q=0.9,en;q=0.8"). Parsing and matching cost about
// 3 µs an entry, and a header of 16 KiB, the most a request may send,
// holds 5,000 ("en,en,en,…"): 15 ms of CPU for each page asked for, one
// refused past the client's rate included (its page is in the browser's
// language too), several times what the page itself costs.
const maxAcceptLanguages = 32

// FromAcceptLanguage returns the language an HTTP Accept-Language header
// prefers among those the desk speaks; ok is false when it names none.
//
// Only its first maxAcceptLanguages entries are read.
func FromAcceptLanguage(header string) (Lang, bool) {
	if entries := strings.SplitN(header, ",", maxAcceptLanguages+1); len(entries) > maxAcceptLanguages {
		header = strings.Join(entries[:maxAcceptLanguages], ",")
	}
	ts, _, err := language.ParseAcceptLanguage(header)
	if err != nil {
		return Default, false
	}
	return match(ts...)
}

// Name returns the language's name in the language itself: Português,
// English, Français. A reader looking for its own language finds it
// whatever language the screen is in.
func (l Lang) Name() string {
	for _, k := range languages {
		if k.lang == l {
			return k.name
		}
	}
	return string(l)
}

// InSentence is the language's name as a sentence in the language
// itself writes it: português and français in lower case, English as
// always.
func (l Lang) InSentence() string {
	if l == EN {
		return l.Name()
	}
	return strings.ToLower(l.Name())
}
