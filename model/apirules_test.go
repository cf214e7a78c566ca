package model_test

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"contactdesk/model"
)

// TestAPIRuleMatching: the provider's access rules, a method and a path
// in which "*" stands for any rest.
func TestAPIRuleMatching(t *testing.T) {
	for _, c := range []struct {
		rule         string
		method, path string
		want         bool
	}{
		{"GET:/*", "GET", "/me", true},
		{"GET:/*", "GET", "/me/task/contactChange/12", true},
		{"GET:/*", "POST", "/me", false},
		{"GET:/*", "HEAD", "/me", true}, // a HEAD is a GET's
		{"GET:/me", "GET", "/me", true},
		{"GET:/me", "GET", "/me/task/contactChange", false},
		{"GET:/me", "GET", "/mega", false},
		{"GET:/me/*", "GET", "/me/task/contactChange/12", true},
		{"GET:/me/*", "GET", "/me", false}, // the provider's clients ask for /me and /me/* both
		{"GET:/me/*", "GET", "/me/", true},
		{"GET:/me/*", "GET", "/mega/x", false},
		{"POST:/me/task/contactChange/*/accept", "POST", "/me/task/contactChange/12/accept", true},
		{"POST:/me/task/contactChange/*/accept", "POST", "/me/task/contactChange/12/refuse", false},
		{"POST:/me/task/contactChange/*/accept", "POST", "/me/task/contactChange/12/x/accept", true},
		{"POST:/domain/example.pt/changeContact", "POST", "/domain/example.pt/changeContact", true},
		{"POST:/domain/example.pt/changeContact", "POST", "/domain/other.pt/changeContact", false},
		{"DELETE:/*", "DELETE", "/x", true},
		{"PUT:/a*b*c", "PUT", "/aXXbYYc", true},
		{"PUT:/a*b*c", "PUT", "/aXXbYYcZ", false},
		{"GET:/" + strings.Repeat("*a", 60), "GET", "/" + strings.Repeat("a", 5000) + "b", false}, // no blow-up
	} {
		r, err := model.ParseAPIRule(c.rule)
		if err != nil {
			t.Fatalf("%s: %v", c.rule, err)
		}
		if got := r.Matches(c.method, c.path); got != c.want {
			t.Errorf("%s matches %s %s: %v, want %v", c.rule, c.method, c.path, got, c.want)
		}
	}
	if !model.Granted(model.AllRights, "DELETE", "/anything/at/all") || model.Granted(nil, "GET", "/me") {
		t.Error("every right grants everything, none nothing")
	}
}

// TestAPIRuleMatchingAsARegexp: a rule's path matches what the regular
// expression its stars stand for matches (each "*" as ".*", every other
// character as itself), over many small paths and patterns drawn at
// random from the characters that make them tricky: stars side by side,
// a part that repeats, a head and a tail that overlap.
func TestAPIRuleMatchingAsARegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	draw := func(alphabet string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 20000 {
		pattern := "/" + draw("ab/**", rng.IntN(8))
		path := "/" + draw("ab/", rng.IntN(10))
		parts := strings.Split(pattern, "*")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		want := regexp.MustCompile(`^(?s)` + strings.Join(parts, ".*") + `$`).MatchString(path)
		if got := (model.APIRule{Method: "GET", Path: pattern}).Matches("GET", path); got != want {
			t.Fatalf("%q matches %q: %v, want %v", pattern, path, got, want)
		}
	}
}

// TestAPIRulesOnAHugePath: a key's most rules, each as costly to match
// as a rule's path may be (a star, then up to 251 "a"s and a "b"),
// against a path of 16 MiB of "a"s are matched in a moment. The matching
// they had before compared about 250 characters at each place of the
// path for each rule, 400 billion in all: this test would not end within
// go test's time (the API's paths are up to 16 KiB, where it cost each
// call 0.4 s of CPU: BenchmarkGrantedLongPath).
func TestAPIRulesOnAHugePath(t *testing.T) {
	rules := make([]model.APIRule, model.MaxAPIRules)
	for i := range rules {
		rules[i] = model.APIRule{Method: "GET", Path: "/*" + strings.Repeat("a", 152+i) + "b"}
	}
	rules, err := model.CheckAPIRules(rules)
	if err != nil {
		t.Fatal(err)
	}
	if model.Granted(rules, "GET", "/"+strings.Repeat("a", 16<<20)) {
		t.Error("granted a path no rule matches")
	}
	if !model.Granted(rules, "GET", "/"+strings.Repeat("a", 16<<20)+"b") {
		t.Error("refused a path the first rule matches")
	}
}

// BenchmarkGrantedLongPath: a key's most rules, each as costly as a
// rule's path can make it for a path of "a"s (a star, then 150 to 249
// "a"s and a "b"), against a path of 16 KiB (about the most a request's
// line may hold), the case that cost every call 0.4 s before.
func BenchmarkGrantedLongPath(b *testing.B) {
	rules := make([]model.APIRule, model.MaxAPIRules)
	for i := range rules {
		rules[i] = model.APIRule{Method: "GET", Path: "/*" + strings.Repeat("a", 150+i) + "b"}
	}
	rules, err := model.CheckAPIRules(rules)
	if err != nil {
		b.Fatal(err)
	}
	path := "/domain/" + strings.Repeat("a", 16<<10) + "/serviceInfos"
	for b.Loop() {
		if model.Granted(rules, "GET", path) {
			b.Fatal("granted")
		}
	}
}

func TestAPIRulesChecked(t *testing.T) {
	for _, bad := range []string{"", "GET", "GET /me", ":/me", "PATCH:/me", "GET:", "GET:me", "GET:/me me", "GET:/me?x", "GET:/me#x", "GET:/\x1b[2J", "GET:/" + strings.Repeat("a", 300),
		// what would reorder or hide what the page, the mail and the
		// list show of a rule: a bidi override, a zero-width space
		"GET:/*\u202e/em", "GET:/me\u200b/*"} {
		if _, err := model.ParseAPIRule(bad); !errors.Is(err, model.ErrInvalid) || strings.Contains(err.Error(), "\x1b") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if r, err := model.ParseAPIRule(" delete:/me/* "); err != nil || r != (model.APIRule{Method: "DELETE", Path: "/me/*"}) {
		t.Errorf("a rule in lower case: %+v %v", r, err)
	}
	if _, err := model.CheckAPIRules(nil); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("no rule: %v", err)
	}
	many := make([]model.APIRule, model.MaxAPIRules+1)
	for i := range many {
		many[i] = model.APIRule{Method: "GET", Path: "/x"}
	}
	if _, err := model.CheckAPIRules(many); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("too many rules: %v", err)
	}
	rs, err := model.CheckAPIRules([]model.APIRule{{"get", "/me"}, {"GET", "/me"}, {"GET", "/me/*"}})
	if err != nil || len(rs) != 2 {
		t.Errorf("a rule twice is kept once: %+v %v", rs, err)
	}
	if got := model.RulesText(model.AllRights); got != "GET POST PUT DELETE /*" {
		t.Errorf("every right, written: %q", got)
	}
}
