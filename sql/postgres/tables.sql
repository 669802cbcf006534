-- upbot output tables for PostgreSQL (docs/tables.md). Safe to run any number of times.
-- Every time is a timestamptz (an instant); buckets are whole UTC hours.
-- Rows hold totals and are written by upsert on their primary key, so a replay rewrites them.

CREATE TABLE IF NOT EXISTS code_funnel_hourly (
  bucket_start timestamptz NOT NULL,
  appid        text        NOT NULL,
  code         text        NOT NULL,  -- '' = unattributed (no code)
  sessions     bigint      NOT NULL CHECK (sessions >= 0),
  exposed      bigint      NOT NULL CHECK (exposed >= 0),
  long_pressed bigint      NOT NULL CHECK (long_pressed >= 0),
  joined       bigint      NOT NULL CHECK (joined >= 0),
  updated_at   timestamptz NOT NULL,
  CONSTRAINT code_funnel_hourly_pkey PRIMARY KEY (bucket_start, appid, code),
  -- Independent of the session's TimeZone, unlike date_trunc: a bucket is a whole UTC hour.
  CONSTRAINT code_funnel_hourly_bucket_hour CHECK (extract(epoch FROM bucket_start) % 3600 = 0)
);
-- The primary key serves time-range scans; this one serves "one code over time".
CREATE INDEX IF NOT EXISTS code_funnel_hourly_code_idx
  ON code_funnel_hourly (appid, code, bucket_start);

CREATE TABLE IF NOT EXISTS code_event_hourly (
  bucket_start timestamptz NOT NULL,
  appid        text        NOT NULL,
  code         text        NOT NULL,
  event_id     text        NOT NULL,
  events       bigint      NOT NULL CHECK (events >= 0),
  updated_at   timestamptz NOT NULL,
  CONSTRAINT code_event_hourly_pkey PRIMARY KEY (bucket_start, appid, code, event_id),
  CONSTRAINT code_event_hourly_bucket_hour CHECK (extract(epoch FROM bucket_start) % 3600 = 0)
);
CREATE INDEX IF NOT EXISTS code_event_hourly_code_idx
  ON code_event_hourly (appid, code, bucket_start);

CREATE TABLE IF NOT EXISTS code_dwell_hourly (
  bucket_start timestamptz NOT NULL,
  appid        text        NOT NULL,
  code         text        NOT NULL,
  events       bigint      NOT NULL CHECK (events >= 0),  -- distinct events carrying a duration
  total_s      bigint      NOT NULL CHECK (total_s >= 0),
  max_s        integer     NOT NULL CHECK (max_s >= 0),
  p50_s        integer     NOT NULL CHECK (p50_s >= 0),   -- exact nearest-rank percentiles
  p90_s        integer     NOT NULL CHECK (p90_s >= 0),
  p99_s        integer     NOT NULL CHECK (p99_s >= 0),
  updated_at   timestamptz NOT NULL,
  CONSTRAINT code_dwell_hourly_pkey PRIMARY KEY (bucket_start, appid, code),
  CONSTRAINT code_dwell_hourly_bucket_hour CHECK (extract(epoch FROM bucket_start) % 3600 = 0)
);
CREATE INDEX IF NOT EXISTS code_dwell_hourly_code_idx
  ON code_dwell_hourly (appid, code, bucket_start);

CREATE TABLE IF NOT EXISTS dead_letter_events (
  id          bigint GENERATED ALWAYS AS IDENTITY,
  reason      text        NOT NULL,  -- late, malformed, …
  payload     text        NOT NULL,  -- the record as received (NUL and invalid UTF-8 replaced by U+FFFD)
  source      text        NOT NULL,  -- topic/partition/offset
  recorded_at timestamptz NOT NULL,
  CONSTRAINT dead_letter_events_pkey PRIMARY KEY (id),
  -- The natural key: a replay of the same record inserts nothing (ON CONFLICT DO NOTHING).
  CONSTRAINT dead_letter_events_source_reason_key UNIQUE (source, reason)
);
CREATE INDEX IF NOT EXISTS dead_letter_events_recorded_idx
  ON dead_letter_events (recorded_at);
CREATE INDEX IF NOT EXISTS dead_letter_events_reason_idx
  ON dead_letter_events (reason, recorded_at);
