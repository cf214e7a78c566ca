-- contactdesk schema 11: an application key keeps its last use, the
-- newest of any of its consumer keys, revoked ones included: a consumer
-- key revoked is deleted, and its use with it, and api-key list showed
-- its application as never used. It starts as the newest use of the
-- consumer keys it has.
ALTER TABLE api_keys ADD COLUMN last_used INTEGER NOT NULL DEFAULT 0;
UPDATE api_keys SET last_used = coalesce((SELECT max(c.last_used) FROM api_consumers c WHERE c.app_key = api_keys.app_key), 0);
