package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"contactdesk/model"
	"contactdesk/model/modeltest"
)

// TestBrowserValidateCredential: the account of a consumer key asked for
// through the API opens its validationUrl in a real browser, in its own
// language (Portuguese here, whatever the browser's), has a code mailed,
// opens the mail's link, which fills the code in, validates, and goes
// back to the application. $CREDENTIAL_SHOTS names a folder to keep a
// screenshot of each step in.
func TestBrowserValidateCredential(t *testing.T) {
	f, srv := served(t)
	if _, err := f.Desk.SetLang(f.Ctx, modeltest.A, "pt"); err != nil {
		t.Fatal(err)
	}
	app, err := f.Desk.AddAPIKey(f.Ctx, modeltest.A, "painel de faturas", modeltest.TagBox{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Desk.AskCredential(f.Ctx, app.AppKey, []model.APIRule{{Method: "GET", Path: "/me"}, {Method: "GET", Path: "/me/*"}, {Method: "POST", Path: "/me/task/contactChange/*/accept"}},
		srv.URL+"/healthz")
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser(t, 900, 1000)
	shot := func(name string) {
		if dir := os.Getenv("CREDENTIAL_SHOTS"); dir != "" {
			if err := os.WriteFile(filepath.Join(dir, name+".png"), run(t, ctx, chromedp.FullScreenshot(100)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(got.ValidationURL), chromedp.WaitVisible(chromedp.CSS(`button[value="code"]`))); err != nil {
		t.Fatal(err)
	}
	shot("credential-1-asked")
	if said := run(t, ctx, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(said, "A aplicação «painel de faturas» (") || !strings.Contains(said, "ler (GET) todos os caminhos sob /me/") ||
		!strings.Contains(said, "agir (POST) sobre os caminhos que /me/task/contactChange/*/accept abrange") {
		t.Fatalf("the page, in the account's language:\n%s", said)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[value="code"]`)), chromedp.WaitVisible(chromedp.CSS(".notice"))); err != nil {
		t.Fatal(err)
	}
	if said := run(t, ctx, chromedp.Text(chromedp.CSS(".notice"))); !strings.Contains(said, "Foi enviado um código") {
		t.Fatalf("after asking for a code: %q", said)
	}
	ms, _ := f.Desk.Mails(f.Ctx, modeltest.A)
	if len(ms) == 0 || ms[0].Kind != model.MailCredentialCode || !strings.Contains(ms[0].Subject, "Valide o acesso à API") {
		t.Fatalf("the code's mail: %+v", ms)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ms[0].Link), chromedp.WaitVisible(chromedp.ID("code"))); err != nil {
		t.Fatal(err)
	}
	if filled := run(t, ctx, chromedp.Value(chromedp.ID("code"))); filled != ms[0].Token {
		t.Errorf("the mail's link filled in %q, its code is %q", filled, ms[0].Token)
	}
	shot("credential-2-code")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[value="validate"]`)), chromedp.WaitVisible(chromedp.CSS(".notice"))); err != nil {
		t.Fatal(err)
	}
	if said := run(t, ctx, chromedp.Text(chromedp.CSS(".notice"))); !strings.Contains(said, "Validado: a aplicação pode agora atuar como "+string(modeltest.A)) {
		t.Fatalf("after validating: %q", said)
	}
	shot("credential-3-validated")
	if _, err := f.Desk.APISigned(f.Ctx, modeltest.TagBox{}, app.AppKey, got.ConsumerKey, func(secret string) bool { return secret == app.AppSecret }); err != nil {
		t.Fatalf("the key validated in the browser: %v", err)
	}
	// Back to the application: the link the page offers (it also goes
	// by itself a moment later).
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[rel="noreferrer"]`)), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	if at := run(t, ctx, chromedp.Location()); at != srv.URL+"/healthz" {
		t.Errorf("back to the application: at %s", at)
	}
}
