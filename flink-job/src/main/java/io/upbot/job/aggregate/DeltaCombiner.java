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
 * <p>A sum whose deltas cancel out is sent too, though it changes nothing: its row must still be
 * written. After a failure the job replays the records since its last checkpoint, and where the
 * failed attempt sent a session's +1 to an hour in one flush (and its row was written) and its −1,
 * when the session moved to an earlier hour, in the next, the replay may meet both in one flush.
 * Dropping that zero sum would leave the row the failed attempt wrote untouched, with a session it
 * no longer has; sent, it makes the row aggregator write the row again ({@link RowAggregator}
 * writes every row a delta reaches). Not when another sum of the same flush reaches all its rows
 * ({@link Sum#rows}): a session's figures change by −1 as it was and +1 as it is, so most sums of
 * session changes are zero, and their rows are reached by the session's latest +1 anyway.
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

    /** The hash of what the delta changes: deltas of one key hash alike. */
    int keyHash(D d);

    /** Whether two deltas change the same thing (then they sum into one). */
    boolean sameKey(D a, D b);

    /** The sum of two deltas of one key. */
    D plus(D a, D b);

    /** Whether a sum changes nothing at all (sent only for its rows' sake: see the class). */
    boolean isZero(D d);

    /**
     * What names the rows a delta reaches, when deltas of other keys reach the same rows (then a
     * zero sum is not sent beside a sent sum that reaches all its rows); {@code null}, the default,
     * where a key is a row of its own.
     */
    default Object rows(D d) {
      return null;
    }

    /**
     * How far into its {@link #rows} a delta reaches: a sum reaches every row of a sum with the
     * same rows and a reach up to its own.
     */
    default int reach(D d) {
      return 0;
    }

    /** The delta's change of its row's live count (0 where rows have none). */
    default long liveChange(D d) {
      return 0;
    }
  }

  private final Sum<D> sum;
  private final long maxDelayMs;

  /**
   * The sums by key, open addressing (linear probing) on {@link Sum#keyHash}: compared by {@link
   * Sum#sameKey} on the deltas themselves, so no key object is built, nor a map node, per delta.
   */
  private transient Object[] sums;

  private transient int[] hashes;

  /** The slots in use, in the order their keys first came; {@code size} of them. */
  private transient int[] used;

  private transient int size;

  /** 32 − log2 of the table's length: {@link #home} keeps that many high bits. */
  private transient int shift;

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
    allocate(INITIAL_SLOTS);
  }

  private static final int INITIAL_SLOTS = 256;

  private void allocate(int slots) {
    shift = Integer.numberOfLeadingZeros(slots) + 1;
    sums = new Object[slots];
    hashes = new int[slots];
    used = new int[slots / 2];
    size = 0;
  }

  @Override
  public void processElement(StreamRecord<D> element) throws Exception {
    add(element.getValue());
    if (element.hasTimestamp()) {
      timestamp =
          hasTimestamp ? Math.max(timestamp, element.getTimestamp()) : element.getTimestamp();
      hasTimestamp = true;
    }
    flushLater();
  }

  @SuppressWarnings("unchecked")
  private void add(D d) {
    int h = sum.keyHash(d);
    int mask = sums.length - 1;
    for (int i = home(h); ; i = (i + 1) & mask) {
      Object held = sums[i];
      if (held == null) {
        sums[i] = d;
        hashes[i] = h;
        used[size++] = i;
        if (size == used.length) {
          grow();
        }
        return;
      }
      if (hashes[i] == h && sum.sameKey((D) held, d)) {
        sums[i] = sum.plus((D) held, d);
        return;
      }
    }
  }

  /**
   * A hash's first slot: the high bits of the hash times 2^32 / φ. The keys' polynomial hashes of
   * similar codes (code-1-7, code-1-8) differ in their low bits, which a mask would keep clustered
   * in neighbouring slots, and linear probing makes clusters long.
   */
  private int home(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }

  /** Doubles the table at half full, keeping the keys' order. */
  private void grow() {
    Object[] oldSums = sums;
    int[] oldHashes = hashes;
    int[] oldUsed = used;
    int n = size;
    allocate(oldSums.length * 2);
    int mask = sums.length - 1;
    for (int k = 0; k < n; k++) {
      int from = oldUsed[k];
      int i = home(oldHashes[from]);
      while (sums[i] != null) {
        i = (i + 1) & mask;
      }
      sums[i] = oldSums[from];
      hashes[i] = oldHashes[from];
      used[size++] = i;
    }
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
    if (size == 0) {
      return;
    }
    List<D> all = new ArrayList<>(size);
    List<D> zeros = new ArrayList<>();
    for (int k = 0; k < size; k++) {
      int i = used[k];
      @SuppressWarnings("unchecked")
      D d = (D) sums[i];
      sums[i] = null;
      (sum.isZero(d) ? zeros : all).add(d);
    }
    size = 0;
    addZeroSumsForTheirRows(all, zeros);
    // Rises before falls: see the class comment. (Sums of equal live change may leave in any
    // order: every row applies them linearly.)
    all.sort(Comparator.comparingLong((D d) -> sum.liveChange(d)).reversed());
    StreamRecord<D> out = new StreamRecord<>(null);
    for (D d : all) {
      if (hasTimestamp) {
        output.collect(out.replace(d, timestamp));
      } else {
        output.collect(out.replace(d));
      }
    }
    hasTimestamp = false;
  }

  /**
   * Adds to {@code sent} the zero sums whose rows no sum of {@code sent} reaches (class comment).
   */
  private void addZeroSumsForTheirRows(List<D> sent, List<D> zeros) {
    if (zeros.isEmpty()) {
      return;
    }
    // The furthest reach of the sent sums, by rows.
    Map<Object, Integer> reached = new HashMap<>(2 * sent.size());
    for (D d : sent) {
      Object rows = sum.rows(d);
      if (rows != null) {
        reached.merge(rows, sum.reach(d), Math::max);
      }
    }
    for (D z : zeros) {
      Object rows = sum.rows(z);
      Integer reach = rows == null ? null : reached.get(rows);
      if (reach == null || reach < sum.reach(z)) {
        sent.add(z);
        if (rows != null) {
          reached.merge(rows, sum.reach(z), Math::max);
        }
      }
    }
  }
}
