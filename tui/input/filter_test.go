package input

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	uv "github.com/charmbracelet/ultraviolet"
)

const pasteStart = "\x1b[200~"

// capped is what a program reads of in, read through a Reader
// one byte at a time (every sequence split across reads) and at once.
func capped(t *testing.T, in string) string {
	t.Helper()
	whole, err := io.ReadAll(NewReader(strings.NewReader(in)))
	if err != nil {
		t.Fatal(err)
	}
	bytewise, err := io.ReadAll(NewReader(iotest.OneByteReader(strings.NewReader(in))))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole, bytewise) {
		t.Fatalf("read at once and byte by byte, the input differs:\n%q\n%q", whole, bytewise)
	}
	return string(whole)
}

// TestFilterPassesWhatATerminalSends: keys, a terminal's answers,
// mouse reports and pastes within their bounds pass exactly as sent.
func TestFilterPassesWhatATerminalSends(t *testing.T) {
	for _, in := range []string{
		"abc\r2jjq",
		"çé€😀 \x7f\x03",
		"\x1b", "\x1b\x1b[A", "\x1bOA\x1b[1;5C\x1b[3~",
		"\x1b[<0;12;5M\x1b[<0;12;5m",        // SGR mouse
		"\x1b[M #$q",                        // X10 mouse
		"\x1b]11;rgb:0000/0000/0000\x07",    // OSC answer, BEL
		"\x1b]11;rgb:0000/0000/0000\x1b\\x", // OSC answer, ST
		"\x1bP>|xterm(390)\x1b\\",           // DCS answer
		"\x1b_Gi=1;OK\x1b\\",                // APC answer
		"\x1b]11;unfinished\x1b[A",          // a string cut by a new sequence
		"\x1b[200~pasted\r\ntext\x1b[201~q", // a bracketed paste
		"\x1b[200~unterminated",
		"\x1b[200~" + strings.Repeat("é", maxPasteBytes/2) + "\x1b[201~",
		"\x1b]" + strings.Repeat("x", maxSeqBytes) + "\x07",
	} {
		if got := capped(t, in); got != in {
			t.Errorf("%.60q… passed as %.60q…", in, got)
		}
	}
}

// TestFilterBoundsAPaste: a bracketed paste of 1 MiB reaches the
// program as its first maxPasteBytes, ended by its marker, and what
// follows it passes; a paste never ended holds no more.
func TestFilterBoundsAPaste(t *testing.T) {
	big := strings.Repeat("a", 1<<20)
	got := capped(t, pasteStart+big+pasteEnd+"q")
	if want := pasteStart + big[:maxPasteBytes] + pasteEnd + "q"; got != want {
		t.Errorf("a paste of 1 MiB passed as %d bytes, ending %q", len(got), got[max(0, len(got)-20):])
	}
	if got := capped(t, pasteStart+big); len(got) != len(pasteStart)+maxPasteBytes {
		t.Errorf("a paste never ended passed as %d bytes", len(got))
	}
	// cut between characters, never within one
	wide := strings.Repeat("€", 1<<16)
	got = capped(t, pasteStart+wide+pasteEnd)
	body := strings.TrimSuffix(strings.TrimPrefix(got, pasteStart), pasteEnd)
	if !utf8.ValidString(body) || len(body) > maxPasteBytes+3 || len(body) < maxPasteBytes-3 {
		t.Errorf("a paste of € passed as %d bytes, valid UTF-8: %v", len(body), utf8.ValidString(body))
	}
	// an ESC of the paste's own, near the cut, is the paste's
	got = capped(t, pasteStart+big[:maxPasteBytes-2]+"\x1b[A"+big+pasteEnd)
	if want := pasteStart + big[:maxPasteBytes-2] + "[A" + pasteEnd; got != want {
		t.Errorf("a paste with an ESC near its cut: ends %q", got[max(0, len(got)-20):])
	}
}

