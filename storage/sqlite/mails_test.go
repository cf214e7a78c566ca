package sqlite_test

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
	"contactdesk/model/modeltest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestMailTexts: every kind of mail a request's life sends (to confirm,
// again after a resend, and each ending: done, refused by a party,
// cancelled, refused by the recheck, expired), read back from the
// database, is the same text to the byte as testdata/mails.golden, when
// every account reads English; as mails.pt.golden and mails.fr.golden
// when every account reads Portuguese, French. Tokens differ from run to
// run and are written TOKEN there.
func TestMailTexts(t *testing.T) {
	for _, lang := range model.Langs {
		t.Run(string(lang), func(t *testing.T) { mailTexts(t, lang, goldenOf("mails", lang)) })
	}
}

// goldenOf is the golden file of a kind of mails in a language:
// testdata/KIND.golden for English, testdata/KIND.LANG.golden for the
// others. Every language the model speaks has its own: one added to
// model.Langs fails here until its mails are written (-update).
func goldenOf(kind string, lang model.Lang) string {
	if lang == model.LangEN {
		return "testdata/" + kind + ".golden"
	}
	return "testdata/" + kind + "." + string(lang) + ".golden"
}

func mailTexts(t *testing.T, lang model.Lang, golden string) {
	f := modeltest.New(t, openTemp)
	A, T, N, N2 := modeltest.A, modeltest.T, modeltest.N, modeltest.N2
	everyone := []model.Handle{A, T, modeltest.B, N, modeltest.O, modeltest.X, modeltest.M, N2}
	if lang != model.LangEN {
		for _, h := range everyone {
			if _, err := f.Desk.SetLang(f.Ctx, h, string(lang)); err != nil {
				t.Fatal(err)
			}
		}
	}
	sent := map[int64]model.Mail{} // as the desk returned them when sent

	done := f.Create(A, modeltest.Example, N, model.Tech)[0]
	m, err := f.Desk.Resend(f.Ctx, T, done.ID)
	if err != nil {
		t.Fatal(err)
	}
	sent[m.ID] = m
	for _, h := range []model.Handle{A, T, N} {
		f.Accept(h, done.ID)
	}
	refused := f.Create(A, modeltest.Multi, N2, model.Tech, model.Billing)[0]
	if _, err := f.Desk.Refuse(f.Ctx, N2, refused.ID, f.Token(N2, refused.ID)); err != nil {
		t.Fatal(err)
	}
	cancelled := f.Create(A, modeltest.Self, N, model.Billing)[0]
	if _, err := f.Desk.Cancel(f.Ctx, A, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	recheck := f.Create(A, modeltest.Example, N2, model.Billing)[0]
	if _, err := f.Desk.SetStanding(f.Ctx, N2, 1234); err != nil {
		t.Fatal(err)
	}
	for _, p := range recheck.Parties {
		f.Accept(p.Handle, recheck.ID)
	}
	f.Create(A, modeltest.Self, N2, model.Tech)
	f.Clock.Advance(model.DefaultValidity + time.Hour)
	if _, err := f.Desk.SetStanding(f.Ctx, N2, 0); err != nil { // any write settles what expired
		t.Fatal(err)
	}

	var all []model.Mail
	for _, h := range everyone {
		ms, err := f.Desk.Mails(f.Ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ms...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	var b strings.Builder
	for _, m := range all {
		if s, ok := sent[m.ID]; ok && (s.Subject != m.Subject || s.Body != m.Body || s.Link != m.Link) {
			t.Errorf("mail #%d reads otherwise than it was sent:\n%q\n%q", m.ID, s.Body, m.Body)
		}
		text := fmt.Sprintf("#%d to %s <%s>, %s, %s, request #%d, kind %s, read %v\nSubject: %s\nLink: %s\nToken: %s\n\n%s",
			m.ID, m.To, m.Address, m.Date.Format(time.RFC3339), m.Delivery, m.RequestID, m.Kind, m.Read, m.Subject, m.Link, m.Token, m.Body)
		if m.Token != "" {
			text = strings.ReplaceAll(text, m.Token, "TOKEN")
		}
		b.WriteString(text + "\n========\n")
	}
	sameAsGolden(t, golden, b.String())
}

// sameAsGolden checks that the mails read got are the golden file's, to
// the byte; with -update, it writes them there first.
func sameAsGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the mails differ from %s (go test -update rewrites it):\n%s", golden, got)
	}
}

// TestEmailMailTexts: every mail a change of e-mail address sends — the
// token to the new address, then, to the address the account had, that
// the change was made, or refused — is the same text to the byte as
// testdata/email_mails.golden, email_mails.pt.golden and
// email_mails.fr.golden, as the account reads English, Portuguese,
// French. Tokens are written TOKEN there.
func TestEmailMailTexts(t *testing.T) {
	for _, lang := range model.Langs {
		t.Run(string(lang), func(t *testing.T) { emailMailTexts(t, lang, goldenOf("email_mails", lang)) })
	}
}

func emailMailTexts(t *testing.T, lang model.Lang, golden string) {
	f := modeltest.New(t, openTemp)
	N := modeltest.N
	if _, err := f.Desk.SetLang(f.Ctx, N, string(lang)); err != nil {
		t.Fatal(err)
	}
	newest := func() model.Mail {
		ms, err := f.Desk.Mails(f.Ctx, N)
		if err != nil || len(ms) == 0 {
			t.Fatalf("no mail: %v", err)
		}
		return ms[0]
	}
	if _, err := f.Desk.AskEmailChange(f.Ctx, N, "nina@new.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Desk.ConfirmEmail(f.Ctx, N, newest().Token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Desk.AskEmailChange(f.Ctx, N, "nina@other.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Desk.RefuseEmail(f.Ctx, N, newest().Token); err != nil {
		t.Fatal(err)
	}
	ms, err := f.Desk.Mails(f.Ctx, N)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
	var b strings.Builder
	for _, m := range ms {
		if m.RequestID != 0 {
			continue
		}
		text := fmt.Sprintf("#%d to %s <%s>, kind %s\nSubject: %s\nLink: %s\n\n%s", m.ID, m.To, m.Address, m.Kind, m.Subject, m.Link, m.Body)
		if m.Token != "" {
			text = strings.ReplaceAll(text, m.Token, "TOKEN")
		}
		b.WriteString(text + "\n========\n")
	}
	sameAsGolden(t, golden, b.String())
}

// TestResentMailSaysWhoAcceptedAlready: a confirmation mail sent again
// after some parties have accepted says so in its list of those who
// must confirm, in the reader's language: before, it listed every
// party as when the request was made, and the reader could not tell
// whose answer was still awaited.
func TestResentMailSaysWhoAcceptedAlready(t *testing.T) {
	for lang, want := range map[model.Lang]string{
		model.LangEN: "Everyone who must confirm: ad11111-ovh (requester), te22222-ovh (current tech contact), ne44444-ovh (new tech contact, accepted already).",
		model.LangPT: "Todos os que têm de confirmar: ad11111-ovh (requerente), te22222-ovh (atual contacto técnico), ne44444-ovh (novo contacto técnico, já aceitou).",
		model.LangFR: "Tous ceux qui doivent confirmer\u00a0: ad11111-ovh (demandeur), te22222-ovh (contact technique actuel), ne44444-ovh (nouveau contact technique, a déjà accepté).",
	} {
		t.Run(string(lang), func(t *testing.T) {
			f := modeltest.New(t, openTemp)
			if _, err := f.Desk.SetLang(f.Ctx, modeltest.T, string(lang)); err != nil {
				t.Fatal(err)
			}
			r := f.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
			f.Accept(modeltest.N, r.ID)
			m, err := f.Desk.Resend(f.Ctx, modeltest.T, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.Body, want) {
				t.Errorf("the mail sent again does not say %q:\n%s", want, m.Body)
			}
		})
	}
}

// TestCredentialMailTexts: the mail with the code that validates a
// consumer key asked for through the API is the same text to the byte
// as testdata/credential_mails.golden, .pt.golden and .fr.golden, as the
// account reads English, Portuguese, French. The code is written TOKEN
// there, the page's token PAGE_TOKEN, the application key APP_KEY.
func TestCredentialMailTexts(t *testing.T) {
	for _, lang := range model.Langs {
		golden := goldenOf("credential_mails", lang)
		t.Run(string(lang), func(t *testing.T) {
			f := modeltest.New(t, openTemp)
			A := modeltest.A
			if _, err := f.Desk.SetLang(f.Ctx, A, string(lang)); err != nil {
				t.Fatal(err)
			}
			f.Set(model.SettingPublicURL, "https://desk.example.net")
			k, err := f.Desk.AddAPIKey(f.Ctx, A, "nightly dashboard", modeltest.TagBox{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Desk.AskCredential(f.Ctx, k.AppKey, []model.APIRule{{Method: "GET", Path: "/*"}, {Method: "GET", Path: "/me"}, {Method: "POST", Path: "/me/*"},
				{Method: "PUT", Path: "/me/task/*/x"}, {Method: "DELETE", Path: "/domain/xara.pt"}}, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Desk.MailCredentialCode(f.Ctx, got.Token); err != nil {
				t.Fatal(err)
			}
			ms, _ := f.Desk.Mails(f.Ctx, A)
			m := ms[0]
			text := fmt.Sprintf("to %s <%s>, kind %s\nSubject: %s\nLink: %s\nToken: %s\n\n%s", m.To, m.Address, m.Kind, m.Subject, m.Link, m.Token, m.Body)
			text = strings.NewReplacer(m.Token, "TOKEN", got.Token, "PAGE_TOKEN", k.AppKey, "APP_KEY").Replace(text)
			sameAsGolden(t, golden, text)
		})
	}
}
