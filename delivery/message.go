package delivery

import (
	"bytes"
	"fmt"
	"io"
	"net/mail"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"contactdesk/model"
	"contactdesk/model/text"
)

// ParseFrom reads the sender's address, with or without a display name
// ("Contact desk <desk@example.com>").
func ParseFrom(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || !strings.Contains(a.Address, "@") || strings.HasPrefix(a.Address, "@") || strings.HasSuffix(a.Address, "@") {
		return nil, fmt.Errorf("%q is not a sender address such as desk@example.com or \"Contact desk <desk@example.com>\"", s)
	}
	return a, nil
}

// MessageID is the Message-ID of an outbox entry's message, without the
// angle brackets. It is the same on every try, so that a receiver can
// tell copies apart; the time the mail was queued keeps two databases
// from giving the same id to their mail number 1.
func MessageID(e model.OutboxEntry, from *mail.Address) string {
	addr := asciiAddress(from.Address)
	domain := addr[strings.LastIndexByte(addr, '@')+1:]
	return fmt.Sprintf("contactdesk.%d.%s@%s", e.Mail.ID, strconv.FormatInt(e.Queued.UnixNano(), 36), domain)
}

// ThreadID names the thread of the mails of an outbox entry's request,
// without the angle brackets: every mail of one request (its tokens,
// those sent again, its outcome) refers to it, so that a mail client
// shows them as one conversation, as a forge's notifications of one
// issue are. The request's number and the time it was made keep two
// desks' requests apart. It is "" for a mail about no request.
//
// Clients that thread by References (mutt, Thunderbird, Apple Mail) do;
// Gmail and Outlook.com group only mails of one subject, Gmail those
// that also refer to one thread (Google's "Threading changes in Gmail
// conversation view", 2019: "have the same subject"; a shared stem such
// as "Request #9 for example.com: …" is not the same subject). The
// mails of a request keep subjects of their own, each saying what its
// mail is (asked, sent again, done, ended), and so stay apart there:
// one subject for all would have Gmail fold the fresh token's mail
// under the old one's, its subject no longer saying which is which.
func ThreadID(e model.OutboxEntry, from *mail.Address) string {
	if e.Mail.RequestID == 0 || e.RequestCreated.IsZero() {
		return ""
	}
	addr := asciiAddress(from.Address)
	domain := addr[strings.LastIndexByte(addr, '@')+1:]
	return fmt.Sprintf("contactdesk.request.%d.%s@%s", e.Mail.RequestID, strconv.FormatInt(e.RequestCreated.UnixNano(), 36), domain)
}

// Message builds the message of an outbox entry: a plain-text mail from
// from to the address the mail was stored with (the account's address
// when the mail was written: a resend after a change of address goes to
// the new one), dated when this try claimed it (e.Updated, just before
// handing it to the server; model.Desk.ClaimMails), or when it was
// written if that is later. A mail that waited in the outbox (a server
// down for hours) so arrives at the top of an inbox sorted by date, not
// among older mail, and no spam filter counts its age against it; the
// mailbox keeps the time it was written. The body is the mailbox's as
// it was written, with the token and the link: the desk forgets them
// when the message is handed to the server (model.Desk.HandOver).
func Message(e model.OutboxEntry, from *mail.Address) (*gomail.Msg, error) {
	m := e.Mail
	// quoted-printable, go-mail's default, said: WriteMessage counts on it
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithEncoding(gomail.EncodingQP))
	// a domain beyond ASCII in IDNA's ASCII form, as a mail client
	// sends it: any server takes it, SMTPUTF8 or not
	msg.FromMailAddress(&mail.Address{Name: from.Name, Address: asciiAddress(from.Address)})
	if err := msg.To(asciiAddress(m.Address)); err != nil {
		return nil, fmt.Errorf("%q is not an address a mail can be sent to", m.Address)
	}
	msg.Subject(subjectText(m.Subject))
	date := m.Date
	if e.Updated.After(date) {
		date = e.Updated
	}
	msg.SetDateWithValue(date)
	msg.SetMessageIDWithValue(MessageID(e, from))
	if id := ThreadID(e, from); id != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, "<"+id+">")
		msg.SetGenHeader(gomail.HeaderReferences, "<"+id+">")
	}
	msg.SetUserAgent("contactdesk")
	// RFC 3834: a machine wrote it; autoresponders keep quiet. Not all
	// of them read Auto-Submitted: vacation(1), procmail's and older
	// Sieve scripts read Precedence; Exchange and Outlook read
	// X-Auto-Response-Suppress, whose OOF and AutoReply hold back their
	// out-of-office and rule replies (and not the non-delivery reports,
	// which the operator's mailbox should still get).
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(gomail.HeaderPrecedence, "bulk")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "OOF, AutoReply")
	msg.SetBodyString(gomail.TypeTextPlain, text.Clean(m.Body, true))
	return msg, nil
}

