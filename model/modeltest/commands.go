package modeltest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
)

// commandRE finds a command line of the desk's in a mail: every one a
// mail ever offered names a command of the requests or of the profile,
// and the account it acts as.
var commandRE = regexp.MustCompile(`contactdesk (request|profile) |--as |--token `)

// appWays are the words, in each language, that tell the reader of the
// simulated mailbox how to answer in the app: from the confirmation
// mail (o on it, then a or x), and in the notes of removed tokens (e on
// the request; the Profile, for a new address). French writes a no-break
// space before its colons.
var appWays = map[string]struct{ confirm, request, email string }{
	"en": {"In the app, press o on this mail to open request #%d, then a to accept or x to refuse with your token.",
		"press e on the request in the app.", "ask for the change again in the app's Profile: a fresh token is mailed there."},
	"pt": {"Na aplicação, prima a tecla o neste e-mail para abrir o pedido #%d e, depois, a tecla a para aceitar ou x para recusar com o seu código.",
		"prima a tecla e no pedido, na aplicação.", "peça a alteração de novo no Perfil da aplicação: um código novo é enviado para lá."},
	"fr": {"Dans l'application, appuyez sur o dans cet e-mail pour ouvrir la demande #%d, puis sur a pour accepter ou sur x pour refuser avec votre code.",
		"touche e sur la demande dans l'application.", "demandez à nouveau le changement dans le Profil de l'application\u00a0: un nouveau code y est envoyé."},
}

