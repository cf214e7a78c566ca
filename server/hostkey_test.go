package server

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHostKey(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := HostKey(filepath.Join(dir, "sub", "k")); err == nil {
		t.Error("a host key was made in a folder that is not there")
	}
	if _, err := os.Stat(filepath.Join(dir, "sub")); err == nil {
		t.Error("the host key's missing folder was made")
	}
	path := filepath.Join(dir, "ssh_host_ed25519_key")
	first, created, err := HostKey(path)
	if err != nil || !created {
		t.Fatalf("first start: created %v, %v", created, err)
	}
	if first.PublicKey().Type() != "ssh-ed25519" {
		t.Errorf("host key type %s", first.PublicKey().Type())
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("host key file: %v, mode %v", err, st.Mode())
	}
	again, created, err := HostKey(path)
	if err != nil || created {
		t.Fatalf("second start: created %v, %v", created, err)
	}
	if !bytes.Equal(first.PublicKey().Marshal(), again.PublicKey().Marshal()) {
		t.Error("the host key changed between two starts")
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".hostkey-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := HostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a host key others may read: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	if _, _, err := HostKey(bad); err == nil || !strings.Contains(err.Error(), "not an SSH private key") {
		t.Errorf("a file that is not a key: %v", err)
	}
}
