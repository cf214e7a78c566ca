-- contactdesk schema 14: a consumer key asked for by a program (POST
-- /1.0/auth/credential) keeps the network it was asked from (the
-- client's address, or its /48 in IPv6): the keys awaiting validation
-- are bounded per application key and asking network, so that whoever
-- knows an application key (no secret) can't fill its slots and keep
-- its owner from asking. The keys asked for before say none ('').
ALTER TABLE api_consumers ADD COLUMN asked_from TEXT NOT NULL DEFAULT '';
