-- contactdesk schema 7: the keys of the HTTP API, each acting as one
-- account. Neither credential that calls is stored as it is: the consumer
-- key only as its SHA-256 (looked up by it, as tokens are), the
-- application secret sealed (AES-GCM) under a key kept outside the
-- database, beside it.
CREATE TABLE api_keys (
    app_key       TEXT PRIMARY KEY,               -- the application key: names the key, not secret
    handle        TEXT NOT NULL REFERENCES accounts(handle),
    name          TEXT NOT NULL DEFAULT '',
    consumer_hash BLOB NOT NULL UNIQUE,           -- SHA-256 of the consumer key
    secret        BLOB NOT NULL,                  -- the application secret, sealed
    created       INTEGER NOT NULL,
    last_used     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX api_keys_handle ON api_keys(handle);
