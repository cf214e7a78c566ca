-- contactdesk schema 8: fewer index entries to write with every mail.
-- Unread mails are counted among a recipient's mails (mails_to; they
-- are few), and nothing looks mails up by request.
DROP INDEX mails_unread;
DROP INDEX mails_request;
