package api

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"contactdesk/model"
)

// MaxSkew is how far a signed call's timestamp may be from the server's
// time. Clients correct their clock with GET /1.0/auth/time first, so a
// few seconds is all an honest one is off by; a signed call can be
// replayed within this window, as with the provider.
const MaxSkew = 3 * time.Minute

// authenticate checks a call's credentials, the provider's way: a signed
// call (X-Ovh-Application, X-Ovh-Consumer, X-Ovh-Timestamp,
// X-Ovh-Signature), or a bearer (Authorization: Bearer CONSUMER_KEY, as
// go-ovh's NewAccessTokenClient sends). body is the call's whole body.
func (h *Handler) authenticate(r *http.Request, body []byte, now time.Time) (model.APIConsumer, error) {
	for _, hd := range []string{"Authorization", "X-Ovh-Application", "X-Ovh-Consumer", "X-Ovh-Timestamp", "X-Ovh-Signature"} {
		if len(r.Header.Values(hd)) > 1 {
			return model.APIConsumer{}, fail(http.StatusUnauthorized, "NOT_AUTHENTICATED", "send one "+hd+" header: which of them was meant can't be known")
		}
	}
	if scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "Bearer") {
		// A bearer beside a signed call's own headers: which one was
		// meant? (X-Ovh-Application alone is no credential: clients
		// send it with either.)
		for _, hd := range []string{"X-Ovh-Consumer", "X-Ovh-Timestamp", "X-Ovh-Signature"} {
			if r.Header.Get(hd) != "" {
				return model.APIConsumer{}, fail(http.StatusUnauthorized, "NOT_AUTHENTICATED", "send either Authorization: Bearer or a signed call's headers, not both ("+hd+" came with a bearer)")
			}
		}
		return h.d.APIBearer(r.Context(), strings.TrimSpace(token))
	}
	app, ck := r.Header.Get("X-Ovh-Application"), r.Header.Get("X-Ovh-Consumer")
	ts, sig := r.Header.Get("X-Ovh-Timestamp"), r.Header.Get("X-Ovh-Signature")
	var missing []string
	for _, hd := range []struct{ name, v string }{{"X-Ovh-Application", app}, {"X-Ovh-Consumer", ck}, {"X-Ovh-Timestamp", ts}, {"X-Ovh-Signature", sig}} {
		if hd.v == "" {
			missing = append(missing, hd.name)
		}
	}
	switch {
	case len(missing) == 4:
		return model.APIConsumer{}, fail(http.StatusUnauthorized, "NOT_AUTHENTICATED",
			"You must login first: sign the call (X-Ovh-Application, X-Ovh-Consumer, X-Ovh-Timestamp, X-Ovh-Signature) or send Authorization: Bearer CONSUMER_KEY")
	case len(missing) > 0:
		return model.APIConsumer{}, fail(http.StatusUnauthorized, "NOT_AUTHENTICATED", "a signed call needs the headers "+strings.Join(missing, ", "))
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return model.APIConsumer{}, fail(http.StatusBadRequest, "INVALID_TIMESTAMP", "X-Ovh-Timestamp must be a Unix time in seconds")
	}
	if skew := now.Sub(time.Unix(t, 0)); skew > MaxSkew || skew < -MaxSkew {
		return model.APIConsumer{}, fail(http.StatusBadRequest, "QUERY_TIME_OUT",
			"Query out of time: its timestamp is more than 3 minutes from the server's time; correct the clock with GET /1.0/auth/time")
	}
	box := &opening{SecretBox: h.o.Secrets}
	k, err := h.d.APISigned(r.Context(), box, app, ck, func(secret string) bool {
		signed := func(url string) bool {
			want := Signature(secret, ck, r.Method, url, body, ts)
			return subtle.ConstantTimeCompare([]byte(want), []byte(sig)) == 1
		}
		url := h.fullURL(r)
		if signed(url) || signedPortless(url, signed) {
			return true
		}
		pub := h.publicURL(r)
		return pub != "" && pub != url && (signed(pub) || signedPortless(pub, signed))
	})
	if err != nil && box.failed {
		h.sealedElsewhere(app)
		return model.APIConsumer{AppKey: app}, errSealedElsewhere
	}
	return k, err
}

// errSealedElsewhere answers a signed call whose key's application
// secret this server can't open: the key was made under another API
// secret key (another --api-secret-key file, or one made anew after the
// file was lost). Trying again never helps, so it is not a failure of
// the desk (500) but a key that can't be used here, as the provider
// answers an unusable application key.
var errSealedElsewhere = fail(http.StatusForbidden, "INVALID_KEY",
	"this application key can't be used with this server: it was made under another API secret key; it must be made again (contactdesk api-key add)")