// WriteMessage writes msg, a message Message built, as the server is
// handed it: with every line of its body that starts with "From "
// written "=46rom " instead, which quoted-printable (the body's
// encoding) reads as the same "From ". A mailbox in the mbox format
// (Postfix's local delivery, procmail, /var/mail, Dovecot's mbox) starts
// each message with a line "From ", so a delivery agent writes ">From "
// for such a line of a body, and the reader sees the ">" (">From now
// on contactdesk writes to the new address."). RFC 2049 (section 3,
// rule 8) asks for this encoding; go-mail's, mime/quotedprintable's,
// has no such rule, hence this pass over the message written whole (a
// few kilobytes).
func WriteMessage(w io.Writer, msg *gomail.Msg) (int64, error) {
	var b bytes.Buffer
	if _, err := msg.WriteTo(&b); err != nil {
		return 0, err
	}
	raw := b.Bytes()
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		head, body := raw[:i+4], raw[i+4:]
		// only a header line could start with "From" without a space
		// before it ("From:"); a body line, only under quoted-printable
		raw = append(head[:len(head):len(head)], escapeFrom(body)...)
	}
	n, err := w.Write(raw)
	return int64(n), err
}

// qpLine is the longest line of quoted-printable, "=" of a soft line
// break included (RFC 2045, section 6.7, rule 5).
const qpLine = 76

// escapeFrom writes "=46rom " for "From " at the start of each line of
// body, quoted-printable, breaking again (a soft line break) a line that
// this makes longer than qpLine: go-mail's lines are up to qpLine long,
// and one two characters longer is what spam filters count against a
// mail (SpamAssassin's MIME_QP_LONG_LINE). The break is never inside an
// "=XX", nor before another "From ".
func escapeFrom(body []byte) []byte {
	lines := bytes.Split(body, []byte("\r\n"))
	out := make([][]byte, 0, len(lines))
	for _, l := range lines {
		if !bytes.HasPrefix(l, []byte("From ")) {
			out = append(out, l)
			continue
		}
		l = append([]byte("=46"), l[1:]...)
		if len(l) > qpLine {
			k := qpLine - 1 // and the break's "="
			for l[k-1] == '=' || l[k-2] == '=' || bytes.HasPrefix(l[k:], []byte("From ")) {
				k--
			}
			out = append(out, append(l[:k:k], '='))
			l = l[k:]
		}
		out = append(out, l)
	}
	return bytes.Join(out, []byte("\r\n"))
}

// subjectText is a mail's subject as its message's header carries it:
// on one line, without what could reorder, hide or act on what a mail
// client shows (control characters, escape sequences, bidi overrides:
// text.Line), and, should it go beyond ASCII or hold "=?", encoded whole
// (RFC 2047), so that text that only looks like an RFC 2047
// encoded-word is shown as it reads, never decoded into other words. The
// model refuses all of these in what users type (service names,
// handles); this keeps a row written behind its back from reaching a
// recipient's header.
//
// It encodes itself rather than leave it to go-mail, whose encoded-words
// are 75 characters from the first: one that long does not fit beside
// "Subject: ", so go-mail folded before it and left the Subject line
// empty, which readers that keep the space folded in after the colon
// (Python's email package) show before the subject. The first word here
// fits on that line (firstWord), those after it on a line each.
func subjectText(s string) string {
	s = text.Line(s)
	if text.IsASCII(s) && !strings.Contains(s, "=?") {
		return s // folded by go-mail between words
	}
	// Encoded-words of at most 75 characters (RFC 2047 section 2), the
	// first at most firstWord, a character never split between two,
	// separated by spaces, where the header is folded; the spaces
	// between them are not shown.
	const head, tail = "=?UTF-8?q?", "?="
	var words []string
	var w strings.Builder
	limit := firstWord
	for _, r := range s {
		var enc string
		switch {
		case r == ' ':
			enc = "_"
		case r >= '!' && r <= '~' && r != '=' && r != '?' && r != '_':
			enc = string(r) // as mime.QEncoding writes it
		default:
			for _, b := range []byte(string(r)) {
				enc += fmt.Sprintf("=%02X", b)
			}
		}
		if w.Len() > 0 && len(head)+w.Len()+len(enc)+len(tail) > limit {
			words = append(words, head+w.String()+tail)
			w.Reset()
			limit = 75
		}
		w.WriteString(enc)
	}
	return strings.Join(append(words, head+w.String()+tail), " ")
}

// firstWord is the longest first word of a subject that go-mail leaves
// on the Subject line: it folds before a word when what is left of the
// line's 76 characters, after "Subject: ", would be 1 or less
// (msgWriter.writeHeader). TestSubjectStartsOnItsOwnLine checks it.
const firstWord = 76 - len("Subject: ") - 4
