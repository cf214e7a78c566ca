package locale

import (
	"embed"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// The catalogues: one file per language, every text of the desk under a
// message ID, with named arguments ({{.ID}}, {{.Service}}) a translator
// may move about, and CLDR plural forms (one, other…) where a count
// decides the words. English is the reference: a text missing from
// another catalogue (which a test forbids) is written in English.
//
//go:embed active.*.toml
var files embed.FS

// Args are the named arguments of a message. A value that is a Word is
// written in the reader's language; anything else as fmt writes it
// (numbers without grouping: request #12345). The argument N, when
// present, is also the count that chooses a plural form.
type Args map[string]any

// Word is a value each language writes its own way: a role, a request's
// state, a duration, a whole message. The model makes refusals of them,
// and whoever shows a refusal writes it in its reader's language.
type Word interface {
	In(l *Localizer) string
}

// Message is a text not yet written in any language: a message ID of
// the catalogues and its arguments. It is a Word, so messages nest.
type Message struct {
	ID   string
	Args Args
}

// M returns the message id with args (none, or one Args).
func M(id string, args ...Args) Message {
	m := Message{ID: id}
	if len(args) > 0 {
		m.Args = args[0]
	}
	return m
}

// In writes the message in l's language.
func (m Message) In(l *Localizer) string { return l.T(m.ID, m.Args) }

// IsZero reports whether m is no message at all.
func (m Message) IsZero() bool { return m.ID == "" }

// Text is a Word that is the same in every language: a handle, a name,
// a text a user typed, a text stored long ago.
type Text string

// In returns the text as it is.
func (t Text) In(*Localizer) string { return string(t) }

// Localizer writes the desk's texts in one language.
type Localizer struct {
	lang Lang
	loc  *i18n.Localizer
	// static holds, written once, the messages that take no argument
	// and have no plural forms: most of a screen's words, drawn at every
	// frame.
	static map[string]string
	has    map[string]bool
	// simple holds, cut at their arguments, the messages whose every
	// argument is written {{.Name}} (all of the catalogues' today),
	// written without text/template when no count chooses a form
	// (fill): a mail's dozen texts took a tenth of a request's life
	// through go-i18n.
	simple map[string][]piece
}

// piece is a run of a message's text, then the argument written after
// it ("" after the last run).
type piece struct{ text, arg string }

// simpleArg matches an argument as the catalogues write it.
var simpleArg = regexp.MustCompile(`{{\.([A-Za-z_][A-Za-z0-9_]*)}}`)

// cut cuts src at its arguments; ok is false when it holds anything else
// text/template would read ({{ with spaces, a pipeline, a comment).
func cut(src string) (ps []piece, ok bool) {
	last := 0
	for _, m := range simpleArg.FindAllStringSubmatchIndex(src, -1) {
		ps = append(ps, piece{text: src[last:m[0]], arg: src[m[2]:m[3]]})
		last = m[1]
	}
	ps = append(ps, piece{text: src[last:]})
	for _, p := range ps {
		if strings.Contains(p.text, "{{") || strings.Contains(p.text, "}}") {
			return nil, false
		}
	}
	return ps, true
}

// fill writes pieces with a's values as go-i18n's text/template would:
// a Word in l's language, anything else as fmt writes it. ok is false
// for a value it might write otherwise (missing, nil, a pointer…), left
// to go-i18n.
func (l *Localizer) fill(ps []piece, a Args) (string, bool) {
	var b strings.Builder
	for _, p := range ps {
		if p.arg == "" {
			b.WriteString(p.text)
			continue
		}
		v, found := a[p.arg]
		if w, ok := v.(Word); ok && w != nil {
			v = w.In(l)
		}
		text := p.text
		if l.lang == FR && v != nil && reflect.ValueOf(v).Kind() == reflect.String {
			text, _ = elide(text, fmt.Sprint(v)) // as marked, for the template's way
		}
		b.WriteString(text)
		switch v := v.(type) {
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		default:
			if !found || v == nil {
				return "", false
			}
			switch reflect.ValueOf(v).Kind() {
			case reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
				return "", false
			}
			fmt.Fprint(&b, v)
		}
	}
	return b.String(), true
}

// catalogue is every language's messages, loaded once from files.
type catalogue struct {
	bundle     *i18n.Bundle
	messages   map[Lang]map[string]*i18n.Message
	localizers map[Lang]*Localizer
}

var cat = load()

// load reads the embedded catalogues. A catalogue that does not parse is
// a bug of the build, caught by every test: it panics.
func load() *catalogue {
	c := &catalogue{
		bundle:     i18n.NewBundle(EN.Tag()),
		messages:   map[Lang]map[string]*i18n.Message{},
		localizers: map[Lang]*Localizer{},
	}
	for _, l := range Langs {
		name := "active." + string(l) + ".toml"
		buf, err := files.ReadFile(name)
		if err != nil {
			panic(fmt.Sprintf("locale: %s: %v", name, err))
		}
		msgs, err := i18n.ParseMessageBytes(buf, toml.Unmarshal)
		if err != nil {
			panic(fmt.Sprintf("locale: %s: %v", name, err))
		}
		c.messages[l] = map[string]*i18n.Message{}
		for _, m := range msgs {
			// French and Portuguese have a plural form for millions
			// ("1 million de demandes"); no count of the desk reaches
			// it in practice, and it reads as the general plural.
			if m.Many == "" {
				m.Many = m.Other
			}
			if l == FR {
				frenchSpaces(m)
			}
			c.messages[l][m.ID] = m
		}
		if err := c.bundle.AddMessages(l.Tag(), msgs...); err != nil {
			panic(fmt.Sprintf("locale: %s: %v", name, err))
		}
	}
	for _, l := range Langs {
		loc := &Localizer{lang: l, loc: i18n.NewLocalizer(c.bundle, l.Tag().String()), static: map[string]string{}, has: map[string]bool{}, simple: map[string][]piece{}}
		for id := range c.messages[EN] {
			loc.has[id] = true
		}
		for id, m := range c.messages[l] {
			loc.has[id] = true
			if m.One == "" && m.Zero == "" && m.Two == "" && m.Few == "" && !strings.Contains(m.Other, "{{") {
				loc.static[id] = m.Other
			}
			// go-i18n writes the Other form when no count is given
			if ps, ok := cut(m.Other); ok && m.Other != "" && m.LeftDelim == "" && m.RightDelim == "" {
				loc.simple[id] = ps
			}
		}
		c.localizers[l] = loc
	}
	return c
}

// For returns the localizer of language l; English for a language the
// desk does not speak.
func For(l Lang) *Localizer {
	if loc, ok := cat.localizers[l]; ok {
		return loc
	}
	return cat.localizers[Default]
}

// Lang returns the language the localizer writes.
func (l *Localizer) Lang() Lang { return l.lang }

// Has reports whether the catalogues hold a message id (a history's
// action named by another tool has none, and is shown as it is).
func (l *Localizer) Has(id string) bool { return l.has[id] }

// T writes message id with its arguments (none, or one Args). A message
// the catalogues do not hold is written as its ID, which tests catch.
func (l *Localizer) T(id string, args ...Args) string {
	var a Args
	if len(args) > 0 {
		a = args[0]
	}
	if len(a) == 0 {
		if s, ok := l.static[id]; ok {
			return s
		}
	}
	if _, counted := a["N"]; !counted {
		if ps, ok := l.simple[id]; ok {
			if s, ok := l.fill(ps, a); ok {
				return s
			}
		}
	}
	return l.template(id, a)
}

// template writes message id with a through go-i18n and text/template:
// a Word in l's language, anything else as fmt writes it; in French,
// with the words before an argument elided where its value calls for
// it (elision.go), as fill does.
func (l *Localizer) template(id string, a Args) string {
	data := make(map[string]any, len(a))
	for k, v := range a {
		if w, ok := v.(Word); ok && w != nil {
			v = w.In(l)
		}
		if l.lang == FR && k != "N" {
			v = marked(v)
		}
		data[k] = v
	}
	lc := &i18n.LocalizeConfig{MessageID: id, TemplateData: data}
	if n, ok := a["N"]; ok {
		lc.PluralCount = count(n)
	}
	s, err := l.loc.Localize(lc)
	if s == "" && err != nil {
		return id
	}
	if l.lang == FR {
		s = elideMarked(s)
	}
	return s
}

// W is T for an Args given as pairs: W("word.scope.request", "ID", 8).
// An odd pair out is ignored.
func (l *Localizer) W(id string, pairs ...any) string {
	return l.T(id, Pairs(pairs...))
}

// Pairs makes Args of name, value pairs.
func Pairs(pairs ...any) Args {
	a := make(Args, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		if k, ok := pairs[i].(string); ok {
			a[k] = pairs[i+1]
		}
	}
	return a
}

var placeholderRE = regexp.MustCompile(`{{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*}}`)

// Placeholders lists the named arguments message id takes in language
// l, from all its plural forms, sorted; ok is false when l's catalogue
// lacks the message. Tests compare them between languages.
func Placeholders(l Lang, id string) (names []string, ok bool) {
	m, ok := cat.messages[l][id]
	if !ok {
		return nil, false
	}
	seen := map[string]bool{}
	for _, form := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		for _, sub := range placeholderRE.FindAllStringSubmatch(form, -1) {
			seen[sub[1]] = true
		}
	}
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, true
}

