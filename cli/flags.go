package cli

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"contactdesk/locale"
	"contactdesk/model"
)

// The flags' values parse themselves, so that a bad one is a misuse
// (exit 2) whose message names the flag and the accepted form, from
// whichever command it was given to.

// flagValueError is a value a flag does not accept. It says what the
// flag does accept (message cli.accepts.ID), as it reads after "--flag
// takes ", in the language of the misuse that quotes it.
type flagValueError struct {
	id   string
	args locale.Args
}

func accepts(id string, args ...locale.Args) *flagValueError {
	e := &flagValueError{id: id}
	if len(args) > 0 {
		e.args = args[0]
	}
	return e
}

func (e *flagValueError) In(l *locale.Localizer) string { return l.T("cli.accepts."+e.id, e.args) }
func (e *flagValueError) Error() string                 { return e.In(locale.For(locale.EN)) }

// durationValue is a duration flag: a number of seconds, minutes, hours
// or days (90s, 15m, 48h, 15d) within [min, max]. Every duration flag
// takes this one syntax.
type durationValue struct {
	d        *time.Duration
	min, max time.Duration
	// short: its refusal gives examples of seconds and minutes (5s,
	// 20s, 1m), the others being out of its range
	short bool
}

func newDuration(d *time.Duration, def, min, max time.Duration) *durationValue {
	*d = def
	return &durationValue{d: d, min: min, max: max}
}

// newShortDuration is newDuration for a range of seconds and minutes.
func newShortDuration(d *time.Duration, def, min, max time.Duration) *durationValue {
	v := newDuration(d, def, min, max)
	v.short = true
	return v
}

func (v *durationValue) String() string {
	if v.d == nil || *v.d == 0 {
		return ""
	}
	return formatDuration(*v.d)
}

func (v *durationValue) Type() string { return "duration" }

func (v *durationValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil || d < v.min || d > v.max {
		kind := "duration"
		if v.short {
			kind = "short_duration"
		}
		return accepts(kind, locale.Args{"Min": locale.Duration(v.min), "Max": locale.Duration(v.max)})
	}
	*v.d = d
	return nil
}

// parseDuration reads 90s, 15m, 48h, 15d, or a sum of them (1h30m).
func parseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if n, rest, ok := strings.Cut(t, "d"); ok {
		// days, then what Go's durations say (1d12h, 2d30m)
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 100_000 {
			return 0, fmt.Errorf("not a number of days")
		}
		var more time.Duration
		if rest != "" {
			if more, err = time.ParseDuration(rest); err != nil || more < 0 {
				return 0, fmt.Errorf("not a duration after the days")
			}
		}
		return time.Duration(days)*24*time.Hour + more, nil
	}
	return time.ParseDuration(t)
}

// formatDuration writes d in the flags' syntax, in its largest whole
// unit: 15d, 48h, 30m, 90s (Go's own, 1h30m0s, for the rest).
func formatDuration(d time.Duration) string {
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if d >= u.unit && d%u.unit == 0 {
			return fmt.Sprintf("%d%s", d/u.unit, u.name)
		}
	}
	return d.String()
}

// intValue is a whole-number flag within [min, max]; accepted says what
// the number counts, for the message.
type intValue struct {
	n        *int
	min, max int
	accepted *flagValueError
}

func newInt(n *int, def, min, max int, accepted *flagValueError) *intValue {
	*n = def
	return &intValue{n: n, min: min, max: max, accepted: accepted}
}

func (v *intValue) String() string { return strconv.Itoa(*v.n) }
func (v *intValue) Type() string   { return "int" }

func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < v.min || n > v.max {
		return v.accepted
	}
	*v.n = n
	return nil
}

// amountValue is an amount of money owed: 42.50, 0 for none.
type amountValue struct{ c *model.Cents }

func (v amountValue) String() string {
	if v.c == nil || *v.c == 0 {
		return ""
	}
	return model.FormatAmount(*v.c)
}

