-- Visitors own their work: `owner` is the SHA-256 of the visitor's cookie (never the cookie itself).
-- Rows from before this migration have no owner: no visitor sees them, and retention removes them.
-- Example styles keep owner NULL and are shared (example_key IS NOT NULL).
ALTER TABLE uploads ADD COLUMN owner TEXT;
-- Bytes on disk (the re-encoded file and its thumbnail), for the visitor's quota.
ALTER TABLE uploads ADD COLUMN disk_bytes INTEGER NOT NULL DEFAULT 0;
-- 1: being deleted (sweeper or the visitor). Such a row is invisible everywhere; its files are
-- removed first, the row last, so a crash never leaves a row without its files (start-up resumes).
ALTER TABLE uploads ADD COLUMN deleting INTEGER NOT NULL DEFAULT 0;

ALTER TABLE jobs ADD COLUMN owner TEXT;
-- Bytes of the result and preview on disk, recorded when the job ends.
ALTER TABLE jobs ADD COLUMN disk_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN deleting INTEGER NOT NULL DEFAULT 0;
-- Set when the visitor publishes the result: the unguessable token of its read-only link.
ALTER TABLE jobs ADD COLUMN share_token TEXT;

CREATE INDEX jobs_owner ON jobs (owner, seq);
CREATE UNIQUE INDEX jobs_share_token ON jobs (share_token) WHERE share_token IS NOT NULL;
CREATE INDEX uploads_owner ON uploads (owner);

-- Token buckets of the rate limits (jobs, uploads), by visitor and by client address: a restart
-- forgives no one.
CREATE TABLE rate_buckets (
  key        TEXT PRIMARY KEY,
  tokens     REAL NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;
