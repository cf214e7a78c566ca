package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
	"contactdesk/storage"
	"contactdesk/storage/postgres"
)

// Exit codes: the command line's contract with scripts.
const (
	exitOK      = 0 // done
	exitRefused = 1 // refused, not found or failed: one line on stderr, nothing changed; or the output not written (outputFailure)
	exitMisused = 2 // called wrongly: the message and the command's usage
)

// usageError is a mistake in how a command was called: exit code 2, with
// the usage of cmd (of the command that ran, when cmd is nil). It is
// said in the language of whoever reads it (report); its Error is
// English.
type usageError struct {
	say func(l *locale.Localizer) string
	cmd *cobra.Command
}

func (e *usageError) Error() string { return e.say(locale.For(locale.EN)) }

// misuse makes a usage error of cmd: message cli.misuse.ID of the
// catalogues.
func misuse(cmd *cobra.Command, id string, args ...locale.Args) *usageError {
	return &usageError{say: func(l *locale.Localizer) string { return l.T("cli.misuse."+id, args...) }, cmd: cmd}
}

// misuseText makes a usage error of cmd whose words come from elsewhere
// (cobra, a parser's error), said as they are in every language.
func misuseText(cmd *cobra.Command, format string, args ...any) *usageError {
	msg := fmt.Sprintf(format, args...)
	return &usageError{say: func(*locale.Localizer) string { return msg }, cmd: cmd}
}

// failure is a refusal of the command line's own (exit 1): what a file,
// a folder or an address does not allow, said by message cli.fail.ID in
// the reader's language. Its cause, when there is one (the system's
// reason, as in "permission denied"), is argument Err, said as it is, and
// what errors.Is and errors.As find beneath it. Error is English.
type failure struct {
	id    string
	args  locale.Args
	cause error
}

func fails(id string, args locale.Args, cause ...error) *failure {
	f := &failure{id: id, args: args}
	if len(cause) > 0 {
		f.cause = cause[0]
	}
	return f
}

func (f *failure) In(l *locale.Localizer) string {
	args := locale.Args{}
	for k, v := range f.args {
		args[k] = v
	}
	if f.cause != nil {
		args["Err"] = said(f.cause, l)
	}
	return l.T("cli.fail."+f.id, args)
}

// said is what err says in l's language: a refusal of the model, or an
// error that can say itself (a failure), in it; any other as it is.
func said(err error, l *locale.Localizer) string {
	var w locale.Word
	if e, ok := err.(syscall.Errno); ok { // a map key must compare: not any error
		if id, ok := errnos[e]; ok {
			return l.T("cli.errno." + id)
		}
	}
	switch {
	case model.IsRefusal(err):
		return model.Localize(err, l)
	case errors.As(err, &w):
		return w.In(l)
	}
	return err.Error()
}

// errnos are the system's reasons a failure gives as they are (the
// command line passes the bare reason: "can't read FILE: no such file or
// directory"), said in the reader's language, by message cli.errno.ID,
// whose English is the system's own words.
var errnos = map[syscall.Errno]string{
	syscall.ENOENT:  "not_exist",
	syscall.EACCES:  "permission",
	syscall.EPERM:   "not_permitted",
	syscall.EISDIR:  "is_dir",
	syscall.ENOTDIR: "not_dir",
	syscall.ENOSPC:  "no_space",
	syscall.EROFS:   "read_only",
	syscall.EEXIST:  "exists",
}

// saying is an error given as a message's argument: said in the
// reader's language (said).
type saying struct{ err error }

func (s saying) In(l *locale.Localizer) string { return said(s.err, l) }

func (f *failure) Error() string { return f.In(locale.For(locale.EN)) }
func (f *failure) Unwrap() error { return f.cause }

