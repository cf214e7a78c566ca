package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"contactdesk/model"
	"contactdesk/model/modeltest"
)

// layout is what a phone's reader sees of a page's width.
type layout struct {
	ScrollWidth int      `json:"scrollWidth"` // the page's width…
	Width       int      `json:"width"`       // …and the screen's
	Over        []string `json:"over"`        // what reaches past its edge
	Broken      []string `json:"broken"`      // names split over two lines
	Copied      []string `json:"copied"`      // names as a copy of the page gives them
}

// measureJS reads the page in the browser: how wide it is, what
// passes the screen's right edge, which of the names (%s, a JSON list)
// are broken over two lines, and which of them a copy of the page gives
// as they are.
const measureJS = `(() => {
  const de = document.documentElement, names = %s;
  const out = {scrollWidth: de.scrollWidth, width: de.clientWidth, over: [], broken: [], copied: []};
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > de.clientWidth + 0.5 || r.left < -0.5)) {
      out.over.push(el.tagName.toLowerCase() + ": " + el.textContent.trim().slice(0, 50));
    }
  }
  const walk = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    for (const name of names) {
      for (let i = n.data.indexOf(name); i >= 0; i = n.data.indexOf(name, i + 1)) {
        const r = document.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + name.length);
        const tops = new Set([...r.getClientRects()].filter(q => q.width > 0).map(q => Math.round(q.top)));
        if (tops.size > 1) out.broken.push(name + " in " + JSON.stringify(n.parentElement.textContent.trim()));
      }
    }
  }
  const sel = window.getSelection();
  sel.removeAllRanges();
  const all = document.createRange();
  all.selectNodeContents(document.querySelector("main"));
  sel.addRange(all);
  const copy = sel.toString();
  sel.removeAllRanges();
  for (const name of names) if (copy.includes(name)) out.copied.push(name);
  return JSON.stringify(out);
})()`

// TestPhoneWidths: on a phone (390 and 375 px wide, and 320), in each
// language, the page of a request whose parties have all answered fits
// the screen: no sideways scroll, no column cut at the edge; handles
// and service names are never broken at their hyphen, and a copy of
// the page gives them as they are.
func TestPhoneWidths(t *testing.T) {
	f, _ := served(t)
	ctx := browser(t, 1000, 1000)
	const service = "mx-xara"
	if _, err := f.Desk.AddService(f.Ctx, model.NewService{Name: service, Type: model.TypeEmail,
		Admin: string(modeltest.A), Tech: string(modeltest.T), Billing: string(modeltest.B)}); err != nil {
		t.Fatal(err)
	}
	// One request done (everyone accepted), one refused by the last.
	done := f.Create(modeltest.A, service, modeltest.N, model.Tech)[0]
	for _, h := range []model.Handle{modeltest.T, modeltest.A, modeltest.N} {
		f.Accept(h, done.ID)
	}
	f.Clock.Advance(time.Hour)
	refused := f.Create(modeltest.A, service, modeltest.N2, model.Billing)[0]
	f.Accept(modeltest.A, refused.ID)
	f.Accept(modeltest.N2, refused.ID)
	if _, err := f.Desk.Refuse(f.Ctx, modeltest.B, refused.ID, f.Token(modeltest.B, refused.ID)); err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		what  string
		who   model.Handle
		id    int64
		names []string // the handles and the service it shows
	}{
		{"done", modeltest.N, done.ID, []string{string(modeltest.A), string(modeltest.T), string(modeltest.N), service}},
		{"refused", modeltest.B, refused.ID, []string{string(modeltest.A), string(modeltest.B), string(modeltest.N2), service}},
	}
	for _, lang := range []string{"en", "pt", "fr"} {
		for _, p := range pages {
			if _, err := f.Desk.SetLang(f.Ctx, p.who, lang); err != nil {
				t.Fatal(err)
			}
			link := mailLink(t, f, p.who, p.id)
			for _, width := range []int64{390, 375, 320} {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900, chromedp.EmulateMobile), chromedp.Navigate(link),
					chromedp.WaitVisible(chromedp.CSS("table"))); err != nil {
					t.Fatal(err)
				}
				var got layout
				if err := json.Unmarshal([]byte(run(t, ctx, chromedp.Evaluate[string](fmt.Sprintf(measureJS, mustJSON(p.names))))), &got); err != nil {
					t.Fatal(err)
				}
				what := fmt.Sprintf("the %s request's page in %s at %d px", p.what, lang, width)
				if got.ScrollWidth > got.Width {
					t.Errorf("%s scrolls sideways: %d px wide on a screen of %d", what, got.ScrollWidth, got.Width)
				}
				if len(got.Over) > 0 {
					t.Errorf("%s: past the screen's edge:\n  %s", what, strings.Join(got.Over, "\n  "))
				}
				if len(got.Broken) > 0 {
					t.Errorf("%s: broken over two lines:\n  %s", what, strings.Join(got.Broken, "\n  "))
				}
				if len(got.Copied) != len(p.names) {
					t.Errorf("%s: a copy of the page gives %v of the names %v", what, got.Copied, p.names)
				}
			}
		}
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestTokenFieldFitsAPhone: a token filled in the field (a request's
// page, and an e-mail change's, in each language) shows whole on a
// phone, its last characters not cut at the field's edge.
func TestTokenFieldFitsAPhone(t *testing.T) {
	f, _ := served(t)
	ctx := browser(t, 1000, 1000)
	r := f.Create(modeltest.A, modeltest.Example, modeltest.N, model.Tech)[0]
	for _, lang := range []string{"en", "pt", "fr"} {
		if _, err := f.Desk.SetLang(f.Ctx, modeltest.T, lang); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Desk.AskEmailChange(f.Ctx, modeltest.T, "ted-"+lang+"@new.example"); err != nil {
			t.Fatal(err)
		}
		ms, err := f.Desk.Mails(f.Ctx, modeltest.T)
		if err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(time.Hour) // three changes an hour at most
		for _, link := range []string{ms[0].Link, mailLink(t, f, modeltest.T, r.ID)} {
			for _, width := range []int64{375, 320} {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900, chromedp.EmulateMobile), chromedp.Navigate(link),
					chromedp.WaitVisible(chromedp.CSS("#token"))); err != nil {
					t.Fatal(err)
				}
				if !run(t, ctx, chromedp.Evaluate[bool](`(() => { const i = document.getElementById("token"); return i.value.length > 0 && i.scrollWidth <= i.clientWidth; })()`)) {
					t.Errorf("in %s at %d px, the token is cut in its field: %s", lang, width, link)
				}
			}
		}
	}
}
