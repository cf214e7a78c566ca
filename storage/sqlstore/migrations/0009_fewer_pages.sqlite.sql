-- contactdesk schema 9: fewer pages written by each request's
-- transactions (BENCHMARKS.md). Each index entry of a write is most
-- often a page of its own to write, synced, and copied once more at
-- the next checkpoint.
--
-- The history keeps two indexes instead of three. A request's lines are
-- found among its service's (history_service holds the request, so they
-- are told apart within the index), and every line of a request has its
-- service: nothing needs history_request. An account's own lines about
-- a request are among its requests' lines, as every actor of a request's
-- line is one of its parties (or the system): history_actor keeps the
-- lines about no request, those that no other way finds.
UPDATE history SET service_id = (SELECT r.service_id FROM requests r WHERE r.id = history.request_id)
    WHERE service_id IS NULL AND request_id IS NOT NULL;
DROP INDEX history_request;
DROP INDEX history_actor;
DROP INDEX history_service;
CREATE INDEX history_service ON history(service_id, at, request_id) WHERE service_id IS NOT NULL;
CREATE INDEX history_actor ON history(actor, at) WHERE request_id IS NULL;

-- A party's latest token lives on its row: mailing it writes the page
-- the request's parties are already on, and an answer marks the token
-- used on the row it writes anyway. The tokens it replaced (by a
-- resend) move to the tokens table, kept in request order. A token is
-- numbered within its request (1, 2, 3… as they were made); its id is
-- made of the two (sqlstore.tokenID).
ALTER TABLE parties ADD COLUMN token_n INTEGER NOT NULL DEFAULT 0; -- 0: none yet
ALTER TABLE parties ADD COLUMN token_hash BLOB;
ALTER TABLE parties ADD COLUMN token_state TEXT NOT NULL DEFAULT '';

CREATE TEMP TABLE numbered AS
    SELECT request_id, row_number() OVER (PARTITION BY request_id ORDER BY id) AS n, handle, hash, state FROM tokens;
UPDATE parties SET (token_n, token_hash, token_state) = (
        SELECT n, hash, state FROM numbered t WHERE t.request_id = parties.request_id AND t.handle = parties.handle ORDER BY n DESC LIMIT 1)
    WHERE EXISTS (SELECT 1 FROM numbered t WHERE t.request_id = parties.request_id AND t.handle = parties.handle);
DROP TABLE tokens;
CREATE TABLE tokens (
    request_id INTEGER NOT NULL REFERENCES requests(id),
    n          INTEGER NOT NULL,
    handle     TEXT NOT NULL REFERENCES accounts(handle),
    hash       BLOB NOT NULL,
    state      TEXT NOT NULL,
    PRIMARY KEY (request_id, n)
) WITHOUT ROWID;
INSERT INTO tokens SELECT t.request_id, t.n, t.handle, t.hash, t.state FROM numbered t
    WHERE NOT EXISTS (SELECT 1 FROM parties p WHERE p.request_id = t.request_id AND p.token_n = t.n);
DROP TABLE numbered;
