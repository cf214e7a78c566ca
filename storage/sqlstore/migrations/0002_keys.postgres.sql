-- contactdesk schema 2: SSH public keys that log accounts in.
CREATE TABLE keys (
    fingerprint text COLLATE "C" PRIMARY KEY,  -- SHA256:… as ssh-keygen -l prints it
    handle      text COLLATE "C" NOT NULL REFERENCES accounts(handle),
    type        text NOT NULL,                 -- ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa…
    key         text NOT NULL,                 -- authorized_keys form, without comment
    comment     text NOT NULL DEFAULT '',
    added       bigint NOT NULL
);
CREATE INDEX keys_handle ON keys(handle);
