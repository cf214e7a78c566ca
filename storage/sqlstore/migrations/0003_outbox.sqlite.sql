-- contactdesk schema 3: the outbox of real (SMTP) delivery. A row is
-- written in the same transaction as the mail it sends.
CREATE TABLE outbox (
    mail_id    INTEGER PRIMARY KEY REFERENCES mails(id),
    state      TEXT NOT NULL DEFAULT 'pending',  -- pending, sending, sent, failed
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_try   INTEGER NOT NULL,                 -- Unix ns; when pending
    queued     INTEGER NOT NULL,
    updated    INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT ''          -- the server's last answer
);
CREATE INDEX outbox_due ON outbox(next_try) WHERE state IN ('pending', 'sending');
