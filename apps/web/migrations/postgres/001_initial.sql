-- Cluster mode (PASTICHE_DATABASE_URL=postgres://…): the same tables and columns as the SQLite
-- schema at version 2 (migrations/001–002), so one repository (src/server/db/repository) serves
-- both. Timestamps stay ISO-8601 text and flags 0/1 integers, as in SQLite, so rows read the same.
CREATE TABLE uploads (
  id          TEXT PRIMARY KEY,
  role        TEXT NOT NULL CHECK (role IN ('content', 'style')),
  format      TEXT NOT NULL CHECK (format IN ('jpeg', 'png', 'webp', 'tiff')),
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  bytes       BIGINT NOT NULL,
  example_key TEXT UNIQUE,
  created_at  TEXT NOT NULL,
  owner       TEXT,
  disk_bytes  BIGINT NOT NULL DEFAULT 0,
  deleting    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE jobs (
  seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  mode            TEXT NOT NULL CHECK (mode IN ('fast', 'quality')),
  status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  options_json    TEXT NOT NULL,
  content_id      TEXT NOT NULL REFERENCES uploads (id),
  style_ids_json  TEXT NOT NULL,
  client          TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  started_at      TEXT,
  finished_at     TEXT,
  error           TEXT,
  attempts        INTEGER NOT NULL DEFAULT 0,
  progress_json   TEXT,
  preview_version INTEGER NOT NULL DEFAULT 0,
  has_result      INTEGER NOT NULL DEFAULT 0,
  owner           TEXT,
  disk_bytes      BIGINT NOT NULL DEFAULT 0,
  deleting        INTEGER NOT NULL DEFAULT 0,
  share_token     TEXT
);

CREATE INDEX jobs_queue ON jobs (status, mode, seq);
CREATE INDEX jobs_owner ON jobs (owner, seq);
CREATE UNIQUE INDEX jobs_share_token ON jobs (share_token) WHERE share_token IS NOT NULL;
CREATE INDEX uploads_owner ON uploads (owner);

CREATE TABLE rate_buckets (
  key        TEXT PRIMARY KEY,
  tokens     DOUBLE PRECISION NOT NULL,
  updated_ms BIGINT NOT NULL
);
