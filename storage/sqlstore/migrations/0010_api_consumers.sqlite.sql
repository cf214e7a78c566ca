-- contactdesk schema 10: an application key may have several consumer
-- keys, each with its access rules (the provider's: a method and a path,
-- "*" standing for any rest of the path), made by support staff with the
-- key (contactdesk api-key add) or asked for by a program
-- (POST /1.0/auth/credential) and validated by the account on the web
-- page. The consumer keys move out of api_keys, each with every right
-- (GET, POST, PUT and DELETE on /*), as they had until now.
CREATE TEMP TABLE old_api_keys AS SELECT * FROM api_keys;
DROP TABLE api_keys;
CREATE TABLE api_keys (
    app_key       TEXT PRIMARY KEY,               -- the application key: names the key, not secret
    handle        TEXT NOT NULL REFERENCES accounts(handle),
    name          TEXT NOT NULL DEFAULT '',
    secret        BLOB NOT NULL,                  -- the application secret, sealed
    created       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX api_keys_handle ON api_keys(handle);
INSERT INTO api_keys (app_key, handle, name, secret, created) SELECT app_key, handle, name, secret, created FROM old_api_keys;
CREATE TABLE api_consumers (
    id            INTEGER PRIMARY KEY,            -- the credential's id
    app_key       TEXT NOT NULL REFERENCES api_keys(app_key),
    consumer_hash BLOB NOT NULL UNIQUE,           -- SHA-256 of the consumer key
    rules         TEXT NOT NULL,                  -- JSON: [{"method": "GET", "path": "/me/*"}, …]
    state         TEXT NOT NULL,                  -- validated, pendingValidation, refused
    redirection   TEXT NOT NULL DEFAULT '',       -- where the page goes once validated
    token_hash    BLOB UNIQUE,                    -- SHA-256 of the validation page's credential token
    code_hash     BLOB,                           -- SHA-256 of the code last mailed to validate it
    codes         INTEGER NOT NULL DEFAULT 0,     -- codes mailed for it
    created       INTEGER NOT NULL,
    expires       INTEGER NOT NULL DEFAULT 0,     -- a pending one's end; 0: none
    ended         INTEGER NOT NULL DEFAULT 0,     -- validated or refused at
    last_used     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_consumers_app ON api_consumers(app_key);
INSERT INTO api_consumers (app_key, consumer_hash, rules, state, created, ended, last_used)
    SELECT app_key, consumer_hash, '[{"method":"GET","path":"/*"},{"method":"POST","path":"/*"},{"method":"PUT","path":"/*"},{"method":"DELETE","path":"/*"}]',
        'validated', created, created, last_used FROM old_api_keys ORDER BY created, app_key;
DROP TABLE old_api_keys;
