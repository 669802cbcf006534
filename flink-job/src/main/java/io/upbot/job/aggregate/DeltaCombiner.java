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

/**
 * Sums the deltas that change the same thing (one row, one duration of a row, one session's
 * figures) while they wait for the next watermark, checkpoint barrier or end of input, and sends
 * the sums on: chained behind the sessionizer, it spares the row aggregators' exchange most of the
 * records of a busy row (docs/tables.md#totals-upserts-and-exactly-once-results).
 *
 * <p>Exact, because every row aggregator applies deltas linearly (a row's totals are sums of its
 * deltas) and because nothing a downstream function decides changes between two watermarks: the
 * sums leave before the watermark that follows them, so each reaches its row under the same
 * watermark as its parts would have. Within one flush the sums leave by decreasing live change
 * ({@link Sum#liveChange}): a row's live count then rises before it falls, so a row kept past its
 * retention cannot reach zero, and be dropped, while a later sum of the flush still belongs to it.
 *
 * <p>Holds no state: it flushes before every checkpoint barrier, so a checkpoint never covers a
 * delta still in the buffer. A processing-time timer flushes a buffer that waits longer than {@code
 * maxDelayMs}, for the watermark may stand still while records flow.
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
    flush();
    super.processWatermark(mark);
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

  private void flush() {
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
