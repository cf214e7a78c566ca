package common

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"contactdesk/locale"
	"contactdesk/model"
)

func TestWidthAgreesWithAnsi(t *testing.T) {
	for _, s := range []string{
		"", "plain", "\x1b[1;7mbold reverse\x1b[m", "Xavier Xará", "● pending", "\x1b[33m●\x1b[m x",
		"tab\tinside", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "日本語", "\x1b[1m\x1b[4munder\x1b[m",
	} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, ansi says %d", s, got, want)
		}
	}
}

func TestFitAndCut(t *testing.T) {
	cases := []struct {
		in       string
		w        int
		fit, cut string
	}{
		{"xara-shop.com", 20, "xara-shop.com       ", "xara-shop.com"},
		{"xara-shop.com", 8, "xara-sh…", "xara-sh…"},
		{"Zélia Zagalo", 6, "Zélia…", "Zélia…"},
		{"abc", 1, "…", "…"},
		{"abc", 0, "", ""},
	}
	for _, c := range cases {
		if got := Fit(c.in, c.w); got != c.fit {
			t.Errorf("Fit(%q, %d) = %q, want %q", c.in, c.w, got, c.fit)
		}
		if got := Cut(c.in, c.w); got != c.cut {
			t.Errorf("Cut(%q, %d) = %q, want %q", c.in, c.w, got, c.cut)
		}
	}
}

// plain renders text as it is.
type plain struct{}

func (plain) Render(s ...string) string { return s[0] }

// TestWrapNeverCutsText: a line that ansi.Wrap leaves one cell too wide
// (a comma hanging past the width) is wrapped again, not cut with …:
// every word of a mail's sentence stays on screen.
func TestWrapNeverCutsText(t *testing.T) {
	s := "Todos os que têm de confirmar: xx11111-ovh (requerente e atual contacto técnico), yy22222-ovh (novo contacto técnico)."
	out := Wrap(s, 0, 80, plain{})
	for _, l := range strings.Split(out, "\n") {
		if ansi.StringWidth(l) > 80 || strings.Contains(l, "…") {
			t.Errorf("a line cut or too wide: %q", l)
		}
	}
	if got := strings.Join(strings.Fields(out), " "); got != s {
		t.Errorf("the text wrapped is %q", got)
	}
}

// TestWrapLeavesNoLineAlone: where a breakpoint hangs past the width,
// the text is wrapped again a cell narrower as a whole, not only the
// line it overhangs, which left the start of the next sentence alone on
// a short line ("técnico)," then "gh13579-ovh (…)"; "gh13579-ovh ;"
// then "à confirmer par …").
func TestWrapLeavesNoLineAlone(t *testing.T) {
	for _, c := range []struct {
		s             string
		indent, lines int
	}{
		{"Todos os que têm de confirmar: xx11111-ovh (requerente e atual contacto técnico), yy22222-ovh (novo contacto técnico).", 0, 2},
		{"contact technique de padaria-yolanda.pt\u00a0: xx11111-ovh -> gh13579-ovh\u00a0; à confirmer par xx11111-ovh et gh13579-ovh", 11, 2},
	} {
		out := strings.Split(WrapMax(c.s, c.indent, 80, 0, plain{}), "\n")
		if len(out) != c.lines {
			t.Errorf("%q takes %d lines, want %d:\n%s", c.s, len(out), c.lines, strings.Join(out, "\n"))
		}
	}
}

// TestWrapKeepsNamesWhole: a message wrapped for the status line, beside
// a field or under a form never breaks inside a handle or a service's
// name at its hyphen (xara- / shop.com, zz33333- / ovh), at any width.
func TestWrapKeepsNamesWhole(t *testing.T) {
	s := "o pedido #9 para o contacto técnico de xara-shop.com já está em curso (a aguardar a confirmação de ab12345-ovh e zz33333-ovh)"
	for w := 20; w <= 80; w++ {
		out := WrapMax(s, 2, w, 0, plain{})
		for _, l := range strings.Split(out, "\n") {
			if strings.HasSuffix(strings.TrimRight(l, " "), "-") {
				t.Fatalf("at %d columns a name is broken at its hyphen:\n%s", w, out)
			}
		}
		if got := strings.Join(strings.Fields(out), " "); got != s {
			t.Fatalf("at %d columns the text wrapped is %q", w, got)
		}
	}
}

