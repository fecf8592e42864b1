-- Cluster mode's blob store (src/server/storage/blobs/postgresBlobs.ts): uploads, thumbnails,
-- results and previews, reachable from every machine. A blob is a row naming its chunks (1 MiB
-- each), so it is written and read in pieces, never as one huge value. Replacing a blob writes
-- new chunks under a fresh blob_id and switches the row in the same transaction: readers see
-- the old blob or the new one.
CREATE SEQUENCE blob_ids;

CREATE TABLE blobs (
  kind    TEXT NOT NULL CHECK (kind IN ('upload', 'thumbnail', 'result', 'preview')),
  id      TEXT NOT NULL,
  blob_id BIGINT NOT NULL UNIQUE,
  size    BIGINT NOT NULL,
  PRIMARY KEY (kind, id)
);

CREATE TABLE blob_chunks (
  blob_id BIGINT NOT NULL,
  n       INTEGER NOT NULL,
  data    BYTEA NOT NULL,
  PRIMARY KEY (blob_id, n)
);