// misuseErr makes a usage error of cmd that says err, after prefix when
// there is one: a refusal of the model in the reader's language, any
// other error as it is.
func misuseErr(cmd *cobra.Command, prefix string, err error) *usageError {
	return &usageError{cmd: cmd, say: func(l *locale.Localizer) string {
		if prefix != "" {
			return prefix + ": " + said(err, l)
		}
		return said(err, l)
	}}
}

// flagError turns what pflag says about a bad flag into a usage error
// that names the flag and, for a bad value, the accepted form (which the
// flag's Value says in its error).
func flagError(cmd *cobra.Command, err error) error {
	var (
		notExist *pflag.NotExistError
		noValue  *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
	)
	switch {
	case errors.As(err, &notExist):
		name := notExist.GetSpecifiedName()
		if s := notExist.GetSpecifiedShortnames(); s != "" {
			return misuse(cmd, "unknown_short_flag", locale.Args{"Name": name})
		}
		if near := flagSuggestion(cmd, name); near != "" {
			return misuse(cmd, "unknown_flag_near", locale.Args{"Name": name, "Near": near})
		}
		return misuse(cmd, "unknown_flag", locale.Args{"Name": name})
	case errors.As(err, &noValue):
		return misuse(cmd, "flag_needs_value", locale.Args{"Name": noValue.GetFlag().Name})
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		cause := errors.Unwrap(invalid)
		var twice *repeatedFlag
		if errors.As(cause, &twice) && f.Name == "token" {
			// a token, mailed to its reader, is never written out
			return misuse(cmd, "flag_twice_token", nil)
		}
		if errors.As(cause, &twice) {
			return misuse(cmd, "flag_twice", locale.Args{"Name": f.Name, "First": locale.Quoted(text.Quote(twice.first, 200)), "Second": locale.Quoted(text.Quote(invalid.GetValue(), 200))})
		}
		var fe *flagValueError
		if f.Value.Type() == "bool" {
			fe = accepts("bool", locale.Args{"Name": f.Name}) // not strconv.ParseBool's words
		}
		if fe != nil || errors.As(cause, &fe) {
			return misuse(cmd, "flag_takes", locale.Args{"Name": f.Name, "Accepted": fe, "Value": locale.Quoted(text.Quote(invalid.GetValue(), 200))})
		}
		return misuseText(cmd, "--%s %s: %v", f.Name, text.Quote(invalid.GetValue(), 200), cause)
	}
	return misuseText(cmd, "%s", err.Error())
}

// flagSuggestion names the flag of cmd nearest to a misspelled one, or
// "".
func flagSuggestion(cmd *cobra.Command, name string) string {
	best, bestD := "", 3
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if d := distance(name, f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	})
	return best
}

// distance is the Levenshtein distance between a and b, for suggestions
// (cobra's own is not exported).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// isDir reports whether path names a directory (through a symbolic
// link too): given where a file is expected, it is refused saying so,
// rather than with the system's "read DIR: is a directory".
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// keyFile refuses, with failure what_directory or what_no_folder, the
// path of a key file to be made at first need that is a folder, or
// whose folder is not there: a mistyped path, which is not made for it
// (the folders a typo names would be left behind, and the file kept
// where nobody will look for it).
func keyFile(path, what string) error {
	if isDir(path) {
		return fails(what+"_directory", locale.Args{"Path": path})
	}
	if dir := filepath.Dir(path); !isDir(dir) {
		return fails(what+"_no_folder", locale.Args{"Path": path, "Folder": dir})
	}
	return nil
}

// exitCode is the exit code of a command that returned err.
func exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		return exitMisused
	default:
		return exitRefused
	}
}

