-- contactdesk schema 7: the keys of the HTTP API, each acting as one
-- account. Neither credential that calls is stored as it is: the consumer
-- key only as its SHA-256 (looked up by it, as tokens are), the
-- application secret sealed (AES-GCM) under a key kept outside the
-- database, beside it.
CREATE TABLE api_keys (
    app_key       text COLLATE "C" PRIMARY KEY,   -- the application key: names the key, not secret
    handle        text COLLATE "C" NOT NULL REFERENCES accounts(handle),
    name          text NOT NULL DEFAULT '',
    consumer_hash bytea NOT NULL UNIQUE,          -- SHA-256 of the consumer key
    secret        bytea NOT NULL,                 -- the application secret, sealed
    created       bigint NOT NULL,
    last_used     bigint NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_handle ON api_keys(handle);
