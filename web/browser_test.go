package web_test

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"contactdesk/model"
	"contactdesk/model/demo"
	"contactdesk/model/modeltest"
	"contactdesk/web"
)

var screenshots = flag.Bool("screenshots", false, "write the README's screenshots of the page (docs/web-*.png) with the browser")

// chromium finds a Chromium (or Chrome) to drive: $CHROMIUM, else the
// usual names on the PATH. The test is skipped, saying so, only where
// there is none; .ci/run installs Debian's chromium.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium on this machine (chromium, chromium-browser, google-chrome, or $CHROMIUM): the page is not tried in a real browser; on Debian: apt-get install chromium")
	return ""
}

// browser starts a headless Chromium of its own, with a fresh profile,
// talking to nothing but the test's server.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// served is a desk whose page a real server serves, its public URL set
// to that server, so that the mails link to it.
func served(t *testing.T) (*modeltest.Fixture, *httptest.Server) {
	f := modeltest.New(t, openTemp)
	srv := httptest.NewServer(web.New(f.Desk, web.Options{}))
	t.Cleanup(srv.Close)
	f.Set(model.SettingPublicURL, srv.URL)
	return f, srv
}

// mailLink is the link of h's newest mail for request id.
func mailLink(t *testing.T, f *modeltest.Fixture, h model.Handle, id int64) string {
	t.Helper()
	ms, err := f.Desk.Mails(f.Ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.RequestID == id && m.Kind == model.MailConfirm {
			return m.Link
		}
	}
	t.Fatalf("%s has no mail for request #%d", h, id)
	return ""
}

// answerInBrowser opens a mail's link to a request, checks the token
// the page filled in, clicks a button and returns what the page then
// says.
func answerInBrowser(t *testing.T, ctx context.Context, link, token, button string) string {
	return answerPageInBrowser(t, ctx, link, token, button, "Request #")
}

// answerPageInBrowser is answerInBrowser on any page with a form,
// whose title holds title.
func answerPageInBrowser(t *testing.T, ctx context.Context, link, token, button, title string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("token"))); err != nil {
		t.Fatalf("in the browser, at %s: %v", link, err)
	}
	if filled := run(t, ctx, chromedp.Value(chromedp.ID("token"))); filled != token {
		t.Errorf("the page filled in %q, the mail's token is %q", filled, token)
	}
	if got := run(t, ctx, chromedp.Title()); !strings.Contains(got, title) {
		t.Errorf("the page's title: %q, want %q in it", got, title)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[value="`+button+`"]`)), chromedp.WaitVisible(chromedp.CSS(".notice"))); err != nil {
		t.Fatalf("clicking %s: %v", button, err)
	}
	return run(t, ctx, chromedp.Text(chromedp.CSS(".notice")))
}

// run runs one action that reads something, and fails the test on an
// error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// buttons counts the page's buttons.
func buttons(t *testing.T, ctx context.Context) int {
	return run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("button").length`))
}

// TestBrowserAccept: each party opens the link of its mail in Chromium,
// finds its token filled in, clicks Accept, and reads the result; the
// last one's click makes the change.
func TestBrowserAccept(t *testing.T) {
	f, _ := served(t)
	ctx := browser(t, 1000, 900)
	r := f.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	steps := []struct {
		who  model.Handle
		says string
	}{
		{modeltest.T, "You accepted request #1; still waiting for ad11111-ovh and ne44444-ovh."},
		{modeltest.A, "You accepted request #1; still waiting for ne44444-ovh."},
		{modeltest.N, "Done: ne44444-ovh is now the tech contact of example.com."},
	}
	for _, s := range steps {
		link := mailLink(t, f, s.who, r.ID)
		if said := answerInBrowser(t, ctx, link, f.Token(s.who, r.ID), "accept"); said != s.says {
			t.Errorf("%s clicked Accept, and the page says %q, want %q", s.who, said, s.says)
		}
	}
	if s := f.Service(modeltest.Example); s.Tech != modeltest.N {
		t.Errorf("the tech contact is %s", s.Tech)
	}
	// Reloaded (the form sent again): the page says it is done, and
	// offers no button.
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".notice"))); err != nil {
		t.Fatal(err)
	}
	if said, n := run(t, ctx, chromedp.Text(chromedp.CSS(".notice"))), buttons(t, ctx); !strings.Contains(said, "already done") || n != 0 {
		t.Errorf("after a reload: %q, %d buttons", said, n)
	}
}

