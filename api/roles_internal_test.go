package api

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"contactdesk/model"
)

// TestEveryRoleHasItsNames: each role of the model has the provider's
// name in a task's contactTypes, a field of serviceInfos and one of
// changeContact's body (contactAdmin…). A role added to model.Roles
// alone would be "" in contactTypes, missing from serviceInfos, and
// impossible to ask for through the API, and no other test says so.
func TestEveryRoleHasItsNames(t *testing.T) {
	tags := func(v any) []string {
		var ts []string
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			ts = append(ts, strings.Split(typ.Field(i).Tag.Get("json"), ",")[0])
		}
		return ts
	}
	infos, body := tags(serviceInfos{}), tags(changeContactBody{})
	seen := map[string]bool{}
	for _, r := range model.Roles {
		if n := contactTypes[r]; n == "" || seen[n] {
			t.Errorf("%s: contactTypes names it %q", r, n)
		} else {
			seen[n] = true
		}
		field := "contact" + strings.ToUpper(string(r)[:1]) + string(r)[1:]
		if !slices.Contains(infos, field) {
			t.Errorf("%s: serviceInfos has no %s", r, field)
		}
		if !slices.Contains(body, field) {
			t.Errorf("%s: changeContact's body takes no %s", r, field)
		}
	}
}
