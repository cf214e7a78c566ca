-- contactdesk schema 3: the outbox of real (SMTP) delivery. A row is
-- written in the same transaction as the mail it sends.
CREATE TABLE outbox (
    mail_id    bigint PRIMARY KEY REFERENCES mails(id),
    state      text NOT NULL DEFAULT 'pending',  -- pending, sending, sent, failed
    attempts   integer NOT NULL DEFAULT 0,
    next_try   bigint NOT NULL,                  -- Unix ns; when pending
    queued     bigint NOT NULL,
    updated    bigint NOT NULL,
    last_error text NOT NULL DEFAULT ''          -- the server's last answer
);
CREATE INDEX outbox_due ON outbox(next_try) WHERE state IN ('pending', 'sending');
