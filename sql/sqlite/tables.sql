-- upbot output tables for SQLite (docs/tables.md). Safe to run any number of times.
-- Times are TEXT in UTC, 'YYYY-MM-DD HH:MM:SS', so SQLite's date functions read them and text order
-- is time order; buckets are whole UTC hours. The job opens the file in WAL journal mode so readers can
-- query while it writes.
-- Rows hold totals and are written by upsert on their primary key, so a replay rewrites them.

CREATE TABLE IF NOT EXISTS code_funnel_hourly (
  bucket_start TEXT    NOT NULL
    CHECK (bucket_start GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:00:00'),
  appid        TEXT    NOT NULL,
  code         TEXT    NOT NULL,  -- '' = unattributed (no code)
  sessions     INTEGER NOT NULL CHECK (sessions >= 0),
  exposed      INTEGER NOT NULL CHECK (exposed >= 0),
  long_pressed INTEGER NOT NULL CHECK (long_pressed >= 0),
  joined       INTEGER NOT NULL CHECK (joined >= 0),
  updated_at   TEXT    NOT NULL,
  PRIMARY KEY (bucket_start, appid, code)
) WITHOUT ROWID;
-- The primary key serves time-range scans; this one serves "one code over time".
CREATE INDEX IF NOT EXISTS code_funnel_hourly_code_idx
  ON code_funnel_hourly (appid, code, bucket_start);

CREATE TABLE IF NOT EXISTS code_event_hourly (
  bucket_start TEXT    NOT NULL
    CHECK (bucket_start GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:00:00'),
  appid        TEXT    NOT NULL,
  code         TEXT    NOT NULL,
  event_id     TEXT    NOT NULL,
  events       INTEGER NOT NULL CHECK (events >= 0),
  updated_at   TEXT    NOT NULL,
  PRIMARY KEY (bucket_start, appid, code, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS code_event_hourly_code_idx
  ON code_event_hourly (appid, code, bucket_start);

CREATE TABLE IF NOT EXISTS code_dwell_hourly (
  bucket_start TEXT    NOT NULL
    CHECK (bucket_start GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:00:00'),
  appid        TEXT    NOT NULL,
  code         TEXT    NOT NULL,
  events       INTEGER NOT NULL CHECK (events >= 0),  -- distinct events carrying a duration
  total_s      INTEGER NOT NULL CHECK (total_s >= 0),
  max_s        INTEGER NOT NULL CHECK (max_s >= 0),
  p50_s        INTEGER NOT NULL CHECK (p50_s >= 0),   -- exact nearest-rank percentiles
  p90_s        INTEGER NOT NULL CHECK (p90_s >= 0),
  p99_s        INTEGER NOT NULL CHECK (p99_s >= 0),
  updated_at   TEXT    NOT NULL,
  PRIMARY KEY (bucket_start, appid, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS code_dwell_hourly_code_idx
  ON code_dwell_hourly (appid, code, bucket_start);

CREATE TABLE IF NOT EXISTS dead_letter_events (
  id          INTEGER PRIMARY KEY,  -- generated (the rowid)
  reason      TEXT    NOT NULL,     -- late, malformed, …
  payload     TEXT    NOT NULL,     -- the record as received (NUL and invalid UTF-8 replaced by U+FFFD)
  source      TEXT    NOT NULL,     -- topic/partition/offset
  recorded_at TEXT    NOT NULL,
  -- The natural key: a replay of the same record inserts nothing (ON CONFLICT DO NOTHING).
  UNIQUE (source, reason)
);
CREATE INDEX IF NOT EXISTS dead_letter_events_recorded_idx
  ON dead_letter_events (recorded_at);
CREATE INDEX IF NOT EXISTS dead_letter_events_reason_idx
  ON dead_letter_events (reason, recorded_at);
