package model

import (
	"context"
	"strings"
)

// Lang is the language an account is addressed in: its screens and the
// mails written to it.
type Lang string

// The languages the desk speaks. Portuguese is European Portuguese
// (pt-PT), the language of the page this product follows.
const (
	LangPT Lang = "pt"
	LangEN Lang = "en"
	LangFR Lang = "fr"
)

// Langs lists the languages the desk speaks.
var Langs = []Lang{LangPT, LangEN, LangFR}

// DefaultLang is the language of an account opened without one.
const DefaultLang = LangEN

// ParseLang reads a language code whatever its case: pt, en or fr, and
// the regional forms people write (pt-PT, pt_PT, en-GB, fr-FR…).
func ParseLang(s string) (Lang, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(v, "-_."); i > 0 {
		v = v[:i]
	}
	for _, l := range Langs {
		if Lang(v) == l {
			return l, nil
		}
	}
	return "", fail(ErrInvalid, "lang", "%q is not a language the desk speaks: use pt, en or fr", clip(s))
}

// SetLang changes the language actor is addressed in.
func (d *Desk) SetLang(ctx context.Context, actor Handle, lang string) (Account, error) {
	return write(ctx, d, ActLang, func(tx Tx, w *work) (Account, error) {
		l, err := ParseLang(lang)
		if err != nil {
			return Account{}, err
		}
		a, err := actorAccount(tx, actor)
		if err != nil {
			return Account{}, err
		}
		if err := tx.SetLang(actor, l); err != nil {
			return Account{}, err
		}
		a.Lang = l
		w.touch(actor)
		return a, d.record(tx, w, actor, ActLang, 0, 0, "language set to "+string(l))
	})
}
