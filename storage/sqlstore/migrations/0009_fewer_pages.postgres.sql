-- contactdesk schema 9: fewer index entries and rows written by each
-- request's transactions; the reasons are in the SQLite schema beside
-- this file.
UPDATE history h SET service_id = r.service_id FROM requests r
    WHERE r.id = h.request_id AND h.service_id IS NULL;
DROP INDEX history_request;
DROP INDEX history_actor;
DROP INDEX history_service;
CREATE INDEX history_service ON history(service_id, at, request_id) WHERE service_id IS NOT NULL;
CREATE INDEX history_actor ON history(actor, at) WHERE request_id IS NULL;

ALTER TABLE parties
    ADD COLUMN token_n integer NOT NULL DEFAULT 0, -- 0: none yet
    ADD COLUMN token_hash bytea,
    ADD COLUMN token_state text NOT NULL DEFAULT '';

CREATE TEMP TABLE numbered AS
    SELECT request_id, row_number() OVER (PARTITION BY request_id ORDER BY id) AS n, handle, hash, state FROM tokens;
UPDATE parties p SET token_n = t.n, token_hash = t.hash, token_state = t.state
    FROM (SELECT DISTINCT ON (request_id, handle) * FROM numbered ORDER BY request_id, handle, n DESC) t
    WHERE t.request_id = p.request_id AND t.handle = p.handle;
DROP TABLE tokens;
CREATE TABLE tokens (
    request_id bigint NOT NULL REFERENCES requests(id),
    n          integer NOT NULL,
    handle     text COLLATE "C" NOT NULL REFERENCES accounts(handle),
    hash       bytea NOT NULL,
    state      text NOT NULL,
    PRIMARY KEY (request_id, n)
);
INSERT INTO tokens SELECT t.request_id, t.n, t.handle, t.hash, t.state FROM numbered t
    WHERE NOT EXISTS (SELECT 1 FROM parties p WHERE p.request_id = t.request_id AND p.token_n = t.n);
DROP TABLE numbered;
