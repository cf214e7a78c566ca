-- contactdesk schema 5: a change of e-mail address waits for the token
-- mailed to the new address (only its hash is kept, as a request's); and
-- each account speaks a language: pt, en or fr.
CREATE TABLE email_changes (
    id      INTEGER PRIMARY KEY,
    handle  TEXT NOT NULL REFERENCES accounts(handle),
    email   TEXT NOT NULL,
    hash    BLOB NOT NULL,
    state   TEXT NOT NULL DEFAULT 'pending',
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    ended   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX email_changes_handle ON email_changes(handle, id);

ALTER TABLE accounts ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
