package locale

import (
	"testing"
)

// named is a value with a String method, as the model's handles and
// states may be: fmt writes it through String, so text/template does.
type named string

func (n named) String() string { return "<" + string(n) + ">" }

// TestTextsWrittenWithoutTemplateAreGoI18ns checks that every message of
// every catalogue written without text/template (Localizer.fill) reads
// as go-i18n writes it, whatever its arguments hold: strings, numbers,
// a Word, a value with a String method; and that a value fill might
// write otherwise (missing, nil, a pointer) is left to go-i18n.
func TestTextsWrittenWithoutTemplateAreGoI18ns(t *testing.T) {
	n := 42
	values := []any{"xara.pt", "example.com", "ab12345-ovh", 12345, int64(-7), M("word.role.tech"), named("ab12345-ovh"), 3.5, true, nil, &n}
	checked := 0
	for _, lang := range Langs {
		l := For(lang)
		for _, id := range IDs(lang) {
			names, _ := Placeholders(lang, id)
			if len(names) == 0 {
				continue
			}
			// each value for every argument, then a mix of them
			for i := 0; i <= len(values); i++ {
				a := Args{}
				for j, name := range names {
					if name == "N" {
						continue // a count: go-i18n's own way
					}
					if i < len(values) {
						a[name] = values[i]
					} else {
						a[name] = values[j%len(values)]
					}
				}
				if len(a) == 0 {
					continue
				}
				got := l.T(id, a)
				want := l.template(id, a)
				if got != want {
					t.Errorf("%s %s with %#v:\n got %q\nwant %q", lang, id, a, got, want)
				}
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d texts checked", checked)
	}
	if len(For(EN).simple) < 200 {
		t.Errorf("only %d messages written without text/template", len(For(EN).simple))
	}
}
