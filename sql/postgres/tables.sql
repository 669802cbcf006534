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

-- Sessions by the dimensions of their earliest event (docs/tables.md#code_funnel_breakdown_hourly).
-- Summed over device_type, account_type and media_type, each row equals code_funnel_hourly's.
CREATE TABLE IF NOT EXISTS code_funnel_breakdown_hourly (
  bucket_start timestamptz NOT NULL,
  appid        text        NOT NULL,
  code         text        NOT NULL,
  device_type  integer     NOT NULL,  -- as sent; 0 = not sent
  account_type integer     NOT NULL,  -- as sent (1, 2 or 3)
  media_type   integer     NOT NULL,  -- as sent; 0 = not sent
  sessions     bigint      NOT NULL CHECK (sessions >= 0),
  exposed      bigint      NOT NULL CHECK (exposed >= 0),
  long_pressed bigint      NOT NULL CHECK (long_pressed >= 0),
  joined       bigint      NOT NULL CHECK (joined >= 0),
  updated_at   timestamptz NOT NULL,
  CONSTRAINT code_funnel_breakdown_hourly_pkey
    PRIMARY KEY (bucket_start, appid, code, device_type, account_type, media_type),
  CONSTRAINT code_funnel_breakdown_hourly_bucket_hour
    CHECK (extract(epoch FROM bucket_start) % 3600 = 0)
);
CREATE INDEX IF NOT EXISTS code_funnel_breakdown_hourly_code_idx
  ON code_funnel_breakdown_hourly (appid, code, bucket_start);

-- Distinct users per local day (the job's time zone) (docs/tables.md#code_users_daily).
CREATE TABLE IF NOT EXISTS code_users_daily (
  day                date        NOT NULL,
  appid              text        NOT NULL,
  code               text        NOT NULL,
  users              bigint      NOT NULL CHECK (users >= 0),
  exposed_users      bigint      NOT NULL CHECK (exposed_users >= 0),
  long_pressed_users bigint      NOT NULL CHECK (long_pressed_users >= 0),
  joined_users       bigint      NOT NULL CHECK (joined_users >= 0),
  updated_at         timestamptz NOT NULL,
  CONSTRAINT code_users_daily_pkey PRIMARY KEY (day, appid, code)
);
CREATE INDEX IF NOT EXISTS code_users_daily_code_idx
  ON code_users_daily (appid, code, day);

-- Seconds from exposure to long-press and from long-press to join (docs/tables.md#code_convert_time_hourly).
-- Percentiles are exact nearest-rank, NULL when their count is 0.
CREATE TABLE IF NOT EXISTS code_convert_time_hourly (
  bucket_start     timestamptz      NOT NULL,
  appid            text             NOT NULL,
  code             text             NOT NULL,
  pressed_sessions bigint           NOT NULL CHECK (pressed_sessions >= 0),
  press_p50_s      double precision CHECK (press_p50_s >= 0),
  press_p90_s      double precision CHECK (press_p90_s >= 0),
  press_p99_s      double precision CHECK (press_p99_s >= 0),
  joined_sessions  bigint           NOT NULL CHECK (joined_sessions >= 0),
  join_p50_s       double precision CHECK (join_p50_s >= 0),
  join_p90_s       double precision CHECK (join_p90_s >= 0),
  join_p99_s       double precision CHECK (join_p99_s >= 0),
  updated_at       timestamptz      NOT NULL,
  CONSTRAINT code_convert_time_hourly_pkey PRIMARY KEY (bucket_start, appid, code),
  CONSTRAINT code_convert_time_hourly_bucket_hour
    CHECK (extract(epoch FROM bucket_start) % 3600 = 0)
);
CREATE INDEX IF NOT EXISTS code_convert_time_hourly_code_idx
  ON code_convert_time_hourly (appid, code, bucket_start);

-- The same per local day: exact daily percentiles cannot come from hourly ones, so the job keeps them.
CREATE TABLE IF NOT EXISTS code_convert_time_daily (
  day              date             NOT NULL,
  appid            text             NOT NULL,
  code             text             NOT NULL,
  pressed_sessions bigint           NOT NULL CHECK (pressed_sessions >= 0),
  press_p50_s      double precision CHECK (press_p50_s >= 0),
  press_p90_s      double precision CHECK (press_p90_s >= 0),
  press_p99_s      double precision CHECK (press_p99_s >= 0),
  joined_sessions  bigint           NOT NULL CHECK (joined_sessions >= 0),
  join_p50_s       double precision CHECK (join_p50_s >= 0),
  join_p90_s       double precision CHECK (join_p90_s >= 0),
  join_p99_s       double precision CHECK (join_p99_s >= 0),
  updated_at       timestamptz      NOT NULL,
  CONSTRAINT code_convert_time_daily_pkey PRIMARY KEY (day, appid, code)
);
CREATE INDEX IF NOT EXISTS code_convert_time_daily_code_idx
  ON code_convert_time_daily (appid, code, day);

-- WeCom joins per code and hour of the join (docs/tables.md#code_join_hourly).
CREATE TABLE IF NOT EXISTS code_join_hourly (
  bucket_start       timestamptz NOT NULL,
  appid              text        NOT NULL,
  code               text        NOT NULL,
  wecom_joins        bigint      NOT NULL CHECK (wecom_joins >= 0),  -- distinct joins WeCom confirmed
  attributed_joins   bigint      NOT NULL CHECK (attributed_joins >= 0),
  unattributed_joins bigint      NOT NULL CHECK (unattributed_joins >= 0),
  updated_at         timestamptz NOT NULL,
  CONSTRAINT code_join_hourly_pkey PRIMARY KEY (bucket_start, appid, code),
  CONSTRAINT code_join_hourly_bucket_hour CHECK (extract(epoch FROM bucket_start) % 3600 = 0)
);
CREATE INDEX IF NOT EXISTS code_join_hourly_code_idx
  ON code_join_hourly (appid, code, bucket_start);

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
