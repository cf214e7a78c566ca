-- contactdesk schema 1: accounts, services, requests with their parties
-- and tokens, the simulated mailbox, and the history.
-- Times are Unix nanoseconds, UTC.

CREATE TABLE accounts (
    handle  TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    email   TEXT NOT NULL,
    owes    INTEGER NOT NULL DEFAULT 0 CHECK (owes >= 0), -- cents; 0 when up to date
    created INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE services (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    type          TEXT NOT NULL,
    admin         TEXT NOT NULL REFERENCES accounts(handle),
    tech          TEXT NOT NULL REFERENCES accounts(handle),
    billing       TEXT NOT NULL REFERENCES accounts(handle),
    has_owner     INTEGER NOT NULL DEFAULT 0,
    owner_holder  TEXT NOT NULL DEFAULT '',
    owner_address TEXT NOT NULL DEFAULT '',
    owner_phone   TEXT NOT NULL DEFAULT '',
    owner_email   TEXT NOT NULL DEFAULT '',
    created       INTEGER NOT NULL
);
CREATE INDEX services_admin ON services(admin);
CREATE INDEX services_tech ON services(tech);
CREATE INDEX services_billing ON services(billing);

CREATE TABLE requests (
    id          INTEGER PRIMARY KEY,
    service_id  INTEGER NOT NULL REFERENCES services(id),
    roles       TEXT NOT NULL,          -- "tech,billing"
    from_handle TEXT NOT NULL REFERENCES accounts(handle),
    to_handle   TEXT NOT NULL REFERENCES accounts(handle),
    requester   TEXT NOT NULL REFERENCES accounts(handle),
    state       TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created     INTEGER NOT NULL,
    expires     INTEGER NOT NULL,
    ended       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX requests_service ON requests(service_id, state);
CREATE INDEX requests_open_expiry ON requests(expires) WHERE state = 'validatingByCustomers';

CREATE TABLE parties (
    request_id INTEGER NOT NULL REFERENCES requests(id),
    position   INTEGER NOT NULL,
    handle     TEXT NOT NULL REFERENCES accounts(handle),
    answer     TEXT NOT NULL DEFAULT 'pending',
    answered   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, handle)
) WITHOUT ROWID;
CREATE INDEX parties_handle ON parties(handle, request_id);

-- Only a hash of each token is kept; its text lives in the mail alone.
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    handle     TEXT NOT NULL REFERENCES accounts(handle),
    hash       BLOB NOT NULL,
    state      TEXT NOT NULL DEFAULT 'active'
);
CREATE INDEX tokens_request ON tokens(request_id);

CREATE TABLE token_failures (
    handle     TEXT NOT NULL,
    request_id INTEGER NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX token_failures_by ON token_failures(handle, request_id, at);

CREATE TABLE token_locks (
    handle     TEXT NOT NULL,
    request_id INTEGER NOT NULL,
    until      INTEGER NOT NULL,
    PRIMARY KEY (handle, request_id)
) WITHOUT ROWID;

CREATE TABLE mails (
    id         INTEGER PRIMARY KEY,
    to_handle  TEXT NOT NULL REFERENCES accounts(handle),
    address    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    date       INTEGER NOT NULL,
    body       TEXT NOT NULL,
    request_id INTEGER REFERENCES requests(id),
    token      TEXT NOT NULL DEFAULT '',
    link       TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL,
    read       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mails_to ON mails(to_handle, id);
CREATE INDEX mails_unread ON mails(to_handle) WHERE read = 0;
CREATE INDEX mails_request ON mails(request_id);

CREATE TABLE history (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    service_id INTEGER REFERENCES services(id),
    request_id INTEGER REFERENCES requests(id),
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX history_service ON history(service_id, at) WHERE service_id IS NOT NULL;
CREATE INDEX history_request ON history(request_id, at) WHERE request_id IS NOT NULL;
CREATE INDEX history_actor ON history(actor, at);
