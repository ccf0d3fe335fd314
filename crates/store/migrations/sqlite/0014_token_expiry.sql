-- API tokens end (issue 23): an expiry (a token made before has created_at + 90 days) and
-- read-only tokens, refused for every request that writes.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
