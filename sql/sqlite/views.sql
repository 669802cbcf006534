-- upbot daily views for growth teams, SQLite. A template: SchemaInstaller fills in the time zone
-- (configurable, default Asia/Shanghai) and (re)creates the views on every start; by hand, see README.md.
--   {{TZ_NAME}}      the zone id as a SQL literal, e.g. 'Asia/Shanghai'
--   {{TZ_MODIFIER}}  a date() modifier for the zone's offset, e.g. '+480 minutes'
-- SQLite knows no time zones, so the offset is FIXED when the views are installed: the zone's
-- standard (non-daylight-saving) offset. For a zone with DST, days are then an hour off during
-- summer time; Asia/Shanghai (UTC+8 all year) and fixed offsets are exact. Use PostgreSQL where a
-- DST zone's days must be exact.
-- A local day holds the hourly buckets that start in it (for zones whose offset is not a whole number
-- of hours, a bucket straddling local midnight counts for the day it starts in).
-- Views are dropped and created again, so a change of zone or columns installs too.

DROP VIEW IF EXISTS code_funnel_daily;
CREATE VIEW code_funnel_daily AS
SELECT
  d.day,
  d.appid,
  d.code,
  d.sessions,
  d.exposed,
  d.long_pressed,
  d.joined,
  -- Conversion rates between 0 and 1; NULL when nothing reached the earlier stage.
  CAST(d.long_pressed AS REAL) / NULLIF(d.exposed, 0)      AS exposed_to_long_pressed,
  CAST(d.joined AS REAL)       / NULLIF(d.long_pressed, 0) AS long_pressed_to_joined,
  CAST(d.joined AS REAL)       / NULLIF(d.exposed, 0)      AS exposed_to_joined,
  {{TZ_NAME}} AS time_zone
FROM (
  SELECT
    date(h.bucket_start, {{TZ_MODIFIER}}) AS day,
    h.appid,
    h.code,
    SUM(h.sessions)     AS sessions,
    SUM(h.exposed)      AS exposed,
    SUM(h.long_pressed) AS long_pressed,
    SUM(h.joined)       AS joined
  FROM code_funnel_hourly AS h
  GROUP BY 1, h.appid, h.code
) AS d;

-- Daily dwell per code. Percentiles stay hourly only (code_dwell_hourly): an exact nearest-rank
-- percentile of a day cannot be computed from the hours' percentiles, it needs every duration, which
-- the tables do not keep. Count, sum, average and maximum do combine exactly.
DROP VIEW IF EXISTS code_dwell_daily;
CREATE VIEW code_dwell_daily AS
SELECT
  d.day,
  d.appid,
  d.code,
  d.events,
  d.total_s,
  CAST(d.total_s AS REAL) / NULLIF(d.events, 0) AS avg_s,
  d.max_s,
  {{TZ_NAME}} AS time_zone
FROM (
  SELECT
    date(h.bucket_start, {{TZ_MODIFIER}}) AS day,
    h.appid,
    h.code,
    SUM(h.events)  AS events,
    SUM(h.total_s) AS total_s,
    MAX(h.max_s)   AS max_s
  FROM code_dwell_hourly AS h
  GROUP BY 1, h.appid, h.code
) AS d;

-- Daily distinct events per code and event id (each distinct event lies in exactly one hour, so the
-- hours' counts add up exactly).
DROP VIEW IF EXISTS code_event_daily;
CREATE VIEW code_event_daily AS
SELECT
  date(h.bucket_start, {{TZ_MODIFIER}}) AS day,
  h.appid,
  h.code,
  h.event_id,
  SUM(h.events) AS events,
  {{TZ_NAME}} AS time_zone
FROM code_event_hourly AS h
GROUP BY 1, h.appid, h.code, h.event_id;

-- Daily funnel per code and the dimensions of the sessions' earliest events: sums of
-- code_funnel_breakdown_hourly, exact as code_funnel_daily's (a session counts in one hour, one row).
DROP VIEW IF EXISTS code_funnel_breakdown_daily;
CREATE VIEW code_funnel_breakdown_daily AS
SELECT
  d.day,
  d.appid,
  d.code,
  d.device_type,
  d.account_type,
  d.media_type,
  d.sessions,
  d.exposed,
  d.long_pressed,
  d.joined,
  -- Conversion rates between 0 and 1; NULL when nothing reached the earlier stage.
  CAST(d.long_pressed AS REAL) / NULLIF(d.exposed, 0)      AS exposed_to_long_pressed,
  CAST(d.joined AS REAL)       / NULLIF(d.long_pressed, 0) AS long_pressed_to_joined,
  CAST(d.joined AS REAL)       / NULLIF(d.exposed, 0)      AS exposed_to_joined,
  {{TZ_NAME}} AS time_zone
FROM (
  SELECT
    date(h.bucket_start, {{TZ_MODIFIER}}) AS day,
    h.appid,
    h.code,
    h.device_type,
    h.account_type,
    h.media_type,
    SUM(h.sessions)     AS sessions,
    SUM(h.exposed)      AS exposed,
    SUM(h.long_pressed) AS long_pressed,
    SUM(h.joined)       AS joined
  FROM code_funnel_breakdown_hourly AS h
  GROUP BY 1, h.appid, h.code, h.device_type, h.account_type, h.media_type
) AS d;

-- Conversion between users per day: code_users_daily (distinct users cannot be summed over hours, so
-- the job keeps the day itself, in the zone it runs with) with its rates.
DROP VIEW IF EXISTS code_users_conversion_daily;
CREATE VIEW code_users_conversion_daily AS
SELECT
  u.day,
  u.appid,
  u.code,
  u.users,
  u.exposed_users,
  u.long_pressed_users,
  u.joined_users,
  -- Conversion rates between 0 and 1; NULL when no user reached the earlier stage.
  CAST(u.long_pressed_users AS REAL) / NULLIF(u.exposed_users, 0)      AS exposed_to_long_pressed,
  CAST(u.joined_users AS REAL)       / NULLIF(u.long_pressed_users, 0) AS long_pressed_to_joined,
  CAST(u.joined_users AS REAL)       / NULLIF(u.exposed_users, 0)      AS exposed_to_joined,
  {{TZ_NAME}} AS time_zone
FROM code_users_daily AS u;
