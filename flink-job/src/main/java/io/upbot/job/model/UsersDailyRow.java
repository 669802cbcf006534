package io.upbot.job.model;

/**
 * The totals of one {@code code_users_daily} row, as upserted: distinct users with a session
 * starting that day, and with one of depth ≥ 1, ≥ 2, 3.
 *
 * @param day epoch day of the local date
 */
public record UsersDailyRow(
    int day,
    String appid,
    String code,
    long users,
    long exposedUsers,
    long longPressedUsers,
    long joinedUsers,
    long updatedAt) {}
