-- contactdesk schema 13: a mail carrying a code that validates a
-- consumer key names that key, so that the mailbox can say once the code
-- no longer works: the key validated or refused (with this code, or a
-- newer one), expired, or gone. Not a reference: a consumer key revoked
-- is deleted, and its mails stay. The codes mailed before say nothing.
ALTER TABLE mails ADD COLUMN credential_id bigint;