// TestBrowserRefuse: a party refuses from the page; the others' links
// then say so, with no buttons.
func TestBrowserRefuse(t *testing.T) {
	f, _ := served(t)
	ctx := browser(t, 1000, 900)
	r := f.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	said := answerInBrowser(t, ctx, mailLink(t, f, modeltest.T, r.ID), f.Token(modeltest.T, r.ID), "refuse")
	if want := "You refused request #1: the tech contact of example.com stays te22222-ovh."; said != want {
		t.Errorf("the page says %q, want %q", said, want)
	}
	if got := f.Request(modeltest.A, r.ID); got.State != model.StateRefused {
		t.Errorf("state %s", got.State)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(mailLink(t, f, modeltest.N, r.ID)), chromedp.WaitVisible(chromedp.CSS(".notice"))); err != nil {
		t.Fatal(err)
	}
	if said, n := run(t, ctx, chromedp.Text(chromedp.CSS(".notice"))), buttons(t, ctx); !strings.Contains(said, "already refused") || n != 0 {
		t.Errorf("another party's link after the refusal: %q, %d buttons", said, n)
	}
}

// TestBrowserConfirmEmail: the link of the mail that proves a new
// address opens, in Chromium, with its token filled in; Confirm makes
// the change, and the link then offers no button.
func TestBrowserConfirmEmail(t *testing.T) {
	f, _ := served(t)
	ctx := browser(t, 1000, 900)
	if _, err := f.Desk.AskEmailChange(f.Ctx, modeltest.T, "ted@new.example"); err != nil {
		t.Fatal(err)
	}
	ms, err := f.Desk.Mails(f.Ctx, modeltest.T)
	if err != nil {
		t.Fatal(err)
	}
	m := ms[0]
	said := answerPageInBrowser(t, ctx, m.Link, m.Token, "accept", "New e-mail address for te22222-ovh")
	if want := "Confirmed: te22222-ovh now receives its mail at ted@new.example."; said != want {
		t.Errorf("the page says %q, want %q", said, want)
	}
	if a, _ := f.Desk.Account(f.Ctx, modeltest.T); a.Email != "ted@new.example" {
		t.Errorf("the address is %q", a.Email)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(m.Link), chromedp.WaitVisible(chromedp.CSS(".notice"))); err != nil {
		t.Fatal(err)
	}
	if said, n := run(t, ctx, chromedp.Text(chromedp.CSS(".notice"))), buttons(t, ctx); !strings.Contains(said, "already confirmed") || n != 0 {
		t.Errorf("the link once confirmed: %q, %d buttons", said, n)
	}
}

// TestScreenshots writes the README's pictures of the page, on the demo
// desk, when asked: go test ./web -run Screenshots -screenshots.
func TestScreenshots(t *testing.T) {
	if !*screenshots {
		t.Skip("the README's screenshots are made with -screenshots")
	}
	st := openTemp(t)
	d := model.NewDesk(st, model.Options{})
	if _, err := demo.Load(context.Background(), d, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(d, web.Options{}))
	defer srv.Close()
	ctx := context.Background()
	if _, err := d.SetSetting(ctx, model.SettingPublicURL, srv.URL); err != nil {
		t.Fatal(err)
	}
	rs, err := d.CreateRequest(ctx, "xx11111-ovh", model.NewRequest{Service: "xara.pt", Roles: []model.Role{model.Tech}, To: "cd67890-ovh"})
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := d.Mails(ctx, "cd67890-ovh")
	// The page speaks its party's language: the README shows it in
	// English, and on a phone in Portuguese, once the requester has
	// accepted (a party's answer is the widest cell of the page).
	for _, shot := range []struct {
		file          string
		width, height int64
		mobile        bool
		lang          string
		answered      bool
	}{{"../docs/web-request.png", 900, 900, false, "en", false}, {"../docs/web-request-phone.png", 390, 844, true, "pt", true}} {
		if _, err := d.SetLang(ctx, "cd67890-ovh", shot.lang); err != nil {
			t.Fatal(err)
		}
		if shot.answered {
			mine, _ := d.Mails(ctx, "xx11111-ovh")
			for _, m := range mine {
				if m.RequestID == rs[0].ID && m.Kind == model.MailConfirm {
					if _, err := d.Accept(ctx, "xx11111-ovh", rs[0].ID, m.Token); err != nil {
						t.Fatal(err)
					}
					break
				}
			}
		}
		bctx := browser(t, 1000, 1000)
		viewport := chromedp.EmulateViewport(shot.width, shot.height)
		if shot.mobile {
			viewport = chromedp.EmulateViewport(shot.width, shot.height, chromedp.EmulateMobile)
		}
		if err := chromedp.Do(bctx, viewport, chromedp.Navigate(ms[0].Link), chromedp.WaitVisible(chromedp.ID("token"))); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(shot.file, run(t, bctx, chromedp.FullScreenshot(100)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
