package modeltest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"contactdesk/locale"
	"contactdesk/model"
)

// testNotUTF8 asks the desk, at every entry point a door hands text to,
// with text that is not valid UTF-8, and with its twin: the same text
// without the stray byte, a name that does not exist (or, where the bad
// one is refused as malformed, one as malformed). Each must be answered
// alike: the same refusal, in every language the same message, or the
// same nothing found; never a failure of the store (PostgreSQL refuses
// such text in a query, SQLSTATE 22021), and nothing written.
func testNotUTF8(t *testing.T, open Opener) {
	f := New(t, open)
	r := f.Create(A, Example, N, model.Tech)[0]
	box := TagBox{}
	app, err := f.Desk.AddAPIKey(f.Ctx, A, "sync", box)
	if err != nil {
		t.Fatal(err)
	}
	read := []model.APIRule{{Method: "GET", Path: "/me"}}
	if _, err := f.Desk.AskCredential(f.Ctx, app.AppKey, read, ""); err != nil {
		t.Fatal(err)
	}

	// bad is s with a stray byte in its middle: no UTF-8 holds 0xff.
	bad := func(s string) string { return s[:2] + "\xff" + s[2:] }
	const nobody = model.Handle("zz99999-ovh")
	count := func(n int, err error) (string, error) { return fmt.Sprint(n), err }
	none := func(err error) (string, error) { return "", err }

	cases := []struct {
		name string
		call func(s string) (string, error)
		twin string // the text the bad one must be answered as
		bad  string // "" for bad(twin)
	}{
		// an account's handle
		{"Account", func(s string) (string, error) { return none(first(f.Desk.Account(f.Ctx, model.Handle(s)))) }, string(nobody), ""},
		{"Services", func(s string) (string, error) { return count(lenOf(f.Desk.Services(f.Ctx, model.Handle(s)))) }, string(nobody), ""},
		{"FirstServices", func(s string) (string, error) {
			ss, more, err := f.Desk.FirstServices(f.Ctx, model.Handle(s), 10)
			return fmt.Sprint(len(ss), more), err
		}, string(nobody), ""},
		{"Requests", func(s string) (string, error) { return count(lenOf(f.Desk.Requests(f.Ctx, model.Handle(s)))) }, string(nobody), ""},
		{"Request", func(s string) (string, error) { return none(first(f.Desk.Request(f.Ctx, model.Handle(s), r.ID))) }, string(nobody), ""},
		{"Mails", func(s string) (string, error) { return count(lenOf(f.Desk.Mails(f.Ctx, model.Handle(s)))) }, string(nobody), ""},
		{"Mailbox", func(s string) (string, error) {
			ms, more, err := f.Desk.Mailbox(f.Ctx, model.Handle(s), 10)
			return fmt.Sprint(len(ms), more), err
		}, string(nobody), ""},
		{"Mail", func(s string) (string, error) { return none(first(f.Desk.Mail(f.Ctx, model.Handle(s), 1))) }, string(nobody), ""},
		{"TokenMail", func(s string) (string, error) {
			_, ok, err := f.Desk.TokenMail(f.Ctx, model.Handle(s), r.ID)
			return fmt.Sprint(ok), err
		}, string(nobody), ""},
		{"Unread", func(s string) (string, error) { return count(f.Desk.Unread(f.Ctx, model.Handle(s))) }, string(nobody), ""},
		{"Awaiting", func(s string) (string, error) { return count(f.Desk.Awaiting(f.Ctx, model.Handle(s))) }, string(nobody), ""},
		{"MarkRead", func(s string) (string, error) { return none(f.Desk.MarkRead(f.Ctx, model.Handle(s), 1)) }, string(nobody), ""},
		{"History", func(s string) (string, error) {
			return count(lenOf(f.Desk.History(f.Ctx, model.Handle(s), model.HistoryFilter{})))
		}, string(nobody), ""},
		{"Acquaintances", func(s string) (string, error) { return count(lenOf(f.Desk.Acquaintances(f.Ctx, model.Handle(s)))) }, string(nobody), ""},
		{"EmailChanges", func(s string) (string, error) { return count(lenOf(f.Desk.EmailChanges(f.Ctx, model.Handle(s)))) }, string(nobody), ""},
		{"PendingEmail", func(s string) (string, error) {
			_, ok, err := f.Desk.PendingEmail(f.Ctx, model.Handle(s))
			return fmt.Sprint(ok), err
		}, string(nobody), ""},
		{"ProofMail", func(s string) (string, error) {
			_, ok, err := f.Desk.ProofMail(f.Ctx, model.Handle(s))
			return fmt.Sprint(ok), err
		}, string(nobody), ""},
		{"AskEmailChange", func(s string) (string, error) {
			return none(first(f.Desk.AskEmailChange(f.Ctx, model.Handle(s), "new@mail.example")))
		}, string(nobody), ""},
		{"ConfirmEmail", func(s string) (string, error) {
			return none(first(f.Desk.ConfirmEmail(f.Ctx, model.Handle(s), "token")))
		}, string(nobody), ""},
		{"SetLang", func(s string) (string, error) { return none(first(f.Desk.SetLang(f.Ctx, model.Handle(s), "pt"))) }, string(nobody), ""},
		{"SetStanding", func(s string) (string, error) { return none(first(f.Desk.SetStanding(f.Ctx, model.Handle(s), 0))) }, string(nobody), ""},
		{"Keys", func(s string) (string, error) { return count(lenOf(f.Desk.Keys(f.Ctx, model.Handle(s)))) }, string(nobody), ""},
		{"APIKeys", func(s string) (string, error) { return count(lenOf(f.Desk.APIKeys(f.Ctx, model.Handle(s)))) }, string(nobody), ""},
		{"AddAPIKey", func(s string) (string, error) { return none(first(f.Desk.AddAPIKey(f.Ctx, model.Handle(s), "x", box))) }, string(nobody), ""},
		{"AddKey", func(s string) (string, error) {
			return none(first(f.Desk.AddKey(f.Ctx, model.Handle(s), []byte(hostileKey))))
		}, string(nobody), ""},
		{"Cancel", func(s string) (string, error) { return none(first(f.Desk.Cancel(f.Ctx, model.Handle(s), r.ID))) }, string(nobody), ""},
		{"Resend", func(s string) (string, error) { return none(first(f.Desk.Resend(f.Ctx, model.Handle(s), r.ID))) }, string(nobody), ""},
		{"Accept as", func(s string) (string, error) {
			return none(first(f.Desk.Accept(f.Ctx, model.Handle(s), r.ID, "token")))
		}, string(nobody), ""},
		{"RevokeConsumerKey as", func(s string) (string, error) {
			return none(first(f.Desk.RevokeConsumerKey(f.Ctx, app.AppKey, 1, model.Handle(s))))
		}, string(nobody), ""},
		{"CreateRequest as", func(s string) (string, error) {
			return count(lenOf(f.Desk.CreateRequest(f.Ctx, model.Handle(s), model.NewRequest{Service: Multi, Roles: []model.Role{model.Tech}, To: string(N)})))
		}, string(nobody), ""},
		{"CreateRequest to", func(s string) (string, error) {
			return count(lenOf(f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: Multi, Roles: []model.Role{model.Tech}, To: s})))
		}, "zz\x0199999-ovh", ""},
		{"AddService's admin", func(s string) (string, error) {
			return none(first(f.Desk.AddService(f.Ctx, model.NewService{Name: "new.pt", Type: model.TypeDomain, Admin: s, Tech: string(T), Billing: string(B)})))
		}, "zz\x0199999-ovh", ""},

		// a service's name: refused as malformed, and a name of an older
		// version is looked for as it is
		{"Service", func(s string) (string, error) { return none(first(f.Desk.Service(f.Ctx, A, s))) }, "ex\x01ample.com", ""},
		{"Owner", func(s string) (string, error) { return none(first(f.Desk.Owner(f.Ctx, A, s))) }, "ex\x01ample.com", ""},
		{"Permissions", func(s string) (string, error) {
			_, _, err := f.Desk.Permissions(f.Ctx, A, s)
			return "", err
		}, "ex\x01ample.com", ""},
		{"SetOwner", func(s string) (string, error) {
			h := "Ada"
			return none(first(f.Desk.SetOwner(f.Ctx, A, s, model.OwnerChange{Holder: &h})))
		}, "ex\x01ample.com", ""},
		{"History of a service", func(s string) (string, error) {
			return count(lenOf(f.Desk.History(f.Ctx, A, model.HistoryFilter{Service: s})))
		}, "ex\x01ample.com", ""},
		{"CreateRequest on", func(s string) (string, error) {
			return count(lenOf(f.Desk.CreateRequest(f.Ctx, A, model.NewRequest{Service: s, Roles: []model.Role{model.Tech}, To: string(N)})))
		}, "ex\x01ample.com", ""},

		// what finds a row by other text
		{"SuggestAccounts", func(s string) (string, error) { return count(lenOf(f.Desk.SuggestAccounts(f.Ctx, s, 10))) }, "zz9", ""},
		{"MailAbout's kind", func(s string) (string, error) {
			_, ok, err := f.Desk.MailAbout(f.Ctx, N, r.ID, s)
			return fmt.Sprint(ok), err
		}, "nothing", ""},
		{"RemoveKey", func(s string) (string, error) { return none(first(f.Desk.RemoveKey(f.Ctx, s))) }, "SHA256:nothing", ""},
		{"RemoveAPIKey", func(s string) (string, error) { return none(first(f.Desk.RemoveAPIKey(f.Ctx, s))) }, "NoSuchKey", ""},
		{"APIBearer", func(s string) (string, error) { return none(first(f.Desk.APIBearer(f.Ctx, s))) }, "NoSuchConsumerKey", ""},
		{"APISigned's application key", func(s string) (string, error) {
			return none(first(f.Desk.APISigned(f.Ctx, box, s, app.ConsumerKey, func(string) bool { return true })))
		}, "NoSuchKey", ""},
		{"APISigned's consumer key", func(s string) (string, error) {
			return none(first(f.Desk.APISigned(f.Ctx, box, app.AppKey, s, func(string) bool { return true })))
		}, "NoSuchConsumerKey", ""},
		{"AskCredential", func(s string) (string, error) { return none(first(f.Desk.AskCredential(f.Ctx, s, read, ""))) }, "NoSuchKey", ""},
		{"AskCredentialFrom", func(s string) (string, error) {
			return none(first(f.Desk.AskCredentialFrom(f.Ctx, s, app.AppKey, read, "")))
		}, "nowhere", ""},
		{"RevokeConsumerKey", func(s string) (string, error) { return none(first(f.Desk.RevokeConsumerKey(f.Ctx, s, 1, A))) }, "NoSuchKey", ""},
		{"FindCredential", func(s string) (string, error) { return none(first(f.Desk.FindCredential(f.Ctx, s))) }, "NoSuchToken", ""},
		{"MailCredentialCode", func(s string) (string, error) { return none(first(f.Desk.MailCredentialCode(f.Ctx, s))) }, "NoSuchToken", ""},
		{"AnswerCredential", func(s string) (string, error) { return none(first(f.Desk.AnswerCredential(f.Ctx, s, "123456", true))) }, "NoSuchToken", ""},
		{"FindTokenHolder", func(s string) (string, error) { return none(first(f.Desk.FindTokenHolder(f.Ctx, r.ID, s))) }, "NoSuchToken", ""},
		{"FindEmailChange", func(s string) (string, error) { return none(first(f.Desk.FindEmailChange(f.Ctx, 1, s))) }, "NoSuchToken", ""},
		{"Accept's token", func(s string) (string, error) { return none(first(f.Desk.Accept(f.Ctx, N, r.ID, s))) }, "NoSuchToken", ""},
		{"ConfirmEmail's token", func(s string) (string, error) { return none(first(f.Desk.ConfirmEmail(f.Ctx, T, s))) }, "NoSuchToken", ""},
		{"AskEmailChange's address", func(s string) (string, error) {
			return none(first(f.Desk.AskEmailChange(f.Ctx, T, s)))
		}, "te\x01d@mail.example", ""},
		{"SetSetting's name", func(s string) (string, error) { return f.Desk.SetSetting(f.Ctx, s, "x") }, "no-such-setting", ""},
		{"SetSetting's value", func(s string) (string, error) { return f.Desk.SetSetting(f.Ctx, "mail-delivery", s) }, "ca\x01rrier-pigeon", ""},
		{"SetLang's language", func(s string) (string, error) { return none(first(f.Desk.SetLang(f.Ctx, A, s))) }, "klingon", ""},
		{"AskCredentialFrom, a long name cut", func(s string) (string, error) {
			return none(first(f.Desk.AskCredentialFrom(f.Ctx, s, app.AppKey, read, "")))
		}, strings.Repeat("a", model.MaxFromLen-1), strings.Repeat("a", model.MaxFromLen-1) + "é"},
		{"Import's account", func(s string) (string, error) {
			return importLines(f.Desk.Import(f.Ctx, model.Import{Accounts: []model.AccountLine{{Line: 1, Handle: s, Name: "Zé", Email: "ze@mail.example"}}}, model.ImportOptions{DryRun: true}))
		}, "zz\x0199999-ovh", ""},
		{"Import's service", func(s string) (string, error) {
			return importLines(f.Desk.Import(f.Ctx, model.Import{Services: []model.ServiceLine{{Line: 1, Name: "new.pt", Type: model.TypeVPS, Admin: s, Tech: s, Billing: s}}}, model.ImportOptions{DryRun: true}))
		}, "zz\x0199999-ovh", ""},
		{"Import's service name", func(s string) (string, error) {
			return importLines(f.Desk.Import(f.Ctx, model.Import{Services: []model.ServiceLine{{Line: 1, Name: s, Type: model.TypeVPS, Admin: string(A), Tech: string(A), Billing: string(A)}}}, model.ImportOptions{DryRun: true}))
		}, "ne\x01w.pt", ""},
		{"AddAPIKey's name", func(s string) (string, error) { return none(first(f.Desk.AddAPIKey(f.Ctx, A, s, box))) }, "ni\x01ghtly", ""},
	}
	for _, c := range cases {
		before := f.Snap()
		b := c.bad
		if b == "" {
			b = bad(c.twin)
		}
		gotBad, errBad := c.call(b)
		gotTwin, errTwin := c.call(c.twin)
		if errors.Is(errBad, model.ErrStorage) || (errBad != nil && !model.IsRefusal(errBad)) {
			t.Errorf("%s: text not UTF-8 failed the store: %v", c.name, errBad)
			continue
		}
		if (errBad == nil) != (errTwin == nil) || gotBad != gotTwin {
			t.Errorf("%s: text not UTF-8 answered %q, %v; its twin %q, %v", c.name, gotBad, errBad, gotTwin, errTwin)
			continue
		}
		if errBad == nil {
			continue
		}
		f.Same(before, c.name+", refused,")
		var eb, et *model.Error
		errors.As(errBad, &eb)
		errors.As(errTwin, &et)
		if eb.Kind != et.Kind || eb.Field != et.Field || eb.Text.ID != et.Text.ID {
			t.Errorf("%s: text not UTF-8 refused as %v/%s/%s %q; its twin as %v/%s/%s %q",
				c.name, eb.Kind, eb.Field, eb.Text.ID, eb.Msg, et.Kind, et.Field, et.Text.ID, et.Msg)
		}
		for _, l := range locale.Langs {
			if s := model.Localize(errBad, locale.For(l)); s == "" || s == eb.Text.ID {
				t.Errorf("%s: refusal unwritten in %s: %q", c.name, l, s)
			}
		}
	}
}

// importLines is how Import refused each line: its kind and message.
func importLines(r model.ImportReport, err error) (string, error) {
	var ie *model.ImportError
	if !errors.As(err, &ie) {
		return fmt.Sprintf("%+v", r), err
	}
	var out []string
	for _, l := range ie.Lines {
		var e *model.Error
		errors.As(l.Err, &e)
		out = append(out, fmt.Sprintf("line %d: %v %s %s", l.Line, e.Kind, e.Field, e.Text.ID))
	}
	return strings.Join(out, "; "), err
}

// first keeps a call's error, leaving its value.
func first[T any](_ T, err error) error { return err }

// lenOf keeps how many a list holds, and the error.
func lenOf[T any](xs []T, err error) (int, error) { return len(xs), err }
