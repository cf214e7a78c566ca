package model

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"contactdesk/locale"
	"contactdesk/model/text"
)

// An API key lets a program act as one account through the HTTP API, with
// the three credentials of the provider's API: an application key (which
// names the key, and is no secret), an application secret (which signs
// each call) and a consumer key (which says who the caller is, and alone
// is enough to call as a bearer token).
//
// What is stored is chosen so that a copy of the database alone lets
// nobody call: the consumer key only as its SHA-256 (it is looked up by
// that hash, as a token is), the application secret sealed by a
// SecretBox whose key is kept outside the database (it is needed in
// clear to check a signature, so it can't be hashed).

// APIKey is an API key as listed: never its secrets.
type APIKey struct {
	AppKey   string
	Handle   Handle
	Name     string
	Created  time.Time
	LastUsed time.Time // zero until its first call
}

// APICredentials are a new key's three credentials, shown once.
type APICredentials struct {
	APIKey
	AppSecret   string
	ConsumerKey string
}

// APIKeyRecord is an API key as stored.
type APIKeyRecord struct {
	APIKey
	ConsumerHash [32]byte // SHA-256 of the consumer key
	Secret       []byte   // the application secret, sealed by a SecretBox
}

// SecretBox seals the application secrets for storage and opens them to
// check a signature. Its key lives outside the database; the model never
// sees it. about binds a sealed secret to its key's row: a secret moved
// to another row does not open.
type SecretBox interface {
	Seal(secret, about []byte) ([]byte, error)
	Open(sealed, about []byte) ([]byte, error)
}

// History actions for API keys.
const (
	ActAPIKeyAdd    = "apikey.add"
	ActAPIKeyRemove = "apikey.remove"
)

// The credentials' lengths are the provider's: 16 letters and digits for
// an application key, 32 for a secret or a consumer key (32 symbols of 62
// are 190 bits).
const (
	appKeyLen      = 16
	apiSecretLen   = 32
	apiAlphabet    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	lastUsedStride = time.Minute
)

// randomText draws n symbols of apiAlphabet from crypto/rand, rejecting
// the bytes that would make the draw uneven.
func randomText(n int) string {
	const limit = 256 - 256%len(apiAlphabet)
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		if _, err := rand.Read(buf[:]); err != nil {
			panic("contactdesk: crypto/rand failed: " + err.Error())
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, apiAlphabet[int(c)%len(apiAlphabet)])
			}
		}
	}
	return string(out)
}

// HashConsumerKey is what is stored of a consumer key.
func HashConsumerKey(ck string) [32]byte { return sha256.Sum256([]byte(ck)) }

// AddAPIKey makes an API key for account h (support staff), named name
// (free text, may be empty), its secret sealed by box. The credentials it
// returns are never shown again.
func (d *Desk) AddAPIKey(ctx context.Context, h Handle, name string, box SecretBox) (APICredentials, error) {
	name, err := CheckText("name", "key name", name, MaxNameLen, false)
	if err != nil {
		return APICredentials{}, err
	}
	c := APICredentials{APIKey: APIKey{AppKey: randomText(appKeyLen), Handle: h, Name: name},
		AppSecret: randomText(apiSecretLen), ConsumerKey: randomText(apiSecretLen)}
	sealed, err := box.Seal([]byte(c.AppSecret), []byte(c.AppKey))
	if err != nil {
		return APICredentials{}, fmt.Errorf("%w: can't seal the application secret: %w", ErrStorage, err)
	}
	return write(ctx, d, ActAPIKeyAdd, func(tx Tx, w *work) (APICredentials, error) {
		if _, err := account(tx, h, "handle", ErrUnknownAccount); err != nil {
			return APICredentials{}, err
		}
		c.Created = w.now
		rec := APIKeyRecord{APIKey: c.APIKey, ConsumerHash: HashConsumerKey(c.ConsumerKey), Secret: sealed}
		if err := tx.InsertAPIKey(rec); err != nil {
			return APICredentials{}, err
		}
		return c, d.record(tx, w, SupportActor, ActAPIKeyAdd, 0, 0, fmt.Sprintf("API key %s%s added for %s", c.AppKey, quoted(name), h))
	})
}

func quoted(name string) string {
	if name == "" {
		return ""
	}
	return fmt.Sprintf(" (%s)", name)
}

// APIKeys lists the API keys, of one account or (h empty) of all.
func (d *Desk) APIKeys(ctx context.Context, h Handle) ([]APIKey, error) {
	var ks []APIKey
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		if h != "" {
			if _, err := account(tx, h, "handle", ErrUnknownAccount); err != nil {
				return err
			}
		}
		var err error
		ks, err = tx.APIKeys(h)
		return err
	})
	return ks, err
}

