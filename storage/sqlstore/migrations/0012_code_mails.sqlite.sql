-- contactdesk schema 12: the codes that validate consumer keys are
-- counted per account (Desk.MailCredentialCode): each mailed code's
-- entry holds its recipient and date, and only codes have one.
CREATE INDEX mails_codes ON mails(to_handle, date) WHERE kind = 'credential-code';
