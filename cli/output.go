package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
)

// The JSON shapes of the command line are a public contract: support
// staff script them. Fields may be added, never renamed.

type amount model.Cents

// MarshalJSON writes cents as a number with two decimals: 42.50.
func (a amount) MarshalJSON() ([]byte, error) { return []byte(model.FormatAmount(model.Cents(a))), nil }

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

type accountJSON struct {
	Handle  string `json:"handle"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Owes    amount `json:"owes"`
	Created string `json:"created"`
	Lang    string `json:"lang"`
}

func accountOut(a model.Account) accountJSON {
	return accountJSON{Handle: string(a.Handle), Name: a.Name, Email: a.Email, Owes: amount(a.Owes), Created: rfc(a.Created), Lang: string(a.Lang)}
}

type serviceJSON struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Admin   string   `json:"admin"`
	Tech    string   `json:"tech"`
	Billing string   `json:"billing"`
	Pending bool     `json:"pending"`
	Roles   []string `json:"roles"`
}

func roleStrings(rs []model.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

type partyJSON struct {
	Handle   string `json:"handle"`
	Answer   string `json:"answer"`
	Answered string `json:"answered"`
	As       string `json:"as"`
}

type requestJSON struct {
	ID        int64       `json:"id"`
	Service   string      `json:"service"`
	Type      string      `json:"type"`
	Roles     []string    `json:"roles"`
	From      string      `json:"from"`
	To        string      `json:"to"`
	Requester string      `json:"requester"`
	State     string      `json:"state"`
	Created   string      `json:"created"`
	Expires   string      `json:"expires"`
	Ended     string      `json:"ended"`
	Reason    string      `json:"reason"`
	Parties   []partyJSON `json:"parties"`
	Awaiting  []string    `json:"awaiting"`
}

func requestOut(r model.Request) requestJSON {
	j := requestJSON{ID: r.ID, Service: r.Service, Type: r.Type, Roles: roleStrings(r.Roles), From: string(r.From), To: string(r.To),
		Requester: string(r.Requester), State: string(r.State), Created: rfc(r.Created), Expires: rfc(r.Expires), Ended: rfc(r.Ended),
		Reason: r.Reason, Parties: []partyJSON{}, Awaiting: []string{}}
	for _, p := range r.Parties {
		j.Parties = append(j.Parties, partyJSON{Handle: string(p.Handle), Answer: string(p.Answer), Answered: rfc(p.Answered), As: r.PartyLabel(p.Handle)})
	}
	for _, h := range r.Awaited() {
		j.Awaiting = append(j.Awaiting, string(h))
	}
	return j
}

type mailJSON struct {
	ID            int64  `json:"id"`
	To            string `json:"to"`
	Address       string `json:"address"`
	Subject       string `json:"subject"`
	Date          string `json:"date"`
	Body          string `json:"body"`
	Request       *int64 `json:"request"`
	Token         string `json:"token"`
	Link          string `json:"link"`
	Kind          string `json:"kind"`
	Read          bool   `json:"read"`
	Delivery      string `json:"delivery,omitempty"`
	DeliveryError string `json:"delivery_error,omitempty"`
	// TokenWithheld: the token went to the recipient's own inbox, and
	// token is empty (real delivery).
	TokenWithheld bool `json:"token_withheld"`
	// TokenRemoved: the token was in the simulated mailbox only, and was
	// removed from it when real delivery began (token is empty).
	TokenRemoved bool `json:"token_removed"`
	// TokenReplaced: a newer mail brought the recipient a new token for
	// the same request (a resend), and this mail's token no longer works.
	TokenReplaced bool `json:"token_replaced"`
	// TokenEnded: what the token answers no longer waits for it (the
	// request: answered already, or ended; the change of e-mail address:
	// confirmed, refused or expired), and it no longer works.
	TokenEnded bool `json:"token_ended"`
	// TokenAnswered: the recipient answered the request, which still
	// waits for other parties (token_ended is true as well); false once
	// it ended.
	TokenAnswered bool `json:"token_answered"`
	// CredentialID: of a mail carrying a code that validates a consumer
	// key (kind credential-code), that key's number (credentialId);
	// omitted for other mails, and for the codes mailed before it was kept.
	CredentialID int64 `json:"credential_id,omitempty"`
	// CredentialState: of such a mail, the state of its key:
	// validated, refused or expired (token_ended is true), or
	// pendingValidation; "" (omitted) once the key is no more (revoked,
	// or gone a day after it expired: token_ended is true).
	CredentialState string `json:"credential_state,omitempty"`
}

func mailOut(m model.Mail) mailJSON {
	j := mailJSON{ID: m.ID, To: string(m.To), Address: m.Address, Subject: m.Subject, Date: rfc(m.Date), Body: m.Body,
		Token: m.Token, Link: m.Link, Kind: m.Kind, Read: m.Read, Delivery: m.Delivery, DeliveryError: m.DeliveryError,
		TokenWithheld: m.TokenWithheld, TokenRemoved: m.TokenRemoved, TokenReplaced: m.TokenReplaced, TokenEnded: m.TokenEnded,
		TokenAnswered: m.TokenAnswered, CredentialID: m.CredentialID, CredentialState: m.CredentialState}
	if m.RequestID != 0 {
		id := m.RequestID
		j.Request = &id
	}
	return j
}

type historyJSON struct {
	At      string `json:"at"`
	Actor   string `json:"actor"`
	Action  string `json:"action"`
	Service string `json:"service"`
	Request *int64 `json:"request"`
	Detail  string `json:"detail"`
}

func historyOut(e model.HistoryEntry) historyJSON {
	j := historyJSON{At: rfc(e.At), Actor: string(e.Actor), Action: e.Action, Service: e.Service, Detail: e.Detail}
	if e.RequestID != 0 {
		id := e.RequestID
		j.Request = &id
	}
	return j
}

type ownerJSON struct {
	Service string `json:"service"`
	Admin   string `json:"admin"`
	Holder  string `json:"holder"`
	Address string `json:"address"`
	Phone   string `json:"phone"`
	Email   string `json:"email"`
}

// writeJSON writes v as indented JSON. Every string is inert: what
// encoding/json leaves as it is and a terminal could act on (DEL, the C1
// controls such as U+009B, text-direction overrides, the byte-order mark)
// is escaped as \u009b; a script decoding it gets the text unchanged.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeUnsafe(b.Bytes()))
	return err
}

// escapeUnsafe escapes, in JSON that encoding/json wrote (valid UTF-8,
// C0 controls already escaped), the runes a terminal could act on. They
// can only stand inside strings, where \uXXXX means the same rune.
func escapeUnsafe(b []byte) []byte {
	plain := true
	for _, c := range b {
		if c >= 0x7F {
			plain = false
			break
		}
	}
	if plain {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x7F && (text.IsControl(r) || text.IsBidiControl(r) || r == 0xFEFF || r == 0x2028 || r == 0x2029) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// inertWriter is the writer of every command's human output: it cleans
// each write with text.Clean, the cleaning the terminal app draws with,
// so that text read from the database (written there by an older version,
// say, or by hand) can't move the cursor, retitle the terminal or hide
// what follows. Commands clean their fields too; this is the one place
// nothing gets past.
type inertWriter struct{ w io.Writer }

func (i inertWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(i.w, text.Clean(string(p), true)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// stdoutWriter is the command's standard output, as every command writes
// it (JSON, human output, a help page, a completion script): it
// remembers the first write that failed (a full disk, a file over its
// quota, a pipe closed) and writes nothing more, each write after it
// failing the same. Run checks it once the command has run, so that
// output lost is never exit 0 (outputFailure).
type stdoutWriter struct {
	w   io.Writer
	err error
}

func (s *stdoutWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	s.err = err
	return n, err
}

// fileSink is the standard output file as fang's help sees it: a file
// (term.File), which it colours for what it is (a terminal), written
// through the sink. (It does not embed the file: io.WriteString and
// io.Copy would find the file's own WriteString and ReadFrom.)
type fileSink struct {
	f    *os.File
	sink *stdoutWriter
	// fang's words, translated (see helpOut)
	out *helpOut
}

func (f fileSink) Write(p []byte) (int, error) {
	if _, err := f.sink.Write(f.out.translate(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (f fileSink) Read(p []byte) (int, error) { return f.f.Read(p) }
func (f fileSink) Close() error               { return f.f.Close() }
func (f fileSink) Fd() uintptr                { return f.f.Fd() }

// failOnClosedPipe makes a write to a closed pipe fail (EPIPE), which
// would otherwise end the process at once, for a command that must know
// (a secret shown once), until the function it returns is called. (Go
// ends a program on SIGPIPE from its standard output, as C programs
// end, unless it is notified of the signal.)
func failOnClosedPipe() (stop func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGPIPE)
	return func() { signal.Stop(c) }
}

// outputErr is why the command's output was not all written, or nil.
func (a *app) outputErr() error {
	if a.sink == nil {
		return nil
	}
	return a.sink.err
}

// outputFailure is what a command that returned err ends with, given its
// output: when a write of it failed and the command said nothing else
// (err is nil, or that write's own error), the refusal "writing the
// output: …", which says whether the command changed something all the
// same; else err.
func (a *app) outputFailure(err error) error {
	why := a.outputErr()
	var f *failure
	if why == nil || (err != nil && (!errors.Is(err, why) || errors.As(err, &f))) {
		return err
	}
	if a.changed.Load() {
		return fails("output_changed", nil, why)
	}
	return fails("output", nil, why)
}

// mapJSON turns a list into its JSON shapes; an empty list is [] (never null).
func mapJSON[T, J any](xs []T, f func(T) J) []J {
	out := make([]J, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// table writes aligned columns. Every cell is made safe for a terminal.
//
// Columns are as wide as their widest cell on the terminal, two spaces
// apart: text/tabwriter counts a character one column, so a name with
// an emoji (two) or a combining accent (none) pushed or pulled the rest
// of its row out of line.
//
// A cell of a column i with cut[i] > 0 is cut to that many columns, … at
// its end, when it is wider (see app.table); the header is not.
func table(w io.Writer, header []string, rows [][]string, cut map[int]int) {
	all := append([][]string{header}, rows...)
	var widths []int
	for _, r := range all {
		for i := range r {
			if r[i] = text.Line(r[i]); i >= len(widths) {
				widths = append(widths, 0)
			}
			if n := cut[i]; n > 0 && ansi.StringWidth(r[i]) > n {
				r[i] = ansi.Truncate(r[i], n, "…")
			}
			widths[i] = max(widths[i], ansi.StringWidth(r[i]))
		}
	}
	var b strings.Builder
	for _, r := range all {
		b.Reset()
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+2))
			}
		}
		// a last cell left empty leaves no spaces at the line's end
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// tableCut is how wide a cell of a table shown on a terminal may be, in
// a column of text people gave (cutColumns).
const tableCut = 48

// cutColumns are the columns (cli.col.<id>) a table on a terminal may cut:
// text people gave, a name, an address, a key's comment. Never a word
// support staff copy into a command (a handle, a service's name, a
// fingerprint, an application key, a setting's value), which is always
// whole.
var cutColumns = map[string]bool{"name": true, "email": true, "comment": true}

// table writes a table of the command's output for people, of the
// columns named (cli.col.<id>, see header). On a terminal, a cell wider
// than tableCut columns in a column of cutColumns, but the last, is cut,
// … at its end: one long value (an e-mail address of 254 characters, a
// name of 200, which a customer may give) made its column that wide in
// every row, and every line of the table wrapped, the columns after it
// scattered over the lines below. The last column wraps alone, and is
// left whole. Piped or redirected, every cell is whole, for the script
// reading it (--json says everything, exactly).
func (a *app) table(ids []string, rows [][]string) {
	var cut map[int]int
	if f, ok := a.tty.(*os.File); ok && term.IsTerminal(f.Fd()) {
		for i, id := range ids {
			if cutColumns[id] && i < len(ids)-1 {
				if cut == nil {
					cut = map[int]int{}
				}
				cut[i] = tableCut
			}
		}
	}
	table(a.out, a.header(ids...), rows, cut)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func handles(hs []model.Handle) string {
	ss := make([]string, len(hs))
	for i, h := range hs {
		ss[i] = string(h)
	}
	return strings.Join(ss, ", ")
}

// handleList writes handles in a sentence as l joins a list: "a, b e c",
// "a, b et c", "a, b and c" (handles, with commas alone, is for a table's
// cell).
func handleList(l *locale.Localizer, hs []model.Handle) string {
	ws := make([]any, len(hs))
	for i, h := range hs {
		ws[i] = string(h)
	}
	return l.List(ws...)
}

// describe writes what a request is and where it stands, for people.
func (a *app) describe(w io.Writer, r model.Request) {
	l := a.l
	fmt.Fprintln(w, a.T("cli.request.head", locale.Args{"ID": r.ID, "Roles": model.RoleWords(r.Roles), "Service": r.Service,
		"Type": model.ServiceType(r.Type), "From": r.From, "To": r.To}))
	label := a.labels("cli.request.label.", "state", "requester", "created", "expires", "ended", "parties")
	fmt.Fprintf(w, "  %s%s", label("state"), a.stateWord(r.State))
	if r.Reason != "" {
		fmt.Fprintf(w, " (%s)", text.Line(model.ReasonOf(r).In(l)))
	}
	fmt.Fprintln(w)
	// A time alone on its line says UTC after it, as the app's request
	// page, the web page and the mails write it (a table says so in its
	// column's header).
	fmt.Fprintf(w, "  %s%s\n  %s%s\n", label("requester"), r.Requester, label("created"), l.Stamp(r.Created))
	if r.State == model.StateValidating {
		fmt.Fprintf(w, "  %s%s\n", label("expires"), l.Stamp(r.Expires))
	} else {
		fmt.Fprintf(w, "  %s%s\n", label("ended"), l.Stamp(r.Ended))
	}
	fmt.Fprintf(w, "  %s\n", strings.TrimRight(label("parties"), " "))
	// A party of an ended request that never answered is not "pending":
	// nothing awaits it any more.
	answerOf := func(p model.Party) string {
		if p.Answer == model.AnswerPending && r.State.Ended() {
			return a.T("cli.request.no_answer")
		}
		return p.Answer.In(l)
	}
	answerW := 9
	for _, p := range r.Parties {
		answerW = max(answerW, len([]rune(answerOf(p))))
	}
	for _, p := range r.Parties {
		answer := answerOf(p)
		fmt.Fprintf(w, "    %-14s %s  %s\n", p.Handle, answer+strings.Repeat(" ", answerW-len([]rune(answer))), r.Why(p.Handle).In(l))
	}
	if aw := r.Awaited(); len(aw) > 0 {
		fmt.Fprintln(w, "  "+a.T("cli.request.waiting", locale.Args{"Awaited": handleList(a.l, aw)}))
	}
}

// progressArgs are the arguments of a progress line: the share done,
// padded so that the line keeps its width, and the counts.
func progressArgs(done, total int) locale.Args {
	return locale.Args{"Percent": fmt.Sprintf("%3d", done*100/max(total, 1)), "Done": locale.Number(done), "Total": locale.Number(total)}
}

// header is a table's header, in the output's language: the columns'
// names (cli.col.<id>). A column of times (l.DateTime, UTC) is named
// with "(UTC)" in every language: "DATE (UTC)", "DATA (UTC)".
func (a *app) header(ids ...string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = a.T("cli.col." + id)
	}
	return out
}
