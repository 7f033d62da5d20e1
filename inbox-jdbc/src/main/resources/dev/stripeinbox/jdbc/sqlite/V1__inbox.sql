-- Events keep the exact bytes Stripe sent; every time is Unix epoch milliseconds.
CREATE TABLE events (
  id               TEXT    NOT NULL PRIMARY KEY,
  endpoint         TEXT    NOT NULL,
  type             TEXT    NOT NULL,
  object           TEXT,
  api_version      TEXT,
  created_at       INTEGER,
  livemode         INTEGER NOT NULL,
  account          TEXT,
  data_object_id   TEXT,
  data_object_type TEXT,
  received_at      INTEGER NOT NULL,
  payload          BLOB    NOT NULL
);
CREATE INDEX events_by_received_at ON events (received_at);
CREATE INDEX events_by_type ON events (type, received_at);

-- One job per (event, subscriber); an event's status is derived from these rows.
CREATE TABLE jobs (
  id              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  event_id        TEXT    NOT NULL,
  subscriber      TEXT    NOT NULL,
  state           TEXT    NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  lease_owner     TEXT,
  lease_until     INTEGER,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  finished_at     INTEGER,
  UNIQUE (event_id, subscriber)
);
CREATE INDEX jobs_due ON jobs (state, next_attempt_at);
CREATE INDEX jobs_by_lease ON jobs (state, lease_until);

CREATE TABLE settings (
  key   TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);
