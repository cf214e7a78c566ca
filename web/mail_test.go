package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"contactdesk/delivery"
	"contactdesk/delivery/smtptest"
	"contactdesk/model"
	"contactdesk/model/modeltest"
	"contactdesk/web"
)

// TestRealMailEndToEnd: as a provider runs it. Mail goes out over SMTP
// to a real server; each party follows the link of the message that
// reached its inbox, finds its token filled in, and accepts from the
// page alone; the contact moves; and the desk's own mailbox never
// shows a token, nor keeps one once the message is out.
func TestRealMailEndToEnd(t *testing.T) {
	smtp, f, d, site := realMail(t)
	ctx := context.Background()
	_, err := d.CreateRequest(ctx, modeltest.A, model.NewRequest{Service: modeltest.Example, Roles: []model.Role{model.Tech}, To: string(modeltest.N)})
	if err != nil {
		t.Fatal(err)
	}
	linkRE := regexp.MustCompile(regexp.QuoteMeta(site.URL) + `/request/(\d+)\?token=(\S+)`)
	inbox := map[string]model.Handle{}
	for _, h := range []model.Handle{modeltest.A, modeltest.T, modeltest.N} {
		inbox[string(h)+"@mail.example"] = h
	}
	order := []model.Handle{modeltest.T, modeltest.N, modeltest.A} // the requester last
	links := map[model.Handle]string{}
	for _, m := range smtp.Wait(t, 3) {
		h, ok := inbox[m.To[0]]
		if !ok {
			t.Fatalf("a message to %s", m.To[0])
		}
		found := linkRE.FindString(m.Body)
		if found == "" {
			t.Fatalf("no link to the page in the message to %s:\n%s", m.To[0], m.Body)
		}
		if strings.Contains(m.Body, "contactdesk request") || strings.Contains(m.Body, "--token") {
			t.Errorf("the message to %s tells support staff's commands:\n%s", m.To[0], m.Body)
		}
		links[h] = found
	}
	client := site.Client()
	for i, h := range order {
		link := links[h]
		token := linkRE.FindStringSubmatch(link)[2]
		res, err := client.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		page := readPage(t, res)
		if res.StatusCode != http.StatusOK || !strings.Contains(textOf(page), "You answer as "+string(h)) {
			t.Fatalf("%s opens its link: %d\n%s", h, res.StatusCode, page)
		}
		form := regexp.MustCompile(`<form method="post" action="([^"]+)">`).FindStringSubmatch(page)
		filled := regexp.MustCompile(`name="token" type="text" value="([^"]*)"`).FindStringSubmatch(page)
		if form == nil || filled == nil || html.UnescapeString(filled[1]) != token {
			t.Fatalf("%s's page has no form with its token filled in:\n%s", h, page)
		}
		action, _ := url.Parse(html.UnescapeString(form[1]))
		res, err = client.PostForm(res.Request.URL.ResolveReference(action).String(),
			url.Values{"token": {html.UnescapeString(filled[1])}, "answer": {"accept"}})
		if err != nil {
			t.Fatal(err)
		}
		page = html.UnescapeString(readPage(t, res))
		want := "You accepted request #1"
		if i == len(order)-1 {
			want = "Done: ne44444-ovh is now the tech contact of example.com."
		}
		if res.StatusCode != http.StatusOK || !strings.Contains(textOf(page), want) {
			t.Fatalf("%s accepts: %d, the page does not say %q:\n%s", h, res.StatusCode, want, page)
		}
	}
	if s := f.Service(modeltest.Example); s.Tech != modeltest.N {
		t.Fatalf("the tech contact of example.com is %s", s.Tech)
	}
	// Every party is told, by real mail too.
	got := smtp.Wait(t, 6)
	for _, m := range got[3:] {
		if !strings.Contains(m.Subject, "done") {
			t.Errorf("outcome: %q", m.Subject)
		}
	}
	// The desk's mailbox: where each token went, never the token; and
	// the stored copies forgot theirs when they went out.
	deadline := time.Now().Add(20 * time.Second)
	for _, h := range order {
		for {
			ms, err := d.Mails(ctx, h)
			if err != nil {
				t.Fatal(err)
			}
			sent := true
			for _, m := range ms {
				sent = sent && m.Delivery == model.DeliverySent
				if m.Token != "" || strings.Contains(m.Body, linkRE.FindStringSubmatch(links[h])[2]) {
					t.Fatalf("%s's mailbox shows a token: %+v", h, m)
				}
				if m.Kind == model.MailConfirm && (!m.TokenWithheld || !strings.Contains(m.Body, "mailed to "+string(h)+"@mail.example")) {
					t.Errorf("%s's mailbox does not say where the token went: %+v", h, m)
				}
			}
			if sent {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s's mails not all sent: %+v", h, ms)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	err = f.Store.View(ctx, func(tx model.Tx) error {
		for _, h := range order {
			ms, err := tx.MailsOf(h)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if m.Token != "" || strings.Contains(m.Link, "token=") {
					t.Errorf("the desk keeps %s's token: %+v", h, m)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// realMail is a desk that delivers its mail for real, to smtp, with its
// page served at site (its public URL).
func realMail(t *testing.T) (*smtptest.Server, *modeltest.Fixture, *model.Desk, *httptest.Server) {
	t.Helper()
	smtp := smtptest.Start(t, smtptest.Options{})
	f := modeltest.New(t, openTemp)
	ctx := context.Background()
	d := model.NewDesk(f.Store, model.Options{})
	if _, err := d.UseRealDelivery(ctx); err != nil { // as a run with --smtp does
		t.Fatal(err)
	}
	server, err := delivery.ParseURL(smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	from, _ := delivery.ParseFrom("Contact desk <desk@provider.example>")
	sender, err := delivery.New(delivery.Config{Server: server, From: from, Poll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sender.Attach(d)
	t.Cleanup(func() { sender.Close() })
	site := httptest.NewServer(web.New(d, web.Options{}))
	t.Cleanup(site.Close)
	if _, err := d.SetSetting(ctx, model.SettingPublicURL, site.URL+"/"); err != nil {
		t.Fatal(err)
	}

	return smtp, f, d, site
}

// TestRealMailEmailChange: a new address is proven from the real inbox
// alone: the message has the page's link, the page confirms the change,
// the old address is told, and the desk keeps no token.
func TestRealMailEmailChange(t *testing.T) {
	smtp, f, d, site := realMail(t)
	ctx := context.Background()
	if _, err := d.AskEmailChange(ctx, modeltest.T, "ted@new.example"); err != nil {
		t.Fatal(err)
	}
	m := smtp.Wait(t, 1)[0]
	linkRE := regexp.MustCompile(regexp.QuoteMeta(site.URL) + `/email/(\d+)\?token=(\S+)`)
	found := linkRE.FindStringSubmatch(m.Body)
	if m.To[0] != "ted@new.example" || found == nil {
		t.Fatalf("the message to %s has no link to the page:\n%s", m.To[0], m.Body)
	}
	client := site.Client()
	res, err := client.Get(found[0])
	if err != nil {
		t.Fatal(err)
	}
	page := html.UnescapeString(readPage(t, res))
	if res.StatusCode != http.StatusOK || !strings.Contains(textOf(page), "te22222-ovh asked to receive its contact desk mail at this address, ted@new.example.") {
		t.Fatalf("the link: %d\n%s", res.StatusCode, page)
	}
	form := regexp.MustCompile(`<form method="post" action="([^"]+)">`).FindStringSubmatch(page)
	if form == nil {
		t.Fatalf("no form:\n%s", page)
	}
	action, _ := url.Parse(form[1])
	res, err = client.PostForm(res.Request.URL.ResolveReference(action).String(), url.Values{"token": {found[2]}, "answer": {"accept"}})
	if err != nil {
		t.Fatal(err)
	}
	page = html.UnescapeString(readPage(t, res))
	if res.StatusCode != http.StatusOK || !strings.Contains(textOf(page), "Confirmed: te22222-ovh now receives its mail at ted@new.example.") {
		t.Fatalf("confirm: %d\n%s", res.StatusCode, page)
	}
	if a, _ := d.Account(ctx, modeltest.T); a.Email != "ted@new.example" {
		t.Errorf("the address is %q", a.Email)
	}
	told := smtp.Wait(t, 2)[1]
	if told.To[0] != string(modeltest.T)+"@mail.example" || !strings.Contains(told.Body, "was changed to ted@new.example") {
		t.Errorf("the old address is not told: %s\n%s", told.To[0], told.Body)
	}
	// Once sent, the stored copy forgot its token and its link's.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var kept bool
		err := f.Store.View(ctx, func(tx model.Tx) error {
			ms, err := tx.MailsOf(modeltest.T)
			for _, m := range ms {
				kept = kept || m.Token != "" || strings.Contains(m.Link, "token=") || strings.Contains(m.Body, found[2])
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !kept {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the desk keeps the token of the change of address")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readPage(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
