package model

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"contactdesk/locale"
	"contactdesk/model/text"
)

// An access rule of a consumer key lets it make the calls of one method
// on the paths its path matches, the provider's way: the path after
// /1.0, without the query; a "*" in it stands for any run of characters,
// slashes too, none included ("/me/*" matches /me/task/contactChange/12
// and /me/, not /me: the provider's clients ask for both, go-ovh's
// AddRecursiveRules so). A call is granted when one rule of its key
// matches it; a key made by support staff (api-key add) has every
// right unless it was given rules.

// APIRule is one access rule: a method and a path pattern.
type APIRule struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

// APIMethods are the methods a rule may name, the provider's four.
var APIMethods = []string{"GET", "POST", "PUT", "DELETE"}

// AllRights are the rules of a key that may make every call.
var AllRights = []APIRule{{"GET", "/*"}, {"POST", "/*"}, {"PUT", "/*"}, {"DELETE", "/*"}}

// Bounds of a key's rules: enough for a rule per route of the API and
// per service of a big account, not a body that costs every call a scan.
const (
	MaxAPIRules    = 100
	MaxAPIRulePath = 256
)

// ParseAPIRule reads a rule written METHOD:PATH (GET:/me/*), as the
// command line takes it; the method in any case.
func ParseAPIRule(s string) (APIRule, error) {
	method, path, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return APIRule{}, fail(ErrInvalid, "rule", "err.apirule.form", locale.Args{"Rule": ruleShown(s)})
	}
	return checkAPIRule(APIRule{Method: method, Path: path})
}

// ruleShown quotes a rule as typed, cleaned and cut to a readable
// length, for a refusal to show it back, in the reader's quotes (« » in
// French), as any value typed.
func ruleShown(s string) locale.Quoted {
	r := []rune(text.Line(s))
	if len(r) > 80 {
		r = append(r[:80], '…')
	}
	return locale.Quoted(strconv.Quote(string(r)))
}

func checkAPIRule(r APIRule) (APIRule, error) {
	r.Method = strings.ToUpper(strings.TrimSpace(r.Method))
	shown := ruleShown(r.Method + ":" + r.Path)
	if !slices.Contains(APIMethods, r.Method) {
		return APIRule{}, fail(ErrInvalid, "rule", "err.apirule.method", locale.Args{"Rule": shown, "Methods": strings.Join(APIMethods, ", ")})
	}
	bad := !strings.HasPrefix(r.Path, "/") || len(r.Path) > MaxAPIRulePath || !utf8.ValidString(r.Path) ||
		strings.ContainsAny(r.Path, "?#") || strings.IndexFunc(r.Path, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) >= 0 ||
		text.Unsafe(r.Path) != "" // a bidi override or an invisible character: no path has one, and it would hide what the rule allows where it is shown
	if bad {
		return APIRule{}, fail(ErrInvalid, "rule", "err.apirule.path", locale.Args{"Rule": shown, "Max": MaxAPIRulePath})
	}
	return r, nil
}

// CheckAPIRules checks the rules a key is to be given: at least one, at
// most MaxAPIRules, each of a method of APIMethods and a path that
// starts with "/" (no query, no space). The same rule twice is kept
// once.
func CheckAPIRules(rs []APIRule) ([]APIRule, error) {
	if len(rs) == 0 {
		return nil, fail(ErrInvalid, "rules", "err.apirule.none")
	}
	if len(rs) > MaxAPIRules {
		return nil, fail(ErrInvalid, "rules", "err.apirule.too_many", locale.Args{"N": len(rs), "Max": MaxAPIRules})
	}
	out := make([]APIRule, 0, len(rs))
	for _, r := range rs {
		r, err := checkAPIRule(r)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Matches reports whether the rule grants a call of method on path (the
// path after /1.0, without the query). HEAD is a GET's.
func (r APIRule) Matches(method, path string) bool {
	if method == "HEAD" {
		method = "GET"
	}
	return r.Method == method && globMatch(r.Path, path)
}

// Granted reports whether one of rules grants a call of method on path.
func Granted(rules []APIRule, method, path string) bool {
	return slices.ContainsFunc(rules, func(r APIRule) bool { return r.Matches(method, path) })
}

// globMatch matches s against pattern, in which "*" stands for any run
// of characters (none included) and every other character for itself.
// It runs in time about linear in len(pattern)+len(s): the part before
// the first star must start s, the part after the last must end it, and
// each part between stars is found, in order, at its first place left
// (strings.Index, which does not compare a part at every place of s);
// the first place is always right, as any later one leaves less room
// for the parts after it. The backtracking over the last star it
// replaces compared up to len(pattern)·len(s) characters: a key's 100
// rules "/*aaa…ab" of 256 characters against a path of 16 KiB of "a"s
// took 0.4 s of CPU for each call, however much the call was refused.
// (path.Match is no use: its "*" stops at "/", and it reads "?" and
// "[…]" as wildcards; a regexp per rule would be compiled per call.)
func globMatch(pattern, s string) bool {
	head, rest, starred := strings.Cut(pattern, "*")
	if !starred {
		return pattern == s
	}
	if !strings.HasPrefix(s, head) {
		return false
	}
	s = s[len(head):]
	middle, tail := "", rest
	if i := strings.LastIndexByte(rest, '*'); i >= 0 {
		middle, tail = rest[:i], rest[i+1:]
	}
	if !strings.HasSuffix(s, tail) {
		return false
	}
	s = s[:len(s)-len(tail)]
	for part := range strings.SplitSeq(middle, "*") {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return true
}

// RulesJSON is how rules are stored: the provider's JSON shape.
func RulesJSON(rs []APIRule) string {
	b, _ := json.Marshal(rs)
	return string(b)
}

// ParseRulesJSON reads stored rules; what can't be read grants nothing.
func ParseRulesJSON(s string) []APIRule {
	var rs []APIRule
	if json.Unmarshal([]byte(s), &rs) != nil {
		return nil
	}
	return rs
}

// RulesText writes rules for a person, the methods of one path together:
// "GET POST PUT DELETE /*", "GET /me, GET /me/*".
func RulesText(rs []APIRule) string {
	var paths []string
	methods := map[string][]string{}
	for _, r := range rs {
		if _, ok := methods[r.Path]; !ok {
			paths = append(paths, r.Path)
		}
		methods[r.Path] = append(methods[r.Path], r.Method)
	}
	parts := make([]string, len(paths))
	for i, p := range paths {
		parts[i] = strings.Join(methods[p], " ") + " " + p
	}
	return strings.Join(parts, ", ")
}
