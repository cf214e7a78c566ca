package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"contactdesk/model"
	"contactdesk/model/modeltest"
)

// TestCredentialPageShowsALookalikeSite: the validation page says where
// a validated key's page goes, so that its account tells its
// application's site from a lookalike. A host in letters of another
// script is shown as the browser looks it up, in its ASCII form: the
// Cyrillic "а" of "аpple.com" read as "https://apple.com", the site it
// imitates. An ASCII host, and its port, are shown as they are.
func TestCredentialPageShowsALookalikeSite(t *testing.T) {
	f, _ := served(t)
	app, err := f.Desk.AddAPIKey(f.Ctx, modeltest.A, "", modeltest.TagBox{})
	if err != nil {
		t.Fatal(err)
	}
	for redirection, want := range map[string]string{
		"https://\u0430pple.com/back?x=1":  "https://xn--pple-43d.com",
		"https://CAFÉ.example:8443/done":   "https://xn--caf-dma.example:8443",
		"https://app.example.com:8443/x/y": "https://app.example.com:8443",
	} {
		got, err := f.Desk.AskCredential(f.Ctx, app.AppKey, []model.APIRule{{Method: "GET", Path: "/me"}}, redirection)
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.Get(got.ValidationURL)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body := string(b)
		_, shown, _ := strings.Cut(body, `<dd class="goes-to">`)
		shown, _, _ = strings.Cut(shown, "</dd>")
		shown = strings.NewReplacer(`<span class="whole">`, "", "</span>", "").Replace(shown)
		if res.StatusCode != http.StatusOK || shown != want || strings.Contains(body, "\u0430pple") {
			t.Errorf("%s: the page (%d) does not say it goes to %s:\n%s", redirection, res.StatusCode, want, body)
		}
	}
}

// TestCredentialPageOnAPhone: the validation page of a consumer key, in
// each language, on a phone, never breaks its account's handle at its
// hyphen: the note under "Mail me a code" showed "xx11111-" above "ovh"
// in Portuguese at 390 px, where the rest of the page keeps names whole.
func TestCredentialPageOnAPhone(t *testing.T) {
	f, _ := served(t)
	ctx := browser(t, 1000, 1000)
	app, err := f.Desk.AddAPIKey(f.Ctx, modeltest.A, "painel", modeltest.TagBox{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Desk.AskCredential(f.Ctx, app.AppKey, []model.APIRule{{Method: "GET", Path: "/me"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{string(modeltest.A)}
	for _, lang := range []string{"en", "pt", "fr"} {
		if _, err := f.Desk.SetLang(f.Ctx, modeltest.A, lang); err != nil {
			t.Fatal(err)
		}
		for _, width := range []int64{390, 375, 360, 320} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900, chromedp.EmulateMobile), chromedp.Navigate(got.ValidationURL),
				chromedp.WaitVisible(chromedp.CSS("form"))); err != nil {
				t.Fatal(err)
			}
			var l layout
			if err := json.Unmarshal([]byte(run(t, ctx, chromedp.Evaluate[string](fmt.Sprintf(measureJS, mustJSON(names))))), &l); err != nil {
				t.Fatal(err)
			}
			if len(l.Broken) > 0 {
				t.Errorf("the validation page in %s at %d px: broken over two lines:\n  %s", lang, width, strings.Join(l.Broken, "\n  "))
			}
		}
	}
}
