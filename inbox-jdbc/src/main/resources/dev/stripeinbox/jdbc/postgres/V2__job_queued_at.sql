-- When a replay last queued the job again (epoch milliseconds); NULL until one does. A job's
-- retries are bounded by age from here, or else from when its event was received.
ALTER TABLE jobs ADD COLUMN queued_at BIGINT;
