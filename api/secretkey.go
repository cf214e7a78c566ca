package api

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"contactdesk/model"
)

// SecretBox seals the application secrets of API keys with AES-256-GCM
// under a key kept in a file outside the database: a copy of the
// database alone (a backup, a dump, a stolen disk image of the database
// server) holds no secret that signs a call. Each sealed secret is bound
// to its application key, so that one can't be moved to another key's row.
type SecretBox struct{ aead cipher.AEAD }

var _ model.SecretBox = (*SecretBox)(nil)

// sealVersion starts every sealed secret, for a later change of scheme.
const sealVersion = 1

// Seal implements model.SecretBox.
func (b *SecretBox) Seal(secret, about []byte) ([]byte, error) {
	out := make([]byte, 1+b.aead.NonceSize(), 1+b.aead.NonceSize()+len(secret)+b.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return b.aead.Seal(out, out[1:], secret, about), nil
}

// Open implements model.SecretBox.
func (b *SecretBox) Open(sealed, about []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealVersion {
		return nil, errors.New("not a sealed secret")
	}
	return b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], about)
}

// NewSecretBox returns the box that seals with a 32-byte key.
func NewSecretBox(key []byte) (*SecretBox, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("an API secret key is 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &SecretBox{aead: aead}, nil
}

// LoadSecretKey reads the API secret key from path (32 random bytes, in
// base64 on one line), creating it, mode 0600, when there is none. It
// reports whether it made the file now. Like the SSH host key, a key
// file others may read is refused.
func LoadSecretKey(path string) (*SecretBox, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createSecretKey(path); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, false, err
		}
		b, _, err := LoadSecretKey(path)
		return b, err == nil, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("read the API secret key: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("read the API secret key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("API secret key %s may be read by other users (mode %04o); make it private with: chmod 600 %s", path, st.Mode().Perm(), path)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != 32 {
		return nil, false, fmt.Errorf("%s is not an API secret key (one line of base64, 32 bytes)", path)
	}
	b, err := NewSecretBox(key)
	return b, false, err
}

// createSecretKey writes a new key under a temporary name and links it
// into place: two processes making it at once never see half a key, and
// an existing key is never replaced (every sealed secret depends on it).
func createSecretKey(path string) error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("create the API secret key: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".api_key-*")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("create the API secret key %s: its folder does not exist", path)
		}
		return fmt.Errorf("create the API secret key: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create the API secret key: %w", err)
	}
	return err
}
