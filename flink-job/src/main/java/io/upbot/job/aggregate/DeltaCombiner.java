package io.upbot.job.aggregate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Sums the deltas that change the same thing (one row, one session's figures) for up to {@code
 * maxDelayMs}, holding the watermarks back meanwhile, and then sends the sums followed by the
 * latest watermark: chained behind the sessionizer, it spares the row aggregators' exchange most of
 * the records of a busy row (docs/tables.md#totals-upserts-and-exactly-once-results).
 *
 * <p>Exact, because every row aggregator applies deltas linearly (a row's totals are sums of its
 * deltas), and because no delta reaches its row under a later watermark than it would have
 * unsummed: a watermark leaves only after every sum of the deltas before it. (A delta may reach its
 * row under an earlier one, which only keeps rows longer: a row's state is dropped on a watermark,
 * never before.) Within one flush the sums leave by decreasing live change ({@link
 * Sum#liveChange}): a row's live count then rises before it falls, so a row kept past its retention
 * cannot reach zero, and be dropped, while a later sum of the flush still belongs to it.
 *
 * <p>Holds no state: it flushes, held watermark included, before every checkpoint barrier, so a
 * checkpoint never covers a delta still in the buffer; and at once on the final watermark of a
 * bounded input.
 *
 * @param <D> the delta
 */
public final class DeltaCombiner<D> extends AbstractStreamOperator<D>
    implements OneInputStreamOperator<D, D> {
  private static final long serialVersionUID = 1L;

  /** How one kind of delta sums. */
  public interface Sum<D> extends Serializable {

    /** What the delta changes: deltas with equal keys sum into one. */
    Object key(D d);

    /** The sum of two deltas of one key. */
    D plus(D a, D b);

    /** Whether a sum changes nothing at all (it is then not sent). */
    boolean isZero(D d);

    /** The delta's change of its row's live count (0 where rows have none). */
    default long liveChange(D d) {
      return 0;
    }
  }

  private final Sum<D> sum;
  private final long maxDelayMs;
  private transient Map<Object, D> buffer;
  private transient long timestamp;
  private transient boolean hasTimestamp;
  private transient boolean timerSet;
  private transient Watermark held;

  public DeltaCombiner(Sum<D> sum, long maxDelayMs) {
    this.sum = sum;
    this.maxDelayMs = maxDelayMs;
  }

  @Override
  public void open() throws Exception {
    super.open();
    buffer = new HashMap<>();
  }

  @Override
  public void processElement(StreamRecord<D> element) throws Exception {
    D d = element.getValue();
    buffer.merge(sum.key(d), d, sum::plus);
    if (element.hasTimestamp()) {
      timestamp =
          hasTimestamp ? Math.max(timestamp, element.getTimestamp()) : element.getTimestamp();
      hasTimestamp = true;
    }
    flushLater();
  }

  /** Flushes within {@code maxDelayMs}. */
  private void flushLater() {
    if (!timerSet) {
      timerSet = true;
      long now = getProcessingTimeService().getCurrentProcessingTime();
      getProcessingTimeService()
          .registerTimer(
              now + maxDelayMs,
              t -> {
                timerSet = false;
                flush();
              });
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    held = mark;
    if (mark.getTimestamp() == Long.MAX_VALUE) {
      flush(); // the end of a bounded input: nothing more to wait for
    } else {
      flushLater();
    }
  }

  /** A held watermark leaves before the input goes idle: an idle output drops watermarks. */
  @Override
  public void processWatermarkStatus(WatermarkStatus status) throws Exception {
    flush();
    super.processWatermarkStatus(status);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    flush();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  private void flush() throws Exception {
    sendSums();
    if (held != null) {
      Watermark w = held;
      held = null;
      super.processWatermark(w);
    }
  }

  private void sendSums() {
    if (buffer.isEmpty()) {
      return;
    }
    List<D> sums = new ArrayList<>(buffer.size());
    for (D d : buffer.values()) {
      if (!sum.isZero(d)) {
        sums.add(d);
      }
    }
    buffer.clear();
    // Rises before falls: see the class comment.
    sums.sort(Comparator.comparingLong((D d) -> sum.liveChange(d)).reversed());
    StreamRecord<D> out = new StreamRecord<>(null);
    for (D d : sums) {
      if (hasTimestamp) {
        output.collect(out.replace(d, timestamp));
      } else {
        output.collect(out.replace(d));
      }
    }
    hasTimestamp = false;
  }
}