// report writes why a command failed. On a terminal, fang's error box;
// anywhere else (a script, a log) one plain line that starts with
// "contactdesk: ", and for a misuse the command's usage after it.
func (a *app) report(w io.Writer, styles fang.Styles, root *cobra.Command, err error, terminal bool) {
	msg := a.refusal(err)
	usage := ""
	var ue *usageError
	if errors.As(err, &ue) {
		// a misuse comes with the usage, in the help's language
		msg = ue.say(a.l)
		cmd := ue.cmd
		if cmd == nil {
			cmd = a.cmd
		}
		if cmd == nil {
			cmd = root
		}
		usage = usageOf(cmd, a.l)
	}
	msg = message(msg)
	if terminal {
		// fang's box (its DefaultErrorHandler would capitalize the
		// message and add a full stop to it), headed in the reader's
		// language (fang's says ERROR above a Portuguese message).
		text := styles.ErrorText.UnsetTransform()
		fmt.Fprintln(w, styles.ErrorHeader.SetString(a.T("cli.error_heading")).String())
		fmt.Fprintln(w, text.Render(msg))
		fmt.Fprintln(w)
		if usage != "" {
			fmt.Fprintln(w, text.Render(strings.TrimSuffix(usage, "\n")))
			fmt.Fprintln(w)
		}
		return
	}
	fmt.Fprintf(w, "contactdesk: %s\n%s", msg, usage)
}

// usageFlags is the annotation that holds the flags of a command's usage
// line: those it needs, then the optional ones in brackets. (They are
// left out of Use, which fang lists the commands by.)
const usageFlags = "usage-flags"

// usageOf is the short usage a misuse is shown with:
// "usage: contactdesk request show ID --as HANDLE [--json]".
func usageOf(cmd *cobra.Command, l *locale.Localizer) string {
	var b strings.Builder
	line := cmd.Root().Name()
	if cmd.HasParent() {
		line = cmd.Parent().CommandPath() + " " + cmd.Use
	}
	if f := cmd.Annotations[usageFlags]; f != "" {
		line += " " + f
	}
	if cmd.HasAvailableSubCommands() {
		// as the help says it: "[command]", "[comando]" (see placeholders)
		line += " " + strings.ToUpper(placeholder(l.Lang(), "command"))
	}
	fmt.Fprintln(&b, l.T("cli.usage.line", locale.Args{"Line": line}))
	if cmd.Short != "" {
		fmt.Fprintf(&b, "  %s\n", cmd.Short)
	}
	fmt.Fprintln(&b, l.T("cli.usage.more", locale.Args{"Command": cmd.CommandPath()}))
	return b.String()
}

// maxMessage is how much of a message is shown: far more than any the
// command line writes itself, far less than an argument of 128 KB it
// may be quoting.
const maxMessage = 600

// message makes an error's text fit to show: on one line, cut at
// maxMessage characters, with no password, inert.
func message(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	// cut between what a reader sees as characters (text.Shorten)
	return inert(redact(text.Shorten(s, maxMessage)))
}

