-- Quality checkpoints (the latest image of a running job, lossless, with its iteration): a retry on
-- another worker resumes from it instead of from zero (src/server/queue/cluster/clusterWorker.ts).
ALTER TABLE blobs DROP CONSTRAINT blobs_kind_check;
ALTER TABLE blobs ADD CONSTRAINT blobs_kind_check CHECK (kind IN ('upload', 'thumbnail', 'result', 'preview', 'checkpoint'));
