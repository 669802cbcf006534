package io.upbot.job.model;

/**
 * The journey of CONTRACT §3.2: {@code (appid, code, trace)}, with {@code code = ""} when absent and
 * {@code trace} the trace_id or {@code openid:<openid>}.
 */
public record JourneyKey(String appid, String code, String trace) {}