// inert writes what a terminal would act on — escape sequences, control
// characters, text-direction overrides, invalid bytes — as Go escapes
// (\x1b, \u202e, \xff), so that a message echoing what was typed (an
// unknown flag, a path) shows it without moving the cursor, changing the
// title or hiding text. Everything else is left as it is.
func inert(s string) string {
	if text.Unsafe(s) == "" {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case text.Unsafe(string(r)) != "":
			b.WriteString(strings.Trim(strconv.QuoteRune(r), "'"))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Passwords in URLs (postgres://u:pw@host/db, smtp://u:pw@host) and in
// connection strings (password=pw): redact replaces them with ***.
var (
	// (a scheme's "//" may be short of a slash or two: postgres:/u:pw@…)
	urlPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*:/{0,2}[^:/@\s]*):\S*@`)
	kvPassword  = regexp.MustCompile(`(?i)(password=)[^\s&'"]*`)
)

// redact removes every password a URL or connection string in s holds,
// whatever the password is: the command line writes nothing to stdout or
// stderr without it.
func redact(s string) string {
	if !strings.Contains(s, "@") && !strings.Contains(strings.ToLower(s), "password=") {
		return s
	}
	s = urlPassword.ReplaceAllString(s, "$1:***@")
	return kvPassword.ReplaceAllString(s, "${1}***")
}

// redactWriter redacts passwords from everything written through it (the
// log lines of serve, the sender's warnings).
type redactWriter struct{ w io.Writer }

func (r redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// errorJSON is what a command given --json writes on stderr when it
// fails, one line: {"error":{"message":…,"kind":…}}. Message is what
// the line without --json says, in the reader's language; Kind a word
// that never changes with it, for scripts (errorKind); Reason, for a
// refusal of the desk's rules, which one (refusalReasons); Field the
// input it is about, when it says.
type errorJSON struct {
	Error struct {
		Message string `json:"message"`
		Kind    string `json:"kind"`
		Reason  string `json:"reason,omitempty"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// The kinds of error --json names (errorJSON's kind), a public contract:
// add, never rename.
const (
	kindUsage       = "usage"       // called wrongly (exit 2)
	kindNotFound    = "not_found"   // no such request, service, mail, account…
	kindInvalid     = "invalid"     // a value the rules refuse
	kindForbidden   = "forbidden"   // not yours to do: a role, a token, payments not up to date
	kindConflict    = "conflict"    // clashes with what is: pending, ended, answered, exists, changed meanwhile
	kindLimit       = "limit"       // too many tries or mails: passes with time
	kindStorage     = "storage"     // the desk's database: not there, not a desk, locked, damaged, failed
	kindMaybeSaved  = "maybe_saved" // the database went silent while saving: read it back
	kindInterrupted = "interrupted" // stopped by a signal
	kindOutput      = "output"      // the output could not be written (and, said so, what came of the change)
	kindFailed      = "failed"      // anything else: a file, a folder, an address refused
)

// refusalReasons name the model's kinds of refusal (errorJSON's reason)
// and the kind of error each is, in the order errors.Is tries them.
var refusalReasons = []struct {
	err          error
	reason, kind string
}{
	{model.ErrNotFound, "not_found", kindNotFound},
	{model.ErrUnknownAccount, "unknown_account", kindNotFound},
	{model.ErrInvalid, "invalid", kindInvalid},
	{model.ErrNotDomain, "not_domain", kindInvalid},
	{model.ErrCredentials, "credentials", kindForbidden},
	{model.ErrNotYourRole, "not_your_role", kindForbidden},
	{model.ErrNotRequester, "not_requester", kindForbidden},
	{model.ErrNotAdmin, "not_admin", kindForbidden},
	{model.ErrNotUpToDate, "not_up_to_date", kindForbidden},
	{model.ErrWrongToken, "wrong_token", kindForbidden},
	{model.ErrTokenUsed, "token_used", kindForbidden},
	{model.ErrTokenReplaced, "token_replaced", kindForbidden},
	{model.ErrTokenNotYours, "token_not_yours", kindForbidden},
	{model.ErrExists, "exists", kindConflict},
	{model.ErrAlreadyContact, "already_contact", kindConflict},
	{model.ErrPending, "pending", kindConflict},
	{model.ErrEnded, "ended", kindConflict},
	{model.ErrAlreadyAnswered, "already_answered", kindConflict},
	{model.ErrChanged, "changed", kindConflict},
	{model.ErrThrottled, "throttled", kindLimit},
	{model.ErrMailLimit, "mail_limit", kindLimit},
}

// errorKind is the kind of err (errorJSON's), and for a refusal of the
// rules its reason.
func errorKind(err error) (kind, reason string) {
	var (
		ue *usageError
		f  *failure
	)
	switch {
	case errors.As(err, &ue):
		return kindUsage, ""
	case model.IsRefusal(err):
		for _, r := range refusalReasons {
			if errors.Is(err, r.err) {
				return r.kind, r.reason
			}
		}
		return kindInvalid, ""
	case errors.As(err, &f):
		switch {
		case strings.HasPrefix(f.id, "interrupted"):
			return kindInterrupted, ""
		case strings.HasPrefix(f.id, "output"):
			return kindOutput, ""
		case strings.HasPrefix(f.id, "db_"), f.id == "no_database", f.id == "empty_database", f.id == "no_desk":
			return kindStorage, ""
		}
		return kindFailed, ""
	case errors.Is(err, model.ErrMaybeSaved):
		return kindMaybeSaved, ""
	case errors.Is(err, model.ErrStorage), errors.Is(err, model.ErrNewerSchema),
		errors.Is(err, storage.ErrNotOurs), errors.Is(err, storage.ErrMissing),
		errors.Is(err, storage.ErrReadOnlyFile), errors.Is(err, storage.ErrBusy), errors.Is(err, storage.ErrDamaged),
		// a PostgreSQL desk's, met while it is opened
		errors.Is(err, postgres.ErrUnreachable), errors.Is(err, postgres.ErrMissing),
		errors.Is(err, postgres.ErrBusy), errors.Is(err, postgres.ErrLost):
		return kindStorage, ""
	}
	return kindFailed, ""
}

// jsonAsked reports whether the command line asks for JSON: --json,
// as the command read it, or when its flags could not be read (a
// misuse), as it stands among the arguments before "--".
func (a *app) jsonAsked() bool {
	if a.cmd != nil {
		if f := a.cmd.Flags().Lookup("json"); f != nil {
			return f.Changed && f.Value.String() == "true" || !f.Changed && a.jsonTaken
		}
	}
	for _, arg := range a.args {
		if arg == "--" {
			break
		}
		if v, ok := strings.CutPrefix(arg, "--json"); ok && (v == "" || v[0] == '=') {
			on, err := strconv.ParseBool(strings.TrimPrefix(v, "="))
			return v == "" || err == nil && on
		}
	}
	return false
}

// reportJSON writes why a command given --json failed: one line of JSON
// (errorJSON) on w, the message as report would say it, without the
// usage (a script reads the kind, usage, instead).
func (a *app) reportJSON(w io.Writer, err error) {
	var j errorJSON
	msg := a.refusal(err)
	var ue *usageError
	if errors.As(err, &ue) {
		msg = ue.say(a.l)
	}
	j.Error.Message = message(msg)
	j.Error.Kind, j.Error.Reason = errorKind(err)
	if model.IsRefusal(err) {
		j.Error.Field = model.FieldOf(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(j) // strings: no error
	w.Write(escapeUnsafe(b.Bytes()))
}

// noteJSON is what a command given --json writes on stderr for a note
// meant for people (an API secret key made, a mail not delivered), one
// line each: {"note":{"message":…}}. With it every line on stderr is
// JSON, the error's ({"error":…}, errorJSON) included, so that a script
// that reads stderr as JSON is not stopped by a note (it was a plain
// line, which jq refused before reaching the error). A public contract,
// as errorJSON: add, never rename.
type noteJSON struct {
	Note struct {
		Message string `json:"message"`
	} `json:"note"`
}

// notesWriter is the commands' stderr (under redactWriter): as it is,
// but for a command given --json, where each line becomes a noteJSON.
type notesWriter struct {
	a    *app
	w    io.Writer
	mu   sync.Mutex // the mail sender's goroutine writes too
	part []byte     // a line not ended yet
}

func (n *notesWriter) Write(p []byte) (int, error) {
	if !n.a.jsonAsked() {
		return n.w.Write(p)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.part = append(n.part, p...)
	for {
		i := bytes.IndexByte(n.part, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := strings.TrimPrefix(strings.TrimRight(string(n.part[:i]), "\r"), "contactdesk: ")
		n.part = n.part[i+1:]
		if strings.TrimSpace(line) == "" {
			continue
		}
		var j noteJSON
		j.Note.Message = message(line)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(j) // a string: no error
		if _, err := n.w.Write(escapeUnsafe(b.Bytes())); err != nil {
			return 0, err
		}
	}
}
