package postgres

import (
	"strings"

	"contactdesk/model"
)

// The payload of a write's NOTIFY on Channel is the writing node's name,
// then what the write changed:
//
//	"3f2a…"                                  anything may have changed
//	"3f2a… touched xx11111-ovh yy22222-ovh"  what these accounts' screens show
//	"3f2a… touched"                          nothing any screen shows
//
// The name alone is what every contactdesk sent before nodes said what
// they touched, and an older node takes any payload but its own name for
// "anything may have changed": during a rolling upgrade, old and new
// nodes understand each other (the old ones reload every screen, as
// before). A node takes a payload it does not read (a newer format, a
// NOTIFY typed by hand) for "anything" too.
const touchedWord = "touched"

// maxPayload is the longest payload PostgreSQL takes (it refuses one of
// 8000 bytes or more); a write that touched more accounts than fit is
// announced as "anything may have changed".
const maxPayload = 7999

// payload is the NOTIFY's payload of a write of node that touched hs, or
// (not announced) anything.
func payload(node string, announced bool, hs []model.Handle) string {
	if !announced {
		return node
	}
	var b strings.Builder
	b.WriteString(node + " " + touchedWord)
	for _, h := range hs {
		if !plain(string(h)) {
			return node // not a handle as the model writes them: anything
		}
		b.WriteString(" " + string(h))
		if b.Len() > maxPayload {
			return node
		}
	}
	return b.String()
}

// readPayload reads a payload: the node that sent it, and the accounts
// touched, or all when it says "anything" or can't be read.
func readPayload(p string) (node string, hs []model.Handle, all bool) {
	fs := strings.Split(p, " ")
	node = fs[0]
	if len(fs) < 2 || fs[1] != touchedWord {
		return node, nil, true
	}
	for _, f := range fs[2:] {
		if _, err := model.ParseHandle(f); err != nil || !plain(f) {
			return node, nil, true
		}
		hs = append(hs, model.Handle(f))
	}
	return node, hs, false
}

// plain reports whether s is made of lower-case ASCII letters, digits and
// '-' only, as a handle is (model.ParseHandle): nothing to quote in SQL.
func plain(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
