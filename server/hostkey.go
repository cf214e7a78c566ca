package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// HostKey reads the server's ed25519 host key from path, creating it (mode
// 0600) when there is none, so that clients see the same key at every start.
// It reports whether the key was created now.
func HostKey(path string) (gossh.Signer, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createHostKey(path); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, false, err
		}
		s, _, err := HostKey(path)
		return s, err == nil, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("read host key: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("read host key: %w", err)
	}
	// Like sshd, refuse a private key others may read: it may already be
	// known to someone who could then pose as this server.
	if st.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("host key %s may be read by other users (mode %04o); make it private with: chmod 600 %s", path, st.Mode().Perm(), path)
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, false, fmt.Errorf("host key %s is not an SSH private key: %w", path, err)
	}
	return signer, false, nil
}

// createHostKey writes a new key under a temporary name and links it into
// place, so two servers starting at once never see half a key, and an
// existing key is never replaced.
func createHostKey(path string) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("create host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "contactdesk host key")
	if err != nil {
		return fmt.Errorf("create host key: %w", err)
	}
	dir := filepath.Dir(path) // not made: a missing folder is most likely a typo
	tmp, err := os.CreateTemp(dir, ".hostkey-*")
	if err != nil {
		return fmt.Errorf("create host key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("create host key: %w", err)
	}
	if _, err := tmp.Write(pem.EncodeToMemory(block)); err != nil {
		tmp.Close()
		return fmt.Errorf("create host key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("create host key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("create host key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("create host key: %w", err)
	}
	return nil
}