// opening is a SecretBox that remembers whether a secret failed to open.
type opening struct {
	model.SecretBox
	failed bool
}

func (b *opening) Open(sealed, about []byte) ([]byte, error) {
	secret, err := b.SecretBox.Open(sealed, about)
	if err != nil {
		b.failed = true
	}
	return secret, err
}

// sealedElsewhere logs, once per application key, that its secret does
// not open with this server's API secret key: every signed call of that
// key is refused until the operator acts.
func (h *Handler) sealedElsewhere(appKey string) {
	if _, told := h.sealedTold.LoadOrStore(appKey, true); told {
		return
	}
	h.log.Error("API key "+appKey+" can't sign calls on this server: its application secret does not open with this server's API secret key; "+
		"start serve with the key file (--api-secret-key) it was made with, or make the key again with contactdesk api-key add",
		"app_key", appKey)
}

// signedPortless says whether a call to url, whose host names a port,
// was signed for the same URL without it. The provider's Node.js client
// (ovh on npm, lib/ovh.es6.js) signs "https://" + its host option + the
// path, whatever port it calls, and sends the port in its Host header:
// against a desk served on another port than 443, every call it signed
// was refused. The port adds nothing to what the signature proves (the
// secret, the method, the path, the body and the time), so the URL
// without it is as good.
func signedPortless(url string, signed func(string) bool) bool {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return false
	}
	hostport, path, _ := strings.Cut(rest, "/")
	host, _, err := net.SplitHostPort(hostport)
	if err != nil || strings.Contains(host, ":") { // no port; or IPv6, which that client can't call
		return false
	}
	return signed(scheme + "://" + host + "/" + path)
}

// Signature is what X-Ovh-Signature must hold: "$1$" and the hex SHA-1
// of the application secret, the consumer key, the method, the whole URL
// the client called, the body and the timestamp, joined by "+".
func Signature(secret, consumerKey, method, url string, body []byte, timestamp string) string {
	s := sha1.New()
	for i, part := range [][]byte{[]byte(secret), []byte(consumerKey), []byte(method), []byte(url), body, []byte(timestamp)} {
		if i > 0 {
			s.Write([]byte{'+'})
		}
		s.Write(part)
	}
	return "$1$" + hex.EncodeToString(s.Sum(nil))
}

// fullURL is the URL the client called, as it signed it: its scheme and
// host, then the path and query exactly as they came. Behind a trusted
// reverse proxy, the scheme and host are the ones the proxy says the
// client used.
func (h *Handler) fullURL(r *http.Request) string {
	if r.URL.IsAbs() { // a client that sent the absolute form
		return r.RequestURI
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if h.o.TrustProxy {
		if v := lastValue(r.Header, "X-Forwarded-Proto"); v != "" {
			scheme = v
		}
		if v := lastValue(r.Header, "X-Forwarded-Host"); v != "" {
			host = v
		}
	}
	return scheme + "://" + host + r.RequestURI
}

// publicURL is the URL the client called as the desk's public-url says
// it, behind a reverse proxy (Options.BehindProxy): the proxy's scheme
// and host (and the path it serves the desk below, which it strips),
// then the path and query exactly as they came. A proxy that terminates
// TLS passes on a plain HTTP request, often with a Host of its own
// (nginx's proxy_pass sends the upstream's): without X-Forwarded-Proto
// and -Host, or without --trust-proxy to believe them, the URL the
// client signed, https://desk.example.net/1.0/…, is known to the server
// by that setting alone. It is "" when the server is reached directly,
// or no public-url is set (or it can't be read).
func (h *Handler) publicURL(r *http.Request) string {
	if !h.o.BehindProxy || r.URL.IsAbs() {
		return ""
	}
	set, err := h.d.Settings(r.Context())
	if err != nil || set.PublicURL() == "" {
		return ""
	}
	return set.PublicURL() + r.RequestURI
}

// lastValue is the last of a header's comma-separated values, over all
// its lines: the one the nearest proxy set.
func lastValue(hd http.Header, name string) string {
	vs := hd.Values(name)
	if len(vs) == 0 {
		return ""
	}
	parts := strings.Split(vs[len(vs)-1], ",")
	return strings.TrimSpace(parts[len(parts)-1])
}
