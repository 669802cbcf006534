package io.upbot.job.model;

/**
 * The figures of a {@code code_convert_time_*} row: how many sessions reached the long-press and
 * the join, and exact nearest-rank percentiles of their convert times, in milliseconds ({@code
 * null} when the count is 0).
 */
public record ConvertTimes(
    long pressedSessions,
    Long pressP50Ms,
    Long pressP90Ms,
    Long pressP99Ms,
    long joinedSessions,
    Long joinP50Ms,
    Long joinP90Ms,
    Long joinP99Ms) {}