// keyHint is what a refusal shows of a key that matches none: its first
// four characters, enough to tell which was typed. A key pasted in the
// wrong place may be a consumer key or an application secret, which a
// message must not print back whole (to a terminal, a log, a ticket).
func keyHint(k string) string {
	r := []rune(text.Line(k))
	if len(r) > 4 {
		return strconv.Quote(string(r[:4]) + "…")
	}
	return strconv.Quote(string(r))
}

// RemoveAPIKey deletes an API key by its application key: the next call
// made with it, on any node, is refused.
func (d *Desk) RemoveAPIKey(ctx context.Context, appKey string) (APIKey, error) {
	ak := strings.TrimSpace(appKey)
	return write(ctx, d, ActAPIKeyRemove, func(tx Tx, w *work) (APIKey, error) {
		k, err := tx.APIKey(ak)
		if errors.Is(err, ErrNoRow) {
			return APIKey{}, fail(ErrNotFound, "key", "err.apikey.not_found", locale.Args{"AppKey": keyHint(ak)})
		}
		if err != nil {
			return APIKey{}, err
		}
		if err := tx.DeleteAPIKey(ak); err != nil {
			return APIKey{}, err
		}
		return k.APIKey, d.record(tx, w, SupportActor, ActAPIKeyRemove, 0, 0, fmt.Sprintf("API key %s%s of %s removed", k.AppKey, quoted(k.Name), k.Handle))
	})
}

// The refusals of credentials, as the provider words them.
var (
	errNoCredential  = fail(ErrCredentials, "consumer", "err.apikey.no_credential")
	errBadAppKey     = fail(ErrCredentials, "application", "err.apikey.bad_app")
	errBadSignature  = fail(ErrCredentials, "signature", "err.apikey.bad_signature")
	errSecretUnknown = errors.New("the application secret does not open with this server's API secret key")
)

// APIBearer checks a consumer key given alone (Authorization: Bearer),
// and returns its key, which acts as the key's Handle.
func (d *Desk) APIBearer(ctx context.Context, consumerKey string) (APIKey, error) {
	rec, now, err := d.apiKey(ctx, consumerKey)
	if err != nil {
		return APIKey{}, err
	}
	d.used(ctx, rec, now)
	return rec.APIKey, nil
}

// APISigned checks a signed call: the consumer key must be the
// application key's, and signed, given the key's application secret,
// must report the call's signature right. It returns the key, which
// acts as the key's Handle.
func (d *Desk) APISigned(ctx context.Context, box SecretBox, appKey, consumerKey string, signed func(secret string) bool) (APIKey, error) {
	rec, now, err := d.apiKey(ctx, consumerKey)
	if err != nil {
		return APIKey{}, err
	}
	if subtle.ConstantTimeCompare([]byte(rec.AppKey), []byte(appKey)) != 1 {
		return APIKey{}, errBadAppKey
	}
	secret, err := box.Open(rec.Secret, []byte(rec.AppKey))
	if err != nil {
		// The data is there but this node can't read it: a setup error
		// (another --api-secret-key file), not the caller's.
		return APIKey{}, fmt.Errorf("%w: API key %s: %w", ErrStorage, rec.AppKey, errSecretUnknown)
	}
	if !signed(string(secret)) {
		return APIKey{}, errBadSignature
	}
	d.used(ctx, rec, now)
	return rec.APIKey, nil
}

// apiKey finds the key of a consumer key, as of now. Its account is not
// read: an account is never removed, and the key's row refers to it.
func (d *Desk) apiKey(ctx context.Context, consumerKey string) (APIKeyRecord, time.Time, error) {
	var rec APIKeyRecord
	var now time.Time
	if consumerKey == "" || len(consumerKey) > 256 {
		return rec, now, errNoCredential
	}
	err := d.view(ctx, func(tx Tx, at time.Time) error {
		now = at
		var err error
		rec, err = tx.APIKeyByConsumer(HashConsumerKey(consumerKey))
		if errors.Is(err, ErrNoRow) {
			return errNoCredential
		}
		return err
	})
	return rec, now, err
}

// used notes when a key was last used, at most once a minute: a busy key
// costs a write a minute, not one a call.
func (d *Desk) used(ctx context.Context, rec APIKeyRecord, now time.Time) {
	if now.Sub(rec.LastUsed) < lastUsedStride {
		return
	}
	// Not worth failing a call for: the key is good, and the next call
	// tries again.
	_ = d.store.Update(ctx, func(tx Tx) error {
		announceTo(tx) // no screen shows it (the command line does)
		return tx.TouchAPIKey(rec.AppKey, now)
	})
}
