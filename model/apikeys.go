package model

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
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

// APIKey is an API key (an application) as listed: never its secrets.
type APIKey struct {
	AppKey   string
	Handle   Handle
	Name     string
	Created  time.Time
	LastUsed time.Time // the latest use of any of its consumer keys, revoked ones included; zero until then
	// Consumers are its consumer keys, oldest first (in lists).
	Consumers []APIConsumer
}

// States of a consumer key, the provider's names.
const (
	CredentialValidated = "validated"
	CredentialPending   = "pendingValidation"
	CredentialRefused   = "refused"
	// CredentialExpired is a pending key past its expiry, as read
	// (APIConsumer.StateAt); it is never stored.
	CredentialExpired = "expired"
)

// APIConsumer is a consumer key as listed, and as it calls: never the key
// itself. Handle is its application's account, whom it acts as.
type APIConsumer struct {
	ID          int64 // the provider's credentialId
	AppKey      string
	Handle      Handle
	Rules       []APIRule
	State       string
	Redirection string // where the validation page goes once it is validated
	Created     time.Time
	Expires     time.Time // a pending key's end
	Ended       time.Time // when it was validated or refused
	LastUsed    time.Time // zero until its first call
	// From is the network it was asked from (AskCredentialFrom): an
	// opaque name, "" when none is known or it was made by support.
	From string
}

// StateAt is the key's state at now: a pending key past its expiry is
// expired.
func (c APIConsumer) StateAt(now time.Time) string {
	if c.State == CredentialPending && !now.Before(c.Expires) {
		return CredentialExpired
	}
	return c.State
}

// Dropped reports whether the key was dropped before its validation,
// ended before its hour to make room for another key of its
// application key (MaxAppPendingCredentials): its state is expired.
func (c APIConsumer) Dropped() bool {
	return c.State == CredentialPending && c.Expires.Before(c.Created.Add(CredentialValidity))
}

// Granted reports whether the key's rules grant a call of method on path
// (the path after /1.0, without the query).
func (c APIConsumer) Granted(method, path string) bool { return Granted(c.Rules, method, path) }

// APICredentials are a new key's three credentials, shown once, and the
// rules of its consumer key.
type APICredentials struct {
	APIKey
	AppSecret   string
	ConsumerKey string
	Rules       []APIRule
}

// APIKeyRecord is an API key as stored.
type APIKeyRecord struct {
	APIKey
	Secret []byte // the application secret, sealed by a SecretBox
}

// APIConsumerRecord is a consumer key as stored, with the sealed secret
// of its application (read with it, to check a signature).
type APIConsumerRecord struct {
	APIConsumer
	ConsumerHash [32]byte // SHA-256 of the consumer key
	TokenHash    []byte   // SHA-256 of the validation page's token; nil: none
	CodeHash     []byte   // SHA-256 of the code last mailed; nil: none
	Codes        int      // codes mailed
	Secret       []byte   // its application's secret, sealed (read only)
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
// (free text, may be empty), its secret sealed by box, and its consumer
// key, validated, with rules (none given: every right, AllRights). The
// credentials it returns are never shown again.
func (d *Desk) AddAPIKey(ctx context.Context, h Handle, name string, box SecretBox, rules ...APIRule) (APICredentials, error) {
	name, err := CheckText("name", "key name", name, MaxNameLen, false)
	if err != nil {
		return APICredentials{}, err
	}
	if len(rules) == 0 {
		rules = AllRights
	}
	if rules, err = CheckAPIRules(rules); err != nil {
		return APICredentials{}, err
	}
	c := APICredentials{APIKey: APIKey{AppKey: randomText(appKeyLen), Handle: h, Name: name},
		AppSecret: randomText(apiSecretLen), ConsumerKey: randomText(apiSecretLen), Rules: rules}
	sealed, err := box.Seal([]byte(c.AppSecret), []byte(c.AppKey))
	if err != nil {
		return APICredentials{}, fmt.Errorf("%w: can't seal the application secret: %w", ErrStorage, err)
	}
	return write(ctx, d, ActAPIKeyAdd, func(tx Tx, w *work) (APICredentials, error) {
		if _, err := account(tx, h, "handle", ErrUnknownAccount); err != nil {
			return APICredentials{}, err
		}
		c.Created = w.now
		if err := tx.InsertAPIKey(APIKeyRecord{APIKey: c.APIKey, Secret: sealed}); err != nil {
			return APICredentials{}, err
		}
		cons := APIConsumerRecord{APIConsumer: APIConsumer{AppKey: c.AppKey, Handle: h, Rules: rules, State: CredentialValidated, Created: w.now, Ended: w.now},
			ConsumerHash: HashConsumerKey(c.ConsumerKey)}
		id, err := tx.InsertAPIConsumer(cons)
		if err != nil {
			return APICredentials{}, err
		}
		cons.ID = id
		c.Consumers = []APIConsumer{cons.APIConsumer}
		return c, d.record(tx, w, SupportActor, ActAPIKeyAdd, 0, 0, fmt.Sprintf("API key %s%s added for %s%s", c.AppKey, quoted(name), h, rulesNote(rules)))
	})
}

// rulesNote is what a history line says of a key's rules: nothing for
// every right, else which.
func rulesNote(rules []APIRule) string {
	if slices.Equal(rules, AllRights) {
		return ""
	}
	return ", allowed " + RulesText(rules)
}

func quoted(name string) string {
	if name == "" {
		return ""
	}
	return fmt.Sprintf(" (%s)", name)
}

// APIKeys lists the API keys, of one account or (h empty) of all, each
// with its consumer keys.
func (d *Desk) APIKeys(ctx context.Context, h Handle) ([]APIKey, error) {
	var ks []APIKey
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		if h != "" {
			if _, err := account(tx, h, "handle", ErrUnknownAccount); err != nil {
				return err
			}
		}
		var err error
		if ks, err = tx.APIKeys(h); err != nil {
			return err
		}
		cs, err := tx.APIConsumers(h)
		if err != nil {
			return err
		}
		byApp := map[string][]APIConsumer{}
		for _, c := range cs {
			byApp[c.AppKey] = append(byApp[c.AppKey], c)
		}
		for i := range ks {
			ks[i].Consumers = byApp[ks[i].AppKey]
			for _, c := range ks[i].Consumers {
				if c.LastUsed.After(ks[i].LastUsed) {
					ks[i].LastUsed = c.LastUsed
				}
			}
		}
		return nil
	})
	return ks, err
}

