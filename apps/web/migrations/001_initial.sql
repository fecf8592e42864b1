-- Uploaded images (and bundled example styles), stored under <data dir>/uploads/<id>.
CREATE TABLE uploads (
  id          TEXT PRIMARY KEY,
  role        TEXT NOT NULL CHECK (role IN ('content', 'style')),
  format      TEXT NOT NULL CHECK (format IN ('jpeg', 'png', 'webp', 'tiff')),
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  bytes       INTEGER NOT NULL,
  -- Set for bundled example styles: their file name in PASTICHE_EXAMPLE_STYLES_DIR.
  example_key TEXT UNIQUE,
  created_at  TEXT NOT NULL
);

-- Jobs: the queue itself (status 'queued', FIFO by seq per mode) and the history.
CREATE TABLE jobs (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  mode          TEXT NOT NULL CHECK (mode IN ('fast', 'quality')),
  status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  options_json  TEXT NOT NULL,
  content_id    TEXT NOT NULL REFERENCES uploads (id),
  style_ids_json TEXT NOT NULL,
  client        TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  started_at    TEXT,
  finished_at   TEXT,
  error         TEXT,
  -- How many times the job was started: a job interrupted by a restart is re-queued only once.
  attempts      INTEGER NOT NULL DEFAULT 0,
  progress_json TEXT,
  -- Bumped whenever a new preview is written, so its URL changes and browsers refetch it.
  preview_version INTEGER NOT NULL DEFAULT 0,
  has_result    INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX jobs_queue ON jobs (status, mode, seq);
