package io.upbot.job;

import io.upbot.job.model.BreakdownRow;
import io.upbot.job.model.ConvertTimeDailyRow;
import io.upbot.job.model.ConvertTimeRow;
import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DwellRow;
import io.upbot.job.model.EventRow;
import io.upbot.job.model.FunnelRow;
import io.upbot.job.model.JoinRow;
import io.upbot.job.model.UsersDailyRow;
import org.apache.flink.api.connector.sink2.Sink;

/**
 * Where the job writes: one sink per output table. Production uses JDBC upsert sinks; tests pass
 * collecting sinks and run the same graph.
 */
public record JobSinks(
    Sink<FunnelRow> funnelRows,
    Sink<EventRow> eventRows,
    Sink<DwellRow> dwellRows,
    Sink<BreakdownRow> breakdownRows,
    Sink<UsersDailyRow> usersDailyRows,
    Sink<ConvertTimeRow> convertTimeRows,
    Sink<ConvertTimeDailyRow> convertTimeDailyRows,
    Sink<DeadLetter> deadLetters,
    Sink<JoinRow> joinRows) {}