func (v amountValue) Type() string { return "amount" }

func (v amountValue) Set(s string) error {
	c, err := model.ParseAmount(s)
	if err != nil {
		return accepts("amount")
	}
	*v.c = c
	return nil
}

// typeValue is a service type, one of model.ServiceTypes.
type typeValue struct{ s *string }

func (v typeValue) String() string { return *v.s }
func (v typeValue) Type() string   { return "type" }

func (v typeValue) Set(s string) error {
	t, err := model.CheckServiceType(s)
	if err != nil {
		return accepts("one_of", locale.Args{"List": strings.Join(model.ServiceTypes, ", ")})
	}
	*v.s = t
	return nil
}

// langValue is a language the desk speaks, one of model.Langs.
type langValue struct{ s *string }

func (v langValue) String() string { return *v.s }
func (v langValue) Type() string   { return "lang" }

func (v langValue) Set(s string) error {
	l, err := model.ParseLang(s)
	if err != nil {
		return accepts("one_of", locale.Args{"List": langList()})
	}
	*v.s = string(l)
	return nil
}

func langList() string {
	return strings.Join(langNames(), ", ")
}

// langNames are the languages' codes, as set-lang and --lang take them
// (and their completion offers them).
func langNames() []string {
	ls := make([]string, len(model.Langs))
	for i, l := range model.Langs {
		ls[i] = string(l)
	}
	return ls
}

// roleCompletions are what --role completes to: each role, then the
// pair a change of contact most often names together.
func roleCompletions() []string {
	rs := make([]string, 0, len(model.Roles)+1)
	for _, r := range model.Roles {
		rs = append(rs, string(r))
	}
	return append(rs, string(model.Tech)+","+string(model.Billing))
}

var (
	_ pflag.Value = langValue{}
	_ pflag.Value = (*durationValue)(nil)
	_ pflag.Value = (*intValue)(nil)
	_ pflag.Value = amountValue{}
	_ pflag.Value = typeValue{}
)

// singleDash writes -name as --name for every long flag name of the tree:
// the command line before cobra took Go's flag syntax, where -as and
// --as are the same, and scripts may still say -as or -json. A word that
// is the value of the flag before it is left alone.
func singleDash(root *cobra.Command, args []string) []string {
	long := map[string]bool{} // name → takes a value
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) { long[f.Name] = f.NoOptDefVal == "" })
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	long["help"] = false
	long["version"] = false
	out := make([]string, 0, len(args)) // never nil: cobra reads os.Args then
	value := false                      // this word is the value of the flag before
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if value {
			out, value = append(out, a), false
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takes, isFlag := long[name]
		if isFlag && strings.HasPrefix(a, "-") {
			if !strings.HasPrefix(a, "--") && len(name) > 1 {
				a = "-" + a
			}
			value = takes && !hasValue
		}
		out = append(out, a)
	}
	return out
}

// required refuses a command whose named flags are missing or blank, all
// of them named in one message.
func required(cmd *cobra.Command, names ...string) error {
	var missing []string
	for _, n := range names {
		if strings.TrimSpace(cmd.Flags().Lookup(n).Value.String()) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return &usageError{cmd: cmd, say: func(l *locale.Localizer) string {
			said := make([]string, len(missing))
			for i, n := range missing {
				said[i] = l.T("cli.misuse.required", locale.Args{"Name": n})
			}
			return strings.Join(said, "; ")
		}}
	}
	return nil
}

// asFlag gives cmd its --as: the account it acts as.
func asFlag(a *app, cmd *cobra.Command, as *string) {
	cmd.Flags().StringVar(as, "as", "", "the HANDLE you act as (default: $CONTACTDESK_AS)")
	cmd.RegisterFlagCompletionFunc("as", a.completeHandles)
}

// jsonFlag gives cmd its --json.
func jsonFlag(cmd *cobra.Command, json *bool) {
	cmd.Flags().BoolVar(json, "json", false, "print JSON (a contract for scripts: fields are added, never renamed)")
}

