package model

import (
	"context"

	"contactdesk/locale"
)

// Lang is the language an account is addressed in: its screens and the
// mails written to it. It is locale's: the screens and the mails write
// with locale.For(a.Lang).
type Lang = locale.Lang

// The languages the desk speaks. Portuguese is European Portuguese
// (pt-PT), the language of the page this product follows.
const (
	LangPT = locale.PT
	LangEN = locale.EN
	LangFR = locale.FR
)

// Langs lists the languages the desk speaks.
var Langs = locale.Langs

// DefaultLang is the language of an account opened without one, on a
// desk that sets none of its own.
const DefaultLang = locale.Default

// ParseLang reads a language code whatever its case: pt, en or fr, and
// the regional forms people write (pt-PT, pt_PT, en-GB, fr-FR…).
func ParseLang(s string) (Lang, error) {
	if l, ok := locale.Parse(s); ok {
		return l, nil
	}
	return "", fail(ErrInvalid, "lang", "err.lang", locale.Args{"Value": quoteTyped(s)})
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