// TestFilterBoundsASequence: an escape sequence fed without end, or
// of 1 MiB, reaches the program as its first maxSeqBytes (and its end,
// when it comes); keys after it pass.
func TestFilterBoundsASequence(t *testing.T) {
	big := strings.Repeat("9", 1<<20)
	for _, c := range []struct{ in, want string }{
		{"\x1b]" + big + "\x07q", "\x1b]" + big[:maxSeqBytes] + "\x07q"},
		{"\x1bP" + big + "\x1b\\q", "\x1bP" + big[:maxSeqBytes] + "\x1b\\q"},
		{"\x1b[" + big + "Aq", "\x1b[" + big[:maxSeqBytes] + "Aq"},
		{"\x1b_" + big, "\x1b_" + big[:maxSeqBytes]},
		{"\x1b[" + big, "\x1b[" + big[:maxSeqBytes]},
	} {
		if got := capped(t, c.in); got != c.want {
			t.Errorf("%.10q… passed as %d bytes (want %d), ending %q", c.in, len(got), len(c.want), got[max(0, len(got)-10):])
		}
	}
}

// parsed runs the terminal reader a program reads with (the same
// library, as bubbletea makes it) over in, through a Reader, and
// returns the events it made; a panic of the parser fails the test.
func parsed(t *testing.T, in string) []uv.Event {
	t.Helper()
	return parsedFrom(t, strings.NewReader(in))
}

// parsedFrom is parsed, reading r.
func parsedFrom(t *testing.T, r io.Reader) (events []uv.Event) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("the parser panicked: %v", r)
		}
	}()
	ec := make(chan uv.Event)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range ec {
			events = append(events, e)
		}
	}()
	err := uv.NewTerminalReader(NewReader(r), "xterm-256color").StreamEvents(context.Background(), ec)
	close(ec)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// TestFilterKeepsTheParserWhole: a sequence of more parameters than
// x/ansi's parser holds (32) made it index past its array: a panic in the
// program's input goroutine, which ended the whole server, from 70 bytes
// any customer could send, in a paste too. The parser now never sees
// more than maxParams of them, and a key after still arrives.
func TestFilterKeepsTheParserWhole(t *testing.T) {
	many := "\x1b[" + strings.Repeat("1;", 40) + "1m"
	dcs := "\x1bP" + strings.Repeat("1;", 40) + "1q data\x1b\\"
	for _, in := range []string{many + "q", pasteStart + many + pasteEnd + "q", dcs + "q", "\x1b[" + strings.Repeat(":", 100) + "mq"} {
		got := capped(t, in)
		if n := strings.Count(got, ";") + strings.Count(got, ":"); n >= maxParams && !strings.HasPrefix(in, pasteStart) {
			t.Errorf("%d separators passed", n)
		}
		es := parsed(t, in)
		if k, ok := es[len(es)-1].(uv.KeyPressEvent); !ok || k.Code != 'q' {
			t.Errorf("after %.20q…, the last event is %#v", in, es[len(es)-1])
		}
	}
}