// addrValue is an address flag: HOST:PORT (HOST may be left out, for
// every address of the machine), or none when none is given. A value of
// another form is a misuse, said before anything starts; an address of
// the right form that can't be listened on is a failure of serve's.
type addrValue struct {
	s    *string
	none string // the word for no address ("" when there is none)
}

func newAddr(s *string, def, none string) *addrValue {
	*s = def
	return &addrValue{s: s, none: none}
}

func (v *addrValue) String() string { return *v.s }
func (v *addrValue) Type() string   { return "addr" }

func (v *addrValue) Set(s string) error {
	if s == v.none { // none, or "" where the default is none
		*v.s = s
		return nil
	}
	_, port, err := net.SplitHostPort(s)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		if v.none != "" {
			return accepts("listen", locale.Args{"None": v.none})
		}
		return accepts("addr")
	}
	*v.s = s
	return nil
}

// onceEach makes every flag of the tree below root a misuse when given
// twice with two values (--as xx11111-ovh --as yy22222-ovh; the same
// value twice is taken once): pflag keeps the last value
// without a word, so a script that repeats a flag by mistake would act
// as another account, on another service, or change one role of two
// (--role, which takes several, gathers them instead: see rolesValue).
func onceEach(root *cobra.Command) {
	wrap := func(f *pflag.Flag) {
		if _, done := f.Value.(*onceValue); done || f.Name == "help" {
			return
		}
		if _, many := f.Value.(*rolesValue); many {
			return
		}
		if f.Value.Type() == "stringArray" {
			return // made to be repeated, each value one more (--rule)
		}
		f.Value = &onceValue{Value: f.Value}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalNonPersistentFlags().VisitAll(wrap)
		c.PersistentFlags().VisitAll(wrap)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// onceValue is a flag's value that may be set once.
type onceValue struct {
	pflag.Value
	first string
	set   bool
}

func (v *onceValue) Set(s string) error {
	if v.set && s == v.first {
		return nil // the same again: nothing to choose between
	}
	if v.set {
		return &repeatedFlag{first: v.first}
	}
	v.set, v.first = true, s
	return v.Value.Set(s)
}

// IsBoolFlag keeps a boolean flag one that takes no value (--json).
func (v *onceValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// repeatedFlag is a flag given a second time; first is the value it had.
type repeatedFlag struct{ first string }

func (e *repeatedFlag) Error() string { return "given twice" }

// rolesValue is --role: one role or several, comma-separated, and
// gathered when the flag is repeated (--role tech --role billing is
// tech,billing), as a script building a list expects.
type rolesValue struct{ s *string }

func (v *rolesValue) String() string { return *v.s }
func (v *rolesValue) Type() string   { return "string" }
func (v *rolesValue) Set(s string) error {
	if *v.s != "" {
		s = *v.s + "," + s
	}
	*v.s = s
	return nil
}

// tokenValue is --token: the token as given, or, given "-", the first
// line of stdin, so that a script passes it out of sight of ps and of
// the shell's history (printf %s "$TOKEN" | contactdesk request accept
// 9 --token -).
type tokenValue struct {
	s     *string
	stdin func() io.Reader
}

func (v *tokenValue) String() string { return *v.s }
func (v *tokenValue) Type() string   { return "string" }
func (v *tokenValue) Set(s string) error {
	if s != "-" {
		*v.s = s
		return nil
	}
	line, err := bufio.NewReader(io.LimitReader(v.stdin(), 4096)).ReadString('\n')
	if line = strings.TrimSpace(line); line == "" {
		if err == nil || err == io.EOF {
			return accepts("token_stdin")
		}
		return err
	}
	*v.s = line
	return nil
}

// tokenFlag defines --token on cmd, with usage.
func tokenFlag(a *app, cmd *cobra.Command, token *string, usage string) {
	cmd.Flags().Var(&tokenValue{s: token, stdin: func() io.Reader { return a.stdin }}, "token", usage)
}
