package io.upbot.job.source;

import io.upbot.job.model.DecodedRecord;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watermarks from the server's clock: {@code max(received_at) − bound}, never from client time, so
 * a phone whose clock runs ahead cannot move event time (docs/semantics.md#late-events). Record
 * timestamps are the events' own {@code t}. Given to {@code env.fromSource}, the generator runs per
 * Kafka partition (split), so a partition read faster than another during a backfill does not push
 * the others' watermark.
 *
 * <p>The invariant the job's cleanup relies on: a record arriving after watermark W has {@code
 * received_at ≥ W}, as long as records of one partition are out of {@code received_at} order by at
 * most {@code bound}.
 *
 * <p>A {@code received_at} more than {@link #MAX_CLOCK_AHEAD} ahead of the job's own wall clock
 * does not move the watermark: see {@link #onEvent}.
 */
public final class ServerClockWatermarks implements WatermarkGenerator<DecodedRecord> {

  private static final Logger LOG = LoggerFactory.getLogger(ServerClockWatermarks.class);

  /**
   * How far a {@code received_at} may be ahead of the job's wall clock and still move the
   * watermark. An honest {@code received_at} was stamped before the job reads the record, so it is
   * behind the job's clock by up to the clock skew between an ingest host and a TaskManager (NTP
   * keeps it to milliseconds; a minute is ample). Anything further ahead comes from an ingest host
   * with a broken clock.
   */
  public static final Duration MAX_CLOCK_AHEAD = Duration.ofMinutes(1);

  private final long boundMs;
  private final long maxAheadMs;
  private final LongSupplier wallClock;
  private long ignored;
  private long maxReceivedAt = Long.MIN_VALUE;
  private long lastEmitted = Long.MIN_VALUE;

  /**
   * @param boundMs how far {@code received_at} may be out of order within a partition
   * @param wallClock the job's clock, epoch ms ({@code System::currentTimeMillis} in production)
   */
  public ServerClockWatermarks(long boundMs, LongSupplier wallClock) {
    this.boundMs = boundMs;
    this.maxAheadMs = MAX_CLOCK_AHEAD.toMillis();
    this.wallClock = wallClock;
  }

  /** A generator on the system clock. */
  public ServerClockWatermarks(long boundMs) {
    this(boundMs, System::currentTimeMillis);
  }

  /**
   * Records of this partition whose {@code received_at} was too far ahead to move the watermark.
   */
  public long ignoredCount() {
    return ignored;
  }

  /**
   * The job's strategy. A backfill ({@code bounded}) uses no idleness: every partition has records
   * up to its end offset and a finished one stops holding the watermark back, while a partition
   * wrongly taken for idle (a slow fetch) would resume behind the others' watermark.
   *
   * @param bound how far {@code received_at} may be out of order within a partition
   * @param idleness how long a partition without records may hold the watermark back ({@code 0}:
   *     ever)
   * @param bounded the input ends (a backfill): idleness is not used
   */
  public static WatermarkStrategy<DecodedRecord> strategy(
      Duration bound, Duration idleness, boolean bounded) {
    return strategy(bound, bounded ? Duration.ZERO : idleness);
  }

  /** The strategy: timestamps = {@code t}, watermarks from {@code received_at}, with idleness. */
  public static WatermarkStrategy<DecodedRecord> strategy(Duration bound, Duration idleness) {
    long boundMs = bound.toMillis();
    WatermarkStrategy<DecodedRecord> s =
        WatermarkStrategy.<DecodedRecord>forGenerator(ctx -> new ServerClockWatermarks(boundMs))
            .withTimestampAssigner((r, previous) -> r.event() != null ? r.event().t() : previous);
    return idleness.isZero() ? s : s.withIdleness(idleness);
  }

  /**
   * Moves the partition's {@code max(received_at)}, except for a record stamped more than {@link
   * #MAX_CLOCK_AHEAD} after the job's wall clock: one such record (an ingest host whose clock is
   * days ahead) would otherwise push the watermark ahead of every honest record still to come,
   * which would then all be behind the watermark and their rows retired early, until a restart. The
   * record itself still flows through the usual rules: late when its {@code received_at} is more
   * than A after its time, counted otherwise.
   *
   * <p>Determinism on replay: the watermark now depends on when the record is read. That is
   * acceptable because it changes nothing for honest records: their {@code received_at} is never
   * ahead of the wall clock of any run, so every run (live, restored, replayed) takes all of them.
   * Only a broken record's effect on the watermark can differ between runs. A restore minutes later
   * still ignores it; a replay (a backfill) read once real time has passed its stamp lets it move
   * the watermark as before this guard, and any event that then misses its session or row is
   * dead-lettered as {@code behind_watermark} / {@code row_state_dropped} and counted in the
   * metrics, never silently lost: a backfill over a period with such an incident is to be checked
   * for those.
   */
  @Override
  public void onEvent(DecodedRecord r, long eventTimestamp, WatermarkOutput output) {
    long receivedAt = r.receivedAt();
    if (receivedAt == DecodedRecord.NO_RECEIVED_AT || receivedAt <= maxReceivedAt) {
      return;
    }
    long now = wallClock.getAsLong();
    // Written as a difference so a wall clock near Long.MAX_VALUE (tests) cannot overflow.
    if (receivedAt - maxAheadMs > now) {
      ignored++;
      // A log, not a metric: the generator runs once per partition, all in one metric group where a
      // second counter of the same name would not be reported. The 1st, 10th, 100th… keep it short.
      if (isPowerOfTen(ignored)) {
        LOG.warn(
            "received_at {} is more than {} ahead of this job's clock ({}): an ingest host's clock is"
                + " wrong; such records do not move the watermark ({} so far in this partition)",
            receivedAt,
            MAX_CLOCK_AHEAD,
            now,
            ignored);
      }
      return;
    }
    maxReceivedAt = receivedAt;
  }

  private static boolean isPowerOfTen(long n) {
    while (n >= 10 && n % 10 == 0) {
      n /= 10;
    }
    return n == 1;
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
