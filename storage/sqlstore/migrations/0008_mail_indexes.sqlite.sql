-- contactdesk schema 8: fewer index entries to write with every mail.
-- Unread mails are counted in mails_to, which now holds each mail's
-- read mark (a recipient's entries lie side by side, and are few), and
-- nothing looks mails up by request: a mail sent wrote an entry in each
-- of three indexes, each on a page of its own; it now writes one.
DROP INDEX mails_unread;
DROP INDEX mails_request;
DROP INDEX mails_to;
CREATE INDEX mails_to ON mails(to_handle, id, read);