// testMailCommands: a mail names the command line (contactdesk request
// accept …, request resend …, profile set-email …) only on a desk its
// customers are not told to reach over SSH (public-ssh unset), whose
// mailbox is read by whoever runs it, with the command line at hand.
// With public-ssh, a customer has the app alone: the confirmation mail
// and the notes of removed tokens say, in every language, how to answer
// in the app, and name no command, with or without a public URL. A real
// mail never names one (testRealDelivery); here it is checked over SSH.
func testMailCommands(t *testing.T, open Opener) {
	langs := map[model.Handle]string{A: "en", T: "pt", N: "fr", N2: "en", X: "pt", M: "fr"}
	emails := map[model.Handle]string{N2: "nina@new.example", X: "otto@new.example", M: "mu@new.example"}
	for _, c := range []struct{ ssh, url bool }{{false, false}, {false, true}, {true, false}, {true, true}} {
		t.Run(fmt.Sprintf("ssh=%v,url=%v", c.ssh, c.url), func(t *testing.T) {
			f := New(t, open)
			for h, l := range langs {
				if _, err := f.Desk.SetLang(f.Ctx, h, l); err != nil {
					t.Fatal(err)
				}
			}
			if c.ssh {
				f.Set(model.SettingPublicSSH, "desk.example.net:2222")
			}
			if c.url {
				f.Set(model.SettingPublicURL, "https://desk.example.net")
			}
			r := f.Create(A, Example, N, model.Tech)[0]
			if _, err := f.Desk.Resend(f.Ctx, T, r.ID); err != nil { // written again, "sent again"
				t.Fatal(err)
			}
			for h, e := range emails {
				if _, err := f.Desk.AskEmailChange(f.Ctx, h, e); err != nil {
					t.Fatal(err)
				}
			}

			// The confirmation mails, as the simulated mailbox shows them.
			for _, h := range []model.Handle{A, T, N} {
				m := mailAbout(f, h, r.ID)
				if m.Token == "" || !strings.Contains(m.Body, m.Link) || !strings.Contains(m.Link, m.Token) {
					t.Fatalf("%s's mail has no token or no link: %+v", h, m)
				}
				accept := fmt.Sprintf("contactdesk request accept %d --as %s --token %s", r.ID, h, m.Token)
				app := fmt.Sprintf(appWays[langs[h]].confirm, r.ID)
				if c.ssh {
					if commandRE.MatchString(m.Body) || !strings.Contains(m.Body, app) {
						t.Errorf("served over SSH, %s's mail names a command (%q), or not the app's way (%q):\n%s", h, commandRE.FindString(m.Body), app, m.Body)
					}
				} else if !strings.Contains(m.Body, accept) || strings.Contains(m.Body, app) {
					t.Errorf("a desk not served over SSH: %s's mail does not offer %q:\n%s", h, accept, m.Body)
				}
			}
			for h, e := range emails {
				if m := emailMail(f, h); commandRE.MatchString(m.Body) {
					t.Errorf("%s's mail proving %s names a command:\n%s", h, e, m.Body)
				}
			}

			// Real delivery on: the tokens are removed, and a note says
			// how to ask for a fresh one.
			f.Set(model.SettingMailDelivery, model.DeliverySMTP)
			for _, h := range []model.Handle{A, T, N} {
				m := mailAbout(f, h, r.ID)
				resend := fmt.Sprintf("contactdesk request resend %d --as %s", r.ID, h)
				app := appWays[langs[h]].request
				checkNote(t, c.ssh, h, m, resend, app)
			}
			for h, e := range emails {
				checkNote(t, c.ssh, h, emailMail(f, h), fmt.Sprintf("contactdesk profile set-email %s --as %s", e, h), appWays[langs[h]].email)
			}

			// A real mail names no command, over SSH or not.
			if _, err := f.Desk.Resend(f.Ctx, N, r.ID); err != nil {
				t.Fatal(err)
			}
			es := f.claim(f.Desk, time.Minute)
			if len(es) != 1 || es[0].Mail.To != N || !strings.Contains(es[0].Mail.Body, es[0].Mail.Token) {
				t.Fatalf("claimed %+v, want N's resent mail", es)
			}
			if commandRE.MatchString(es[0].Mail.Body) {
				t.Errorf("the real mail names a command:\n%s", es[0].Mail.Body)
			}
		})
	}

	// public-ssh unset again: the desk's mails offer the command again.
	f := New(t, open)
	f.Set(model.SettingPublicSSH, "desk.example.net")
	r := f.Create(A, Example, N, model.Tech)[0]
	if m := mailAbout(f, N, r.ID); commandRE.MatchString(m.Body) {
		t.Errorf("served over SSH:\n%s", m.Body)
	}
	f.Set(model.SettingPublicSSH, "")
	m, err := f.Desk.Resend(f.Ctx, N, r.ID)
	if err != nil || !strings.Contains(m.Body, fmt.Sprintf("contactdesk request refuse %d --as %s --token %s", r.ID, N, m.Token)) {
		t.Errorf("public-ssh unset, the mail written next: %v\n%s", err, m.Body)
	}
}

// checkNote checks h's mail m, whose token was removed: its note offers
// the command shell on a desk not served over SSH, and only the app's
// way (app) on one served over SSH.
func checkNote(t *testing.T, ssh bool, h model.Handle, m model.Mail, shell, app string) {
	t.Helper()
	if !m.TokenRemoved || m.Token != "" {
		t.Errorf("%s's mail, real delivery on: %+v", h, m)
	}
	if ssh {
		if commandRE.MatchString(m.Body) || !strings.Contains(m.Body, app) {
			t.Errorf("served over SSH, the note of %s's mail names a command (%q), or not the app's way (%q):\n%s", h, commandRE.FindString(m.Body), app, m.Body)
		}
		return
	}
	if !strings.Contains(m.Body, shell) {
		t.Errorf("a desk not served over SSH: the note of %s's mail does not offer %q:\n%s", h, shell, m.Body)
	}
}

// emailMail is h's newest mail proving a new e-mail address.
func emailMail(f *Fixture, h model.Handle) model.Mail {
	f.T.Helper()
	ms, err := f.Desk.Mails(f.Ctx, h)
	if err != nil {
		f.T.Fatalf("mails of %s: %v", h, err)
	}
	for _, m := range ms {
		if m.Kind == model.MailEmailConfirm {
			return m
		}
	}
	f.T.Fatalf("%s has no mail proving its new address", h)
	return model.Mail{}
}
