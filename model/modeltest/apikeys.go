package modeltest

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
)

// TagBox is a SecretBox for tests: it seals by writing the secret after
// what it is about, reversed, and opens only what was sealed about the
// same thing. The API's real box is AES-GCM (package api).
type TagBox struct{}

// Seal implements model.SecretBox.
func (TagBox) Seal(secret, about []byte) ([]byte, error) {
	out := append([]byte("sealed:"+string(about)+":"), secret...)
	for i, j := len(about)+8, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// Open implements model.SecretBox.
func (TagBox) Open(sealed, about []byte) ([]byte, error) {
	prefix := []byte("sealed:" + string(about) + ":")
	if !bytes.HasPrefix(sealed, prefix) {
		return nil, errors.New("not sealed about this")
	}
	out := bytes.Clone(sealed[len(prefix):])
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

func testAPIKeys(t *testing.T, open Opener) {
	f := New(t, open)
	box := TagBox{}
	_, err := f.Desk.AddAPIKey(f.Ctx, "zz99999-ovh", "", box)
	IsKind(t, err, model.ErrUnknownAccount, "a key for nobody")
	_, err = f.Desk.AddAPIKey(f.Ctx, A, "bad\x1b[2Jname", box)
	IsKind(t, err, model.ErrInvalid, "a name with an escape sequence")

	c, err := f.Desk.AddAPIKey(f.Ctx, A, "nightly sync", box)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.AppKey) != 16 || len(c.AppSecret) != 32 || len(c.ConsumerKey) != 32 || c.Handle != A || c.Name != "nightly sync" || !c.Created.Equal(Start) {
		t.Fatalf("new key: %+v", c)
	}
	f.Clock.Advance(time.Minute)
	c2, err := f.Desk.AddAPIKey(f.Ctx, A, "", box)
	if err != nil || c2.AppKey == c.AppKey || c2.AppSecret == c.AppSecret || c2.ConsumerKey == c.ConsumerKey {
		t.Fatalf("a second key shares credentials with the first: %+v %v", c2, err)
	}
	ks, err := f.Desk.APIKeys(f.Ctx, A)
	if err != nil || len(ks) != 2 || ks[0].AppKey != c.AppKey || ks[0].Name != "nightly sync" || !ks[0].LastUsed.IsZero() {
		t.Fatalf("A's keys: %+v %v", ks, err)
	}
	// Made without rules, a key may make every call.
	if cs := ks[0].Consumers; len(cs) != 1 || cs[0].State != model.CredentialValidated || !reflect.DeepEqual(cs[0].Rules, model.AllRights) || !reflect.DeepEqual(c.Rules, model.AllRights) {
		t.Fatalf("the consumer keys of a key made without rules: %+v", cs)
	}
	if ks, _ := f.Desk.APIKeys(f.Ctx, T); len(ks) != 0 {
		t.Fatalf("T has keys: %+v", ks)
	}
	_, err = f.Desk.APIKeys(f.Ctx, "zz99999-ovh")
	IsKind(t, err, model.ErrUnknownAccount, "the keys of nobody")

	// A bearer: the consumer key alone.
	f.Clock.Advance(time.Hour)
	who, err := f.Desk.APIBearer(f.Ctx, c.ConsumerKey)
	if err != nil || who.Handle != A || who.AppKey != c.AppKey {
		t.Fatalf("bearer: %+v %v", who, err)
	}
	for _, bad := range []string{"", c.AppKey, c.AppSecret, c.ConsumerKey[:31], strings.ToLower(c.ConsumerKey) + "x", strings.Repeat("x", 1000)} {
		_, err := f.Desk.APIBearer(f.Ctx, bad)
		IsKind(t, err, model.ErrCredentials, "bearer "+bad)
	}
	// Checked, a key is not used yet: its rules may still refuse the
	// call; the door notes the use of a call they grant.
	ks, _ = f.Desk.APIKeys(f.Ctx, A)
	if !ks[0].LastUsed.IsZero() {
		t.Errorf("last used after a call checked, not yet allowed: %v", ks[0].LastUsed)
	}
	f.Desk.APIUsed(f.Ctx, who)
	ks, _ = f.Desk.APIKeys(f.Ctx, A)
	if !ks[0].LastUsed.Equal(f.Clock.Now()) || !ks[1].LastUsed.IsZero() {
		t.Errorf("last used after a call: %v, %v", ks[0].LastUsed, ks[1].LastUsed)
	}

	// Signed: the right application key, and a signature made with its
	// secret.
	var seen string
	signed := func(secret string) bool { seen = secret; return secret == c.AppSecret }
	if who, err := f.Desk.APISigned(f.Ctx, box, c.AppKey, c.ConsumerKey, signed); err != nil || who.Handle != A || seen != c.AppSecret {
		t.Fatalf("signed: %+v %v (secret seen: %q)", who, err, seen)
	}
	_, err = f.Desk.APISigned(f.Ctx, box, c2.AppKey, c.ConsumerKey, signed)
	IsKind(t, err, model.ErrCredentials, "another key's application key")
	_, err = f.Desk.APISigned(f.Ctx, box, c.AppKey, c.ConsumerKey, func(string) bool { return false })
	IsKind(t, err, model.ErrCredentials, "a wrong signature")
	// Only a call that passed counts as a use.
	_, err = f.Desk.APISigned(f.Ctx, box, c2.AppKey, c2.ConsumerKey, func(string) bool { return false })
	IsKind(t, err, model.ErrCredentials, "a wrong signature with the other key")
	if ks, _ := f.Desk.APIKeys(f.Ctx, A); !ks[1].LastUsed.IsZero() {
		t.Errorf("a refused call was recorded as a use: %v", ks[1].LastUsed)
	}
	// A secret this node can't open is the server's problem, not a refusal.
	_, err = f.Desk.APISigned(f.Ctx, otherBox{}, c.AppKey, c.ConsumerKey, signed)
	if !errors.Is(err, model.ErrStorage) || model.IsRefusal(err) || strings.Contains(err.Error(), c.AppSecret) {
		t.Errorf("a secret sealed under another key: %v, want a storage failure that shows no secret", err)
	}

	// Rules: a key made with them may make only their calls; bad rules
	// make nothing.
	before, _ := f.Desk.APIKeys(f.Ctx, "")
	for _, bad := range [][]model.APIRule{{{Method: "PATCH", Path: "/me"}}, {{Method: "GET", Path: "me"}}, {{Method: "GET", Path: "/me"}, {Method: "GET", Path: "/a b"}}} {
		_, err := f.Desk.AddAPIKey(f.Ctx, A, "", box, bad...)
		IsKind(t, err, model.ErrInvalid, "bad rules")
	}
	if after, _ := f.Desk.APIKeys(f.Ctx, ""); len(after) != len(before) {
		t.Fatalf("refused rules made a key: %d keys, then %d", len(before), len(after))
	}
	ro, err := f.Desk.AddAPIKey(f.Ctx, T, "dashboard", box, model.APIRule{Method: "get", Path: "/me"}, model.APIRule{Method: "GET", Path: "/me/*"})
	if err != nil || len(ro.Rules) != 2 || ro.Rules[0] != (model.APIRule{Method: "GET", Path: "/me"}) {
		t.Fatalf("a read-only key: %+v %v", ro, err)
	}
	who, err = f.Desk.APIBearer(f.Ctx, ro.ConsumerKey)
	if err != nil || who.Handle != T || !who.Granted("GET", "/me") || !who.Granted("GET", "/me/task/contactChange/3") || who.Granted("POST", "/me/task/contactChange/3/accept") || who.Granted("GET", "/domain") {
		t.Fatalf("the read-only key as it calls: %+v %v", who, err)
	}

	// Removed: refused at once, and only once.
	k, err := f.Desk.RemoveAPIKey(f.Ctx, " "+c.AppKey+" ")
	if err != nil || k.AppKey != c.AppKey || k.Handle != A {
		t.Fatalf("remove: %+v %v", k, err)
	}
	_, err = f.Desk.APIBearer(f.Ctx, c.ConsumerKey)
	IsKind(t, err, model.ErrCredentials, "a removed key")
	_, err = f.Desk.RemoveAPIKey(f.Ctx, c.AppKey)
	IsKind(t, err, model.ErrNotFound, "removing twice")
	if _, err := f.Desk.APIBearer(f.Ctx, c2.ConsumerKey); err != nil {
		t.Fatalf("the other key stopped working: %v", err)
	}

	// History: who got and lost a key, never a secret.
	var lines []string
	var hs []model.HistoryEntry
	f.Store.View(f.Ctx, func(tx model.Tx) error {
		var err error
		hs, err = tx.History(model.SupportActor, 0, 0, 0)
		return err
	})
	for _, h := range hs {
		if h.Action == model.ActAPIKeyAdd || h.Action == model.ActAPIKeyRemove {
			lines = append(lines, h.Action+" "+h.Detail)
			for _, s := range []string{c.AppSecret, c.ConsumerKey, c2.AppSecret, c2.ConsumerKey} {
				if strings.Contains(h.Detail, s) {
					t.Errorf("a history line shows a secret: %s", h.Detail)
				}
			}
		}
	}
	want := []string{
		"apikey.remove API key " + c.AppKey + " (nightly sync) of " + string(A) + " removed",
		"apikey.add API key " + ro.AppKey + " (dashboard) added for " + string(T) + ", allowed GET /me, GET /me/*",
		"apikey.add API key " + c2.AppKey + " added for " + string(A),
		"apikey.add API key " + c.AppKey + " (nightly sync) added for " + string(A),
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("history:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// otherBox opens nothing: the box of a node given another key file.
type otherBox struct{ TagBox }

func (otherBox) Open([]byte, []byte) ([]byte, error) {
	return nil, errors.New("message authentication failed")
}
