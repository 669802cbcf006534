package io.upbot.job.model;

/** The totals of one {@code code_join_hourly} row, as upserted. */
public record JoinRow(
    long bucketStart,
    String appid,
    String code,
    long wecomJoins,
    long attributedJoins,
    long unattributedJoins,
    long updatedAt) {}
