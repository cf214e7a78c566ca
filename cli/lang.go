package cli

import (
	"errors"
	"strings"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
)

// The command line writes its human output in the language of its
// environment, as POSIX says ($LC_ALL, else $LC_MESSAGES, else $LANG;
// English when none names pt, en or fr): tables, the lines that say what
// was done, and the refusals of the rules on stderr (after the fixed
// "contactdesk: "). Its JSON never changes with the language: it is a
// contract. The help, the usage of a misuse (exit 2) and the messages of
// the server's operations (serve, key, apikey, migrate) stay English,
// the language of the flags and commands they name.

// T writes message id in the language of the command line's output.
func (a *app) T(id string, args ...locale.Args) string { return a.l.T(id, args...) }

// labels returns a function that writes each label of ids followed by
// its colon and padded to the widest of them: "state:     " in English,
// the block of labels aligned in any language.
func (a *app) labels(prefix string, ids ...string) func(id string) string {
	w := 0
	for _, id := range ids {
		w = max(w, len([]rune(a.T(prefix+id))))
	}
	return func(id string) string {
		l := a.T(prefix + id)
		return l + strings.Repeat(" ", w-len([]rune(l))+1)
	}
}

// refusal is what the command line says of an error: a refusal of the
// rules in the language of its output, anything else as it is.
func (a *app) refusal(err error) string {
	var f *failure
	if errors.As(err, &f) {
		return f.In(a.l)
	}
	if model.IsRefusal(err) {
		return model.Localize(err, a.l)
	}
	msg := strings.TrimPrefix(err.Error(), model.ErrStorage.Error()+": ")
	if s, ok := storageSaid(err, msg, a.l); ok {
		return s
	}
	return msg
}

// stateWord is a request's state as the output names it: the API's name
// in English, the state's word in the other languages.
func (a *app) stateWord(s model.State) string { return text.Line(s.In(a.l)) }

// action names a history action: the history's own name in English, a
// word in the other languages (the app's); another tool's as it is.
func (a *app) action(s string) string {
	if a.l.Lang() == locale.EN {
		return s // what --json, the API and support's scripts name it
	}
	if id := "tui.action." + s; a.l.Has(id) {
		return a.T(id)
	}
	return s
}

// actorWord names who made a history entry in the human output: an
// account by its handle; the desk itself and its support staff in the
// output's language, as the app's history names them ("sistema",
// "système"). --json keeps "system" and "support", what scripts read.
func (a *app) actorWord(h model.Handle) string {
	if h == model.SystemActor || h == model.SupportActor {
		if id := "tui.actor." + string(h); a.l.Has(id) {
			return a.T(id)
		}
	}
	return string(h)
}
