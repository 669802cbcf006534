package io.upbot.job.source;

import io.upbot.job.JobSettings;
import io.upbot.job.model.DecodedRecord;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks from the server's clock: {@code max(received_at) − bound}, never from client time, so a phone
 * whose clock runs ahead cannot move event time (CONTRACT §3.6). Record timestamps are the events' own
 * {@code t}. Given to {@code env.fromSource}, the generator runs per Kafka partition (split), so a
 * partition read faster than another during a backfill does not push the others' watermark.
 *
 * <p>The invariant the job's cleanup relies on: a record arriving after watermark W has
 * {@code received_at ≥ W}, as long as records of one partition are out of {@code received_at} order by
 * at most {@code bound}.
 */
public final class ServerClockWatermarks implements WatermarkGenerator<DecodedRecord> {

  private final long boundMs;
  private long maxReceivedAt = Long.MIN_VALUE;
  private long lastEmitted = Long.MIN_VALUE;

  public ServerClockWatermarks(long boundMs) {
    this.boundMs = boundMs;
  }

  /**
   * The job's strategy from its settings. A backfill ({@code --bounded}) uses no idleness: every
   * partition has records up to its end offset and a finished one stops holding the watermark back,
   * while a partition wrongly taken for idle (a slow fetch) would resume behind the others' watermark.
   */
  public static WatermarkStrategy<DecodedRecord> strategy(JobSettings s) {
    return strategy(s.watermarkBound(), s.bounded() ? Duration.ZERO : s.sourceIdleness());
  }

  /** The strategy: timestamps = {@code t}, watermarks from {@code received_at}, with idleness. */
  public static WatermarkStrategy<DecodedRecord> strategy(Duration bound, Duration idleness) {
    long boundMs = bound.toMillis();
    WatermarkStrategy<DecodedRecord> s =
        WatermarkStrategy.<DecodedRecord>forGenerator(ctx -> new ServerClockWatermarks(boundMs))
            .withTimestampAssigner(
                (r, previous) -> r.event() != null ? r.event().t() : previous);
    return idleness.isZero() ? s : s.withIdleness(idleness);
  }

  @Override
  public void onEvent(DecodedRecord r, long eventTimestamp, WatermarkOutput output) {
    if (r.receivedAt() != DecodedRecord.NO_RECEIVED_AT && r.receivedAt() > maxReceivedAt) {
      maxReceivedAt = r.receivedAt();
    }
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    if (maxReceivedAt == Long.MIN_VALUE) {
      return;
    }
    long w = maxReceivedAt - boundMs;
    if (w > lastEmitted) {
      lastEmitted = w;
      output.emitWatermark(new Watermark(w));
    }
  }
}
