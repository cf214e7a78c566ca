-- contactdesk schema 2: SSH public keys that log accounts in.
CREATE TABLE keys (
    fingerprint TEXT PRIMARY KEY,           -- SHA256:… as ssh-keygen -l prints it
    handle      TEXT NOT NULL REFERENCES accounts(handle),
    type        TEXT NOT NULL,              -- ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa…
    key         TEXT NOT NULL,              -- authorized_keys form, without comment
    comment     TEXT NOT NULL DEFAULT '',
    added       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX keys_handle ON keys(handle);
