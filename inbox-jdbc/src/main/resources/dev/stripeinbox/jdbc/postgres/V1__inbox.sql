-- Events keep the exact bytes Stripe sent; every time is Unix epoch milliseconds.
CREATE TABLE events (
  id               TEXT    NOT NULL PRIMARY KEY,
  endpoint         TEXT    NOT NULL,
  type             TEXT    NOT NULL,
  object           TEXT,
  api_version      TEXT,
  created_at       BIGINT,
  livemode         BOOLEAN NOT NULL,
  account          TEXT,
  data_object_id   TEXT,
  data_object_type TEXT,
  received_at      BIGINT  NOT NULL,
  payload          BYTEA   NOT NULL
);
CREATE INDEX events_by_received_at ON events (received_at);
CREATE INDEX events_by_type ON events (type, received_at);

-- One job per (event, subscriber); an event's status is derived from these rows.
CREATE TABLE jobs (
  id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        TEXT    NOT NULL,
  subscriber      TEXT    NOT NULL,
  state           TEXT    NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  lease_owner     TEXT,
  lease_until     BIGINT,
  last_error      TEXT,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  finished_at     BIGINT,
  UNIQUE (event_id, subscriber)
);
CREATE INDEX jobs_due ON jobs (state, next_attempt_at);
CREATE INDEX jobs_by_lease ON jobs (state, lease_until);

CREATE TABLE settings (
  key   TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);