// IDs lists the message IDs of language l's catalogue, sorted.
func IDs(l Lang) []string {
	ids := make([]string, 0, len(cat.messages[l]))
	for id := range cat.messages[l] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Forms returns every text of message id in language l, one per plural
// form it has (for tests: a form that is empty, or names an argument in
// a way text/template does not read, is a bug).
func Forms(l Lang, id string) []string {
	m, ok := cat.messages[l][id]
	if !ok {
		return nil
	}
	var out []string
	for _, f := range []string{m.Zero, m.One, m.Two, m.Few, m.Other} {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// frenchSpaces puts the no-break space French typography wants before
// : ; ? and ! (the catalogue writes a plain one, easier to edit), so
// that a line never breaks before them.
func frenchSpaces(m *i18n.Message) {
	for _, f := range []*string{&m.Zero, &m.One, &m.Two, &m.Few, &m.Many, &m.Other} {
		*f = frenchPunctuation(*f)
	}
}

// frenchPunctuation puts the no-break space French writes before : ; ?
// and ! that end a word (not before the colon of --listen :2222).
func frenchPunctuation(s string) string { return frenchPunct.ReplaceAllString(s, "\u00a0$1$2") }

var frenchPunct = regexp.MustCompile(` ([:;?!])(\s|$)`)

// count is the plural count of an argument N: any integer, a Number or
// another Word made of one.
func count(v any) any {
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return r.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(r.Uint())
	}
	return v
}

// Quoted is a value quoted as it was typed, in Go's quotes (model/text.
// Quote: its invisible characters escaped, so that it shows what it
// is), written in the reader's quotes: "abc" in English and Portuguese,
// « abc » in French, whose typography has no "…" quotes.
type Quoted string

// In writes q in l's language's quotes.
func (q Quoted) In(l *Localizer) string {
	s := string(q)
	if l.lang != FR || len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	// inside « », a quote mark needs no escape
	return "«\u00a0" + strings.ReplaceAll(s[1:len(s)-1], `\"`, `"`) + "\u00a0»"
}
