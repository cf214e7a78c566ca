package model

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"contactdesk/locale"
)

// TestEveryRoleIsKnownEverywhere: the roles are listed once (Roles),
// but the model writes, checks and reads them back in places no
// compile error ties to that list: a service's contact of the role, who
// may change it, its word in the catalogues, the history lines and
// ending reasons that name it, read back in every language. A role
// added to Roles alone fails here, naming what it lacks — as a refusal
// "only the admin or the billing contact can change the billing
// contact", given for the new role, would otherwise have told no test.
func TestEveryRoleIsKnownEverywhere(t *testing.T) {
	en, pt := locale.IDs(locale.EN), locale.For(locale.PT)
	const holder, other Handle = "hh11111-ovh", "oo22222-ovh"
	for _, r := range Roles {
		if id := "word.role." + string(r); !slices.Contains(en, id) {
			t.Errorf("%s: the catalogues have no %s", r, id)
		}
		if got, err := ParseRole(strings.ToUpper(string(r))); got != r || err != nil {
			t.Errorf("%s: ParseRole reads %q, %v", r, got, err)
		}
		s := Service{Name: "example.pt", Admin: "aa00000-ovh"}
		s.SetContact(r, holder)
		if got := s.Contact(r); got != holder {
			t.Errorf("%s: SetContact then Contact: %q", r, got)
		}
		if err := MayChange(s, holder, r); err != nil {
			t.Errorf("%s: its contact may not change it: %v", r, err)
		}
		err := MayChange(s, other, r)
		if !errors.Is(err, ErrNotYourRole) || !strings.Contains(err.Error(), "the "+r.In(english)+" ") {
			t.Errorf("%s: the refusal of another account does not name the role: %v", r, err)
		}
		if rs, ok := rolesOf(string(r)); !ok || !slices.Equal(rs, []Role{r}) {
			t.Errorf("%s: a history line's roles read back as %v %v", r, rs, ok)
		}
		line := string(r) + " contact of example.pt: " + string(holder) + " -> " + string(other)
		if m := detailMessage(HistoryEntry{Action: ActContactChange, Detail: line}); m.IsZero() {
			t.Errorf("%s: the history line %q is not read back", r, line)
		}
		moved := "the " + string(r) + " contact of example.pt is no longer " + string(holder) + " (it is now " + string(other) + ")"
		if got := reasonOfText(moved).In(pt); got == moved {
			t.Errorf("%s: the reason %q is not read back", r, moved)
		}
	}
}

// TestEveryLangIsReadBack: the history line of a change of language
// reads back, in every language, for each language the desk speaks.
func TestEveryLangIsReadBack(t *testing.T) {
	for _, l := range Langs {
		line := "language set to " + string(l)
		if m := detailMessage(HistoryEntry{Action: ActLang, Detail: line}); m.IsZero() {
			t.Errorf("%s: the history line %q is not read back", l, line)
		}
	}
}

// TestEveryStateAndTypeHasItsWord: each state a request is seen in and
// each service type is written in the catalogues (word.state.…,
// word.type.…), which TestEveryMessageUsed of locale can't check: it
// sees the code name only the prefix.
func TestEveryStateAndTypeHasItsWord(t *testing.T) {
	en := locale.IDs(locale.EN)
	for _, s := range States {
		if id := "word.state." + string(s); !slices.Contains(en, id) {
			t.Errorf("the catalogues have no %s", id)
		}
	}
	for _, typ := range ServiceTypes {
		if id := "word.type." + typ; !slices.Contains(en, id) {
			t.Errorf("the catalogues have no %s", id)
		}
	}
}