// TestFilterFollowsTheParsersPaste: the parser starts a paste at any
// CSI 200 ~ (ESC[0200~, ESC[200;1~), not only at ESC[200~, and a lone
// 0x9b is its CSI: each of those opened a paste past the bound (800 MB to
// 960 MB for 50 MiB). A paste so opened is bounded too, and 8-bit
// introducers and bytes of no character never reach the parser, which
// stalled on them, holding all that followed.
func TestFilterFollowsTheParsersPaste(t *testing.T) {
	big := strings.Repeat("a", 1<<20)
	for _, start := range []string{"\x1b[0200~", "\x1b[200;1~", "\x1b[00000000000200~"} {
		got := capped(t, start+big+pasteEnd+"q")
		if len(got) > maxPasteBytes+64 || !strings.HasSuffix(got, pasteEnd+"q") {
			t.Errorf("a paste opened with %q passed %d bytes", start, len(got))
		}
		pastes := 0
		for _, e := range parsed(t, start+big+pasteEnd+"q") {
			if p, ok := e.(uv.PasteEvent); ok {
				pastes++
				if len(p.Content) > maxPasteBytes {
					t.Errorf("a paste opened with %q reached the app as %d bytes", start, len(p.Content))
				}
			}
		}
		if pastes != 1 {
			t.Errorf("a paste opened with %q made %d pastes", start, pastes)
		}
	}
	for _, stray := range []string{"\x9b200~", "\x9d", "\x90", "\x9f", "\xff", "\xc0\xaf", "\xed\xa0\x80", "é\x80"} {
		if got := capped(t, "a"+stray+"b"); !utf8.ValidString(got) {
			t.Errorf("%q passed as %q", stray, got)
		}
	}
	if got := capped(t, "a\x9b200~b"); got != "a200~b" {
		t.Errorf("a lone 8-bit CSI passed as %q", got)
	}
	// an ESC with intermediates and no end holds no more than a sequence
	if got := capped(t, "\x1b"+strings.Repeat(" ", 1<<20)); len(got) > maxSeqBytes+1 {
		t.Errorf("ESC and 1 MiB of intermediates passed %d bytes", len(got))
	}
}

// TestFilterPasteHoldsNoSequence: inside a paste no ESC reaches the
// parser but its end marker's, whole: the pasted text's own sequences
// lose their ESC, and a marker sent in two halves, a pause between
// (ESC[201, then ~ and 1 MiB), ends the paste for the filter and the
// parser at once. Before, the parser read the half it held past its ESC
// timeout as something else, stayed in the paste the filter took for
// ended, and gathered 50 MiB in it.
func TestFilterPasteHoldsNoSequence(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b[200~with \x1b[A and \x1b[20 inside\x1b[201~q": "\x1b[200~with [A and [20 inside\x1b[201~q",
		"\x1b[200~\x1b\x1b[201~":                            "\x1b[200~\x1b[201~",
		"\x1b[200~ab\x1b[201":                               "\x1b[200~ab",
	} {
		if got := capped(t, in); got != want {
			t.Errorf("%q passed as %q", in, got)
		}
	}
	r := &pausedReader{parts: []string{pasteStart + "ab\x1b[201", "~" + strings.Repeat("a", 1<<20) + pasteEnd + "q"}, pause: 300 * time.Millisecond}
	var pasted int
	for _, e := range parsedFrom(t, r) {
		if p, ok := e.(uv.PasteEvent); ok {
			pasted += len(p.Content)
		}
	}
	if pasted > maxPasteBytes {
		t.Errorf("the parser gathered a paste of %d bytes", pasted)
	}
}

// TestFilterEndsWindowsInputMode: a CSI of Windows' input mode (final
// _) reaches the parser with an unknown final byte: ultraviolet repeated
// its key by its sixth parameter, 65,535 events from 21 bytes.
func TestFilterEndsWindowsInputMode(t *testing.T) {
	in := strings.Repeat("\x1b[65;30;97;1;0;65535_", 195) + "q"
	if got := capped(t, in); strings.Contains(got, "_") {
		t.Errorf("a final _ passed: %.40q", got)
	}
	if es := parsed(t, in); len(es) > 400 {
		t.Errorf("4 KiB of Windows' input mode made %d events", len(es))
	}
}

// pausedReader returns its parts one a read, pausing before each but
// the first: a client sending a sequence in halves.
type pausedReader struct {
	parts  []string
	pause  time.Duration
	n      int
	paused int // parts paused before
}

func (r *pausedReader) Read(p []byte) (int, error) {
	if r.n >= len(r.parts) {
		return 0, io.EOF
	}
	if r.n > 0 && r.paused < r.n {
		r.paused = r.n
		time.Sleep(r.pause)
	}
	k := copy(p, r.parts[r.n])
	if r.parts[r.n] = r.parts[r.n][k:]; r.parts[r.n] == "" {
		r.n++
	}
	return k, nil
}