// TestHangingKeepsTheWholeText: a text too long for the line after its
// head starts there and goes on under it from the indent, every word
// kept, no line wider than the width; one that fits stays on the line.
func TestHangingKeepsTheWholeText(t *testing.T) {
	head := "  6h ago     xx11111-ovh* padaria-yolanda… "
	for _, text := range []string{
		"accepted",
		"tech of padaria-yolanda.pt: xx11111-ovh -> gh13579-ovh; to confirm: xx11111-ovh and gh13579-ovh",
		"contact technique de padaria-yolanda.pt\u00a0: xx11111-ovh -> gh13579-ovh\u00a0; à confirmer par xx11111-ovh et gh13579-ovh",
		strings.Repeat("x", 200),
	} {
		ls := Hanging(head, text, 13, 80, 0)
		if Width(head)+Width(text) <= 80 && len(ls) != 1 {
			t.Errorf("%q fits its line, yet takes %d", text, len(ls))
		}
		if !strings.HasPrefix(ls[0], strings.TrimRight(head, " ")) {
			t.Errorf("%q: the first line lost its head: %q", text, ls[0])
		}
		var got []string
		for i, l := range ls {
			if Width(l) > 80 || strings.Contains(l, "…") && i > 0 {
				t.Errorf("%q: line %d is cut or too wide: %q", text, i, l)
			}
			if i > 0 && !strings.HasPrefix(l, Pad(13)) {
				t.Errorf("%q: line %d does not start at the indent: %q", text, i, l)
			}
			if i == 0 {
				l = strings.TrimPrefix(l, strings.TrimRight(head, " "))
			}
			got = append(got, strings.Fields(l)...)
		}
		if strings.Join(got, "") != strings.Join(strings.Fields(text), "") {
			t.Errorf("%q reads %q", text, strings.Join(ls, "\n"))
		}
	}
}

// TestWrapHint: a hint too long for its line is wrapped between its keys,
// each key kept with what it does, nothing cut.
func TestWrapHint(t *testing.T) {
	hint := "enter accepts with the token of your mail of 6h ago (tab fills it in) · esc: close"
	got := WrapHint(hint, 2, 80, asIs{})
	want := "  enter accepts with the token of your mail of 6h ago (tab fills it in)\n  esc: close"
	if got != want {
		t.Fatalf("WrapHint:\n%s\nwant:\n%s", got, want)
	}
	if got := WrapHint("y: yes · n: no", 2, 80, asIs{}); got != "  y: yes · n: no" {
		t.Fatalf("a hint that fits is wrapped: %q", got)
	}
	long := strings.Repeat("word ", 30) + "· esc: close"
	for _, l := range strings.Split(WrapHint(long, 2, 40, asIs{}), "\n") {
		if Width(l) > 40 || strings.Contains(l, "…") {
			t.Fatalf("a line is too wide or cut: %q", l)
		}
	}
}

// TestSpacesKept: a paste keeps the space before it when a word ends at
// the cursor, and the space after it when a word begins there.
func TestSpacesKept(t *testing.T) {
	for _, c := range []struct {
		value       string
		pos         int
		lead, trail bool
	}{
		{"", 0, false, false},
		{"Rua", 3, true, false},
		{"Rua", 0, false, true},
		{"Rua ", 4, false, false},
		{"Rua Flores", 4, false, true},
		{"Xará", 4, true, false},
		{"Rua", 9, false, false}, // no such position
	} {
		lead, trail := SpacesKept(c.value, c.pos)
		if lead != c.lead || trail != c.trail {
			t.Errorf("SpacesKept(%q, %d): %v %v, want %v %v", c.value, c.pos, lead, trail, c.lead, c.trail)
		}
	}
}

// TestWaitingSaysTheUserAsTheLanguageDoes: a sentence about whom a
// request waits for, the user among them, says the user as each
// language does: in English and French as a list, "you" first as the
// Awaiting column and the web page put the user ("waiting for
// confirmation by you, gh13579-ovh and zz33333-ovh"), in Portuguese by
// "a sua confirmação e as de …", never "você", nor "eu" (a label's
// word, not a sentence's).
func TestWaitingSaysTheUserAsTheLanguageDoes(t *testing.T) {
	ids := [3]string{"tui.request.state_waiting", "tui.request.state_waiting_you", "tui.request.state_waiting_you_and"}
	me := model.Handle("xx11111-ovh")
	for _, tc := range []struct {
		lang locale.Lang
		aw   []model.Handle
		want string
	}{
		{locale.EN, []model.Handle{"gh13579-ovh", me, "zz33333-ovh"}, "waiting for confirmation by you, gh13579-ovh and zz33333-ovh"},
		{locale.EN, []model.Handle{me, "gh13579-ovh"}, "waiting for confirmation by you and gh13579-ovh"},
		{locale.EN, []model.Handle{me}, "waiting for confirmation by you"},
		{locale.EN, []model.Handle{"gh13579-ovh"}, "waiting for confirmation by gh13579-ovh"},
		{locale.FR, []model.Handle{me, "gh13579-ovh", "zz33333-ovh"}, "en attente de confirmation\u00a0: vous, gh13579-ovh et zz33333-ovh"},
		{locale.PT, []model.Handle{me, "gh13579-ovh"}, "pendente — a aguardar a sua confirmação e a de gh13579-ovh"},
		{locale.PT, []model.Handle{"gh13579-ovh", me, "zz33333-ovh"}, "pendente — a aguardar a sua confirmação e as de gh13579-ovh e zz33333-ovh"},
		{locale.PT, []model.Handle{me}, "pendente — a aguardar a sua confirmação"},
		{locale.PT, []model.Handle{"gh13579-ovh", "zz33333-ovh"}, "pendente — a aguardar a confirmação de gh13579-ovh e zz33333-ovh"},
	} {
		c := &Common{Me: me, L: locale.For(tc.lang)}
		state := c.StateWord(model.StateValidating)
		if got := c.Waiting(tc.aw, ids, locale.Args{"State": state}); got != tc.want {
			t.Errorf("%s, %v: %q, want %q", tc.lang, tc.aw, got, tc.want)
		}
	}
}
