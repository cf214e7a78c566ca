package tui_test

import (
	"fmt"
	"strings"
	"testing"

	"contactdesk/model/demo"
)

// TestMailOfAUsedCredentialCode: once the consumer key was validated
// with the code mailed for it, the Mailbox says so of its mails, as it
// says "(answered)" of a request's, and the mail shows why its code no
// longer works instead of the code and its link.
func TestMailOfAUsedCredentialCode(t *testing.T) {
	d, got := deskWithCodeMail(t)
	ms, _ := d.Mails(ctx, demo.Persona)
	if _, err := d.AnswerCredential(ctx, got.Token, ms[0].Token, true); err != nil {
		t.Fatal(err)
	}
	a := start(t, d, demo.Persona, 100, 30)
	servicesShown(a)
	a.press("3")
	subject := "Validate the API access asked for " + string(demo.Persona)
	s := a.waitText(subject)
	if line := lineOf(s, subject); !strings.Contains(line, a.T("tui.mailbox.code_validated")+" "+subject) {
		t.Fatalf("the Mailbox's line of the used code: %q", line)
	}
	a.press("enter")
	note := fmt.Sprintf("consumer key #%d was validated: this code no longer works", got.ID)
	s = a.waitText(note, "read (GET) the path /me")
	if line := lineOf(s, note); !strings.HasPrefix(strings.TrimSpace(line), a.T("tui.mail.label.token")+" ") {
		t.Errorf("the mail of a used code: its token row is %q", line)
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), a.T("tui.mail.label.link")+" ") {
			t.Errorf("the mail of a used code offers its link: %q", l)
		}
	}
}
