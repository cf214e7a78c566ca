-- contactdesk schema 13: a mail carrying a code that validates a
-- consumer key names that key, so that the mailbox can say once the code
-- no longer works: the key validated or refused (with this code, or a
-- newer one), expired, or gone. Not a reference: a consumer key revoked
-- is deleted, and its mails stay. The codes mailed before say nothing.
ALTER TABLE mails ADD COLUMN credential_id INTEGER;

-- The number of a consumer key deleted (revoked, its application
-- removed, or a day after it expired) is never given to another: the
-- mails of its codes name it, and so may a program (the provider's
-- credentialId). SQLite gave the newest key's number again once that key
-- was deleted; PostgreSQL's identity never does.
CREATE TABLE api_consumers_numbered (
    id            INTEGER PRIMARY KEY AUTOINCREMENT, -- the credential's id
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
INSERT INTO api_consumers_numbered SELECT id, app_key, consumer_hash, rules, state, redirection, token_hash, code_hash, codes, created, expires, ended, last_used FROM api_consumers;
DROP TABLE api_consumers;
ALTER TABLE api_consumers_numbered RENAME TO api_consumers;
CREATE INDEX api_consumers_app ON api_consumers(app_key);

-- Nor the number of one deleted before this schema, when it was the
-- newest: the history names every consumer key a program asked for,
-- and every one validated, refused or revoked ("consumer key #12 of
-- API key …").
INSERT INTO sqlite_sequence (name, seq) SELECT 'api_consumers', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'api_consumers');
UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(CAST(substr(detail, instr(detail, 'consumer key #') + 14) AS INTEGER)), 0)
    FROM history WHERE action LIKE 'apikey.credential.%' AND instr(detail, 'consumer key #') > 0))
    WHERE name = 'api_consumers';
