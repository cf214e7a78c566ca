package api

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"contactdesk/model"
	"contactdesk/model/text"
)

// A route's query parameters. Each route takes only those its table
// names, each once, each of its form; anything else is refused (400)
// before the route runs, as the provider refuses "not described
// parameters": a mistyped or repeated filter never widens or narrows a
// list without a word, and a call that changes something changes
// nothing.

// param is a query parameter a route takes.
type param struct {
	name string
	// form says what it takes, after "<name> must be ".
	form string
	// parse reads a value: its canonical form (what two values are
	// compared by), or false when it is not of the parameter's form.
	parse func(string) (string, bool)
}

// params are the query parameters of one route, in the order a refusal
// looks at them; none: the route takes no query parameter.
type params []param

// oneOf is a parameter that takes one of values, exactly as written.
func oneOf(name string, values []string) param {
	return param{name: name, form: "one of " + strings.Join(values, ", "), parse: func(v string) (string, bool) {
		return v, slices.Contains(values, v)
	}}
}

// handleParam is a parameter that takes a NIC handle, whatever its case.
func handleParam(name string) param {
	return param{name: name, form: "a NIC handle: two letters, digits, -ovh (xx11111-ovh)", parse: func(v string) (string, bool) {
		h, err := model.ParseHandle(v)
		return string(h), err == nil
	}}
}

// The parameters of the routes that take some.
var (
	// GET /me/task/contactChange's filters.
	taskFilters = params{handleParam("askingAccount"), oneOf("state", taskStates), handleParam("toAccount")}
	// GET /me/task/emailChange's filter.
	emailFilters = params{oneOf("state", emailStates)}
)

// read checks r's query string against ps: it answers the values given,
// by name (each canonical, once), or the refusal of the first problem:
// a query string that can't be read, then parameters the route does not
// take (all of them named), then, parameter by parameter, a value not
// of its form or two different values.
func (ps params) read(r *http.Request) (map[string]string, *Error) {
	if r.URL.RawQuery == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badParameter("the query string can't be read: it must be name=value pairs joined by &, with %XX escapes")
	}
	var unknown []string
	for name := range q {
		if !slices.ContainsFunc(ps, func(p param) bool { return p.name == name }) {
			unknown = append(unknown, paramName(name))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, notTaken(unknown, ps.takes())
	}
	out := map[string]string{}
	for _, p := range ps {
		vs, ok := q[p.name]
		if !ok {
			continue
		}
		for i, v := range vs {
			c, ok := p.parse(v)
			switch {
			case !ok:
				return nil, badParameter(p.name + " must be " + p.form)
			case i == 0:
				out[p.name] = c
			case c != out[p.name]:
				return nil, badParameter(p.name + " is given twice (" + text.Quote(vs[0], 60) + ", then " + text.Quote(v, 60) + "): give it once")
			}
		}
	}
	return out, nil
}

// takes says which parameters the route takes.
func (ps params) takes() string {
	if len(ps) == 0 {
		return "this call takes no query parameters"
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.name
	}
	return "this call takes only " + strings.Join(names, ", ")
}

// maxNamed is the most names a refusal of those not taken names.
const maxNamed = 10

// notTaken refuses the names a call does not take (query parameters or a
// body's fields, each as paramName wrote it), in the provider's words
// and in the order given, then says what it takes (takes): ten named,
// the others counted, so that thousands of them make a message of a
// line.
func notTaken(unknown []string, takes string) *Error {
	if n := len(unknown); n > maxNamed {
		unknown = append(unknown[:maxNamed], "and "+strconv.Itoa(n-maxNamed)+" more")
	}
	return badParameter("Received not described parameters: (" + strings.Join(unknown, ", ") + "); " + takes)
}

func badParameter(msg string) *Error { return fail(http.StatusBadRequest, "INVALID_PARAMETER", msg) }

// plainName is a parameter's name that a message may show as it is.
var plainName = regexp.MustCompile(`^[A-Za-z0-9_.\-\[\]]{1,60}$`)

// paramName is a name the caller gave, for a message: as it is when
// plain, quoted (and shortened) otherwise.
func paramName(name string) string {
	if plainName.MatchString(name) {
		return name
	}
	return text.Quote(name, 60)
}