// keyHint is what a refusal shows of a key that matches none: its first
// four characters, enough to tell which was typed. A key pasted in the
// wrong place may be a consumer key or an application secret, which a
// message must not print back whole (to a terminal, a log, a ticket).
// It is quoted in the reader's quotes (« » in French), as any value
// typed.
func keyHint(k string) locale.Quoted {
	r := []rune(text.Line(k))
	if len(r) > 4 {
		return locale.Quoted(strconv.Quote(string(r[:4]) + "…"))
	}
	return locale.Quoted(strconv.Quote(string(r)))
}

// RemoveAPIKey deletes an API key by its application key, with every
// consumer key of it: the next call made with any, on any node, is
// refused.
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
	errAskedBearer   = fail(ErrCredentials, "consumer", "err.apikey.asked_bearer")
	errSecretUnknown = errors.New("the application secret does not open with this server's API secret key")
)

// APIBearer checks a consumer key given alone (Authorization: Bearer),
// and returns it: it acts as its Handle, within its Rules. It notes no
// use: the door does (APIUsed), once the call was granted and carried
// out. A key asked for by an application (AskCredential) is refused so:
// it calls signed (APISigned).
func (d *Desk) APIBearer(ctx context.Context, consumerKey string) (APIConsumer, error) {
	rec, err := d.apiConsumer(ctx, consumerKey)
	if err != nil {
		return APIConsumer{}, err
	}
	if rec.TokenHash != nil {
		// Asked for with the application key alone, which is no
		// secret (logs, configuration files name it): the key calls
		// signed with the application secret, as the provider's, so
		// that whoever knows the application key and gets an account
		// to validate a key asked for in its name can't call with it.
		return APIConsumer{}, errAskedBearer
	}
	return rec.APIConsumer, nil
}

// APISigned checks a signed call: the consumer key must be the
// application key's, and signed, given the key's application secret,
// must report the call's signature right. It returns the consumer key,
// which acts as its Handle, within its Rules. It notes no use, as
// APIBearer says.
func (d *Desk) APISigned(ctx context.Context, box SecretBox, appKey, consumerKey string, signed func(secret string) bool) (APIConsumer, error) {
	rec, err := d.apiConsumer(ctx, consumerKey)
	if err != nil {
		return APIConsumer{}, err
	}
	if subtle.ConstantTimeCompare([]byte(rec.AppKey), []byte(appKey)) != 1 {
		return APIConsumer{}, errBadAppKey
	}
	secret, err := box.Open(rec.Secret, []byte(rec.AppKey))
	if err != nil {
		// The data is there but this node can't read it: a setup error
		// (another --api-secret-key file), not the caller's.
		return APIConsumer{}, fmt.Errorf("%w: API key %s: %w", ErrStorage, rec.AppKey, errSecretUnknown)
	}
	if !signed(string(secret)) {
		return APIConsumer{}, errBadSignature
	}
	return rec.APIConsumer, nil
}

// apiConsumer finds a consumer key that may call, as of now: one not
// validated (yet) is refused, saying so. Its account is not read: an
// account is never removed, and the key's row refers to it.
func (d *Desk) apiConsumer(ctx context.Context, consumerKey string) (APIConsumerRecord, error) {
	var rec APIConsumerRecord
	if consumerKey == "" || len(consumerKey) > 256 {
		return rec, errNoCredential
	}
	err := d.view(ctx, func(tx Tx, now time.Time) error {
		var err error
		rec, err = tx.APIConsumerByHash(HashConsumerKey(consumerKey))
		if errors.Is(err, ErrNoRow) {
			return errNoCredential
		}
		if err != nil {
			return err
		}
		switch rec.StateAt(now) {
		case CredentialValidated:
			return nil
		case CredentialPending:
			return fail(ErrCredentials, "consumer", "err.apikey.pending")
		case CredentialRefused:
			return fail(ErrCredentials, "consumer", "err.apikey.refused")
		case CredentialExpired:
			return fail(ErrCredentials, "consumer", "err.apikey.expired")
		}
		return errNoCredential
	})
	return rec, err
}

// APIUsed notes that consumer key c (as APIBearer or APISigned returned
// it) made a call it is allowed to make, and that was carried out: its
// last use, which api-key list shows, is when it last made one. A call
// its rules, its rate or its input refused is no use of it, and changes
// nothing. At most once a minute: a busy key
// costs a write a minute, not one a call.
func (d *Desk) APIUsed(ctx context.Context, c APIConsumer) {
	now := d.Now()
	if now.Sub(c.LastUsed) < lastUsedStride {
		return
	}
	// Not worth failing a call for: the key is good, and the next call
	// tries again.
	_ = d.store.Update(ctx, func(tx Tx) error {
		announceTo(tx) // no screen shows it (the command line does)
		return tx.TouchAPIConsumer(c.ID, now)
	})
}
