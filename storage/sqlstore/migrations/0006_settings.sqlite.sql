-- contactdesk schema 6: the desk's settings (contactdesk config), read
-- by every process that writes mail: the public URL of the web page,
-- the SSH address told in mails, whether mail is delivered for real.
CREATE TABLE settings (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL,
    updated INTEGER NOT NULL  -- Unix ns
) WITHOUT ROWID;
