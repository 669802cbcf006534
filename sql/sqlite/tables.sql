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

-- Sessions by the dimensions of their earliest event (docs/tables.md#code_funnel_breakdown_hourly).
-- Summed over device_type, account_type and media_type, each row equals code_funnel_hourly's.
CREATE TABLE IF NOT EXISTS code_funnel_breakdown_hourly (
  bucket_start TEXT    NOT NULL
    CHECK (bucket_start GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:00:00'),
  appid        TEXT    NOT NULL,
  code         TEXT    NOT NULL,
  device_type  INTEGER NOT NULL,  -- as sent; 0 = not sent
  account_type INTEGER NOT NULL,  -- as sent (1, 2 or 3)
  media_type   INTEGER NOT NULL,  -- as sent; 0 = not sent
  sessions     INTEGER NOT NULL CHECK (sessions >= 0),
  exposed      INTEGER NOT NULL CHECK (exposed >= 0),
  long_pressed INTEGER NOT NULL CHECK (long_pressed >= 0),
  joined       INTEGER NOT NULL CHECK (joined >= 0),
  updated_at   TEXT    NOT NULL,
  PRIMARY KEY (bucket_start, appid, code, device_type, account_type, media_type)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS code_funnel_breakdown_hourly_code_idx
  ON code_funnel_breakdown_hourly (appid, code, bucket_start);

-- Distinct users per local day (the job's time zone), day as 'YYYY-MM-DD' (docs/tables.md#code_users_daily).
CREATE TABLE IF NOT EXISTS code_users_daily (
  day                TEXT    NOT NULL
    CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  appid              TEXT    NOT NULL,
  code               TEXT    NOT NULL,
  users              INTEGER NOT NULL CHECK (users >= 0),
  exposed_users      INTEGER NOT NULL CHECK (exposed_users >= 0),
  long_pressed_users INTEGER NOT NULL CHECK (long_pressed_users >= 0),
  joined_users       INTEGER NOT NULL CHECK (joined_users >= 0),
  updated_at         TEXT    NOT NULL,
  PRIMARY KEY (day, appid, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS code_users_daily_code_idx
  ON code_users_daily (appid, code, day);

-- Seconds from exposure to long-press and from long-press to join (docs/tables.md#code_convert_time_hourly).
-- Percentiles are exact nearest-rank, NULL when their count is 0.
CREATE TABLE IF NOT EXISTS code_convert_time_hourly (
  bucket_start     TEXT    NOT NULL
    CHECK (bucket_start GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:00:00'),
  appid            TEXT    NOT NULL,
  code             TEXT    NOT NULL,
  pressed_sessions INTEGER NOT NULL CHECK (pressed_sessions >= 0),
  press_p50_s      REAL    CHECK (press_p50_s >= 0),
  press_p90_s      REAL    CHECK (press_p90_s >= 0),
  press_p99_s      REAL    CHECK (press_p99_s >= 0),
  joined_sessions  INTEGER NOT NULL CHECK (joined_sessions >= 0),
  join_p50_s       REAL    CHECK (join_p50_s >= 0),
  join_p90_s       REAL    CHECK (join_p90_s >= 0),
  join_p99_s       REAL    CHECK (join_p99_s >= 0),
  updated_at       TEXT    NOT NULL,
  PRIMARY KEY (bucket_start, appid, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS code_convert_time_hourly_code_idx
  ON code_convert_time_hourly (appid, code, bucket_start);

-- The same per local day: exact daily percentiles cannot come from hourly ones, so the job keeps them.
CREATE TABLE IF NOT EXISTS code_convert_time_daily (
  day              TEXT    NOT NULL
    CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  appid            TEXT    NOT NULL,
  code             TEXT    NOT NULL,
  pressed_sessions INTEGER NOT NULL CHECK (pressed_sessions >= 0),
  press_p50_s      REAL    CHECK (press_p50_s >= 0),
  press_p90_s      REAL    CHECK (press_p90_s >= 0),
  press_p99_s      REAL    CHECK (press_p99_s >= 0),
  joined_sessions  INTEGER NOT NULL CHECK (joined_sessions >= 0),
  join_p50_s       REAL    CHECK (join_p50_s >= 0),
  join_p90_s       REAL    CHECK (join_p90_s >= 0),
  join_p99_s       REAL    CHECK (join_p99_s >= 0),
  updated_at       TEXT    NOT NULL,
  PRIMARY KEY (day, appid, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS code_convert_time_daily_code_idx
  ON code_convert_time_daily (appid, code, day);

-- WeCom joins per code and hour of the join (docs/tables.md#code_join_hourly).
CREATE TABLE IF NOT EXISTS code_join_hourly (
  bucket_start       TEXT    NOT NULL
    CHECK (bucket_start GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:00:00'),
  appid              TEXT    NOT NULL,
  code               TEXT    NOT NULL,
  wecom_joins        INTEGER NOT NULL CHECK (wecom_joins >= 0),  -- distinct joins WeCom confirmed
  attributed_joins   INTEGER NOT NULL CHECK (attributed_joins >= 0),
  unattributed_joins INTEGER NOT NULL CHECK (unattributed_joins >= 0),
  updated_at         TEXT    NOT NULL,
  PRIMARY KEY (bucket_start, appid, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS code_join_hourly_code_idx
  ON code_join_hourly (appid, code, bucket_start);

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
