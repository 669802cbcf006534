package io.upbot.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.EventDelta;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.SessionDelta;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** {@link DeltaCombiner}: what it sums, when it lets the sums go, and in which order. */
@SuppressWarnings("try") // the harnesses close() throws Exception, as Flink declares it
class DeltaCombinerTest {

  private static final long H10 = 10 * 3_600_000L;
  private static final long H11 = 11 * 3_600_000L;

  private static <D> OneInputStreamOperatorTestHarness<D, D> harness(DeltaCombiner.Sum<D> sum)
      throws Exception {
    OneInputStreamOperatorTestHarness<D, D> h =
        new OneInputStreamOperatorTestHarness<>(new DeltaCombiner<>(sum, 500));
    h.setup();
    h.open();
    return h;
  }

  /** Everything the combiner sent, records as their values and watermarks as they are. */
  private static List<Object> output(OneInputStreamOperatorTestHarness<?, ?> h) {
    List<Object> out = new ArrayList<>();
    for (Object o : h.getOutput()) {
      out.add(o instanceof StreamRecord<?> r ? r.getValue() : o);
    }
    h.getOutput().clear();
    return out;
  }

  private static FunnelDelta funnel(long hour, int sessions, int exposed, int live) {
    return new FunnelDelta(hour, "wx1", "c1", sessions, exposed, 0, 0, live);
  }

  private static SessionDelta session(String openid, int depth, int sessions, int live) {
    return new SessionDelta(H10, "wx1", "c1", openid, 1, 1, 1, depth, -1, -1, sessions, live);
  }

  @Test
  void shouldSendOneSumPerRowThenTheHeldWatermarkAfterTheLongestDelay() throws Exception {
    try (OneInputStreamOperatorTestHarness<FunnelDelta, FunnelDelta> h =
        harness(new DeltaSums.Funnel())) {
      h.setProcessingTime(1_000);
      h.processElement(funnel(H10, 1, 0, 1), 1);
      h.processWatermark(new Watermark(4));
      h.processElement(funnel(H10, 0, 1, 0), 2);
      h.processElement(funnel(H11, 1, 1, 1), 3);
      h.processWatermark(new Watermark(5));
      h.setProcessingTime(1_499);
      assertThat(output(h)).isEmpty();

      h.setProcessingTime(1_500);

      List<Object> out = output(h);
      assertThat(out).hasSize(3).last().isEqualTo(new Watermark(5));
      assertThat(out.subList(0, 2))
          .containsExactlyInAnyOrder(funnel(H10, 1, 1, 1), funnel(H11, 1, 1, 1));
    }
  }

  @Test
  void shouldLetEverythingGoAtOnceOnTheFinalWatermarkAndBeforeIdling() throws Exception {
    try (OneInputStreamOperatorTestHarness<FunnelDelta, FunnelDelta> h =
        harness(new DeltaSums.Funnel())) {
      h.processElement(funnel(H10, 1, 0, 1), 1);
      h.processWatermark(new Watermark(4));
      h.processWatermarkStatus(WatermarkStatus.IDLE);
      assertThat(output(h))
          .containsExactly(funnel(H10, 1, 0, 1), new Watermark(4), WatermarkStatus.IDLE);

      h.processWatermarkStatus(WatermarkStatus.ACTIVE);
      h.processElement(funnel(H10, 1, 0, 1), 5);
      h.processWatermark(Watermark.MAX_WATERMARK);
      assertThat(output(h))
          .containsExactly(WatermarkStatus.ACTIVE, funnel(H10, 1, 0, 1), Watermark.MAX_WATERMARK);
    }
  }

  /** Its row must still be written: a replay may sum what a failed attempt sent apart. */
  @Test
  void shouldSendASumWhoseChangesCancelOut() throws Exception {
    try (OneInputStreamOperatorTestHarness<SessionDelta, SessionDelta> h =
        harness(new DeltaSums.Sessions())) {
      h.processElement(session("o1", 1, 1, 1), 1);
      h.processElement(session("o1", 1, -1, -1), 2);
      h.processWatermark(Watermark.MAX_WATERMARK);

      assertThat(output(h)).containsExactly(session("o1", 1, 0, 0), Watermark.MAX_WATERMARK);
    }
  }

  /** A session deepened within one flush: its +1 reaches every row its zero sum would. */
  @Test
  void shouldNotSendAZeroSumBesideASentSumThatReachesAllItsRows() throws Exception {
    try (OneInputStreamOperatorTestHarness<SessionDelta, SessionDelta> h =
        harness(new DeltaSums.Sessions())) {
      h.processElement(session("o1", 1, 1, 1), 1);
      h.processElement(session("o1", 1, -1, -1), 2); // deepened: -1 as it was, +1 as it is
      h.processElement(session("o1", 2, 1, 1), 2);
      // o2 joined, then moved to another hour: o1's +1 reaches this hour's rows for it too.
      h.processElement(session("o2", 3, 1, 1), 3);
      h.processElement(session("o2", 3, -1, -1), 3);
      h.prepareSnapshotPreBarrier(1);

      assertThat(output(h)).containsExactly(session("o1", 2, 1, 1));
    }
  }

  /** The convert-time rows count only sessions that reached a long-press. */
  @Test
  void shouldSendAZeroSumOfALongPressedSessionBesideSumsOfSessionsThatWereNot() throws Exception {
    try (OneInputStreamOperatorTestHarness<SessionDelta, SessionDelta> h =
        harness(new DeltaSums.Sessions())) {
      h.processElement(session("o1", 2, 1, 1), 1);
      h.processElement(session("o1", 2, -1, -1), 2);
      h.processElement(session("o2", 1, 1, 1), 2);
      h.prepareSnapshotPreBarrier(1);

      assertThat(output(h)).containsExactly(session("o2", 1, 1, 1), session("o1", 2, 0, 0));
    }
  }

  @Test
  void shouldSendRisingLiveCountsBeforeFallingOnes() throws Exception {
    try (OneInputStreamOperatorTestHarness<SessionDelta, SessionDelta> h =
        harness(new DeltaSums.Sessions())) {
      h.processElement(session("o1", 1, -1, -1), 1); // o1's session deepened: -1 as it was
      h.processElement(session("o2", 0, 0, -1), 1); // o2's session ended
      h.processElement(session("o3", 0, 1, 1), 1); // o3 started one and it ended
      h.processElement(session("o3", 0, 0, -1), 1);
      h.processElement(session("o1", 2, 1, 1), 1); // +1 as it is now
      h.prepareSnapshotPreBarrier(1);

      List<Object> out = output(h);
      assertThat(out).startsWith(session("o1", 2, 1, 1), session("o3", 0, 1, 0)).hasSize(4);
      assertThat(out.subList(2, 4))
          .containsExactlyInAnyOrder(session("o1", 1, -1, -1), session("o2", 0, 0, -1));
    }
  }

  @Test
  void shouldLetTheSumsGoBeforeACheckpointBarrierAndAtTheEndOfInput() throws Exception {
    try (OneInputStreamOperatorTestHarness<EventDelta, EventDelta> h =
        harness(new DeltaSums.Events())) {
      h.processElement(new EventDelta(H10, "wx1", "c1", "expose", 1), 1);
      h.processElement(new EventDelta(H10, "wx1", "c1", "expose", 1), 1);
      h.prepareSnapshotPreBarrier(1);
      assertThat(output(h)).containsExactly(new EventDelta(H10, "wx1", "c1", "expose", 2));

      h.processElement(new EventDelta(H10, "wx1", "c1", "expose", 1), 1);
      h.getOneInputOperator().finish();
      assertThat(output(h)).containsExactly(new EventDelta(H10, "wx1", "c1", "expose", 1));
    }
  }

  @Test
  void shouldLetTheSumsGoAfterTheLongestDelayWhenNoWatermarkComes() throws Exception {
    try (OneInputStreamOperatorTestHarness<EventDelta, EventDelta> h =
        harness(new DeltaSums.Events())) {
      h.setProcessingTime(1_000);
      h.processElement(new EventDelta(H10, "wx1", "c1", "expose", 1), 1);
      h.processElement(new EventDelta(H10, "wx1", "c1", "expose", 1), 1);
      h.processElement(new EventDelta(H10, "wx1", "c1", "press", 1), 1);
      h.setProcessingTime(1_499);
      assertThat(output(h)).isEmpty();

      h.setProcessingTime(1_500);

      assertThat(output(h))
          .containsExactlyInAnyOrder(
              new EventDelta(H10, "wx1", "c1", "expose", 2),
              new EventDelta(H10, "wx1", "c1", "press", 1));
    }
  }

  /**
   * Event deltas summed by their row, but every one hashing alike: only sameKey tells them apart.
   */
  private static final class Colliding implements DeltaCombiner.Sum<EventDelta> {
    private static final long serialVersionUID = 1L;
    private final DeltaSums.Events events = new DeltaSums.Events();

    @Override
    public int keyHash(EventDelta d) {
      return 7;
    }

    @Override
    public boolean sameKey(EventDelta a, EventDelta b) {
      return events.sameKey(a, b);
    }

    @Override
    public EventDelta plus(EventDelta a, EventDelta b) {
      return events.plus(a, b);
    }

    @Override
    public boolean isZero(EventDelta d) {
      return events.isZero(d);
    }
  }

  @Test
  void shouldKeepDeltasOfOtherKeysApartWhenTheirHashesCollide() throws Exception {
    try (OneInputStreamOperatorTestHarness<EventDelta, EventDelta> h = harness(new Colliding())) {
      h.processElement(new EventDelta(H10, "wx1", "c1", "expose", 1), 1);
      h.processElement(new EventDelta(H10, "wx1", "c1", "press", 1), 1);
      h.processElement(new EventDelta(H11, "wx1", "c1", "expose", 1), 1);
      h.processElement(new EventDelta(H10, "wx1", "c1", "press", 1), 1);
      h.prepareSnapshotPreBarrier(1);

      assertThat(output(h))
          .containsExactlyInAnyOrder(
              new EventDelta(H10, "wx1", "c1", "expose", 1),
              new EventDelta(H10, "wx1", "c1", "press", 2),
              new EventDelta(H11, "wx1", "c1", "expose", 1));
    }
  }

  @Test
  void shouldSumEveryKeyWhenOneFlushHoldsMoreKeysThanTheFirstTable() throws Exception {
    try (OneInputStreamOperatorTestHarness<EventDelta, EventDelta> h =
        harness(new DeltaSums.Events())) {
      List<EventDelta> expected = new ArrayList<>();
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 1_000; i++) {
          h.processElement(new EventDelta(H10, "wx1", "c" + i, "expose", 1), 1);
        }
        h.prepareSnapshotPreBarrier(round);
        expected.clear();
        for (int i = 0; i < 1_000; i++) {
          expected.add(new EventDelta(H10, "wx1", "c" + i, "expose", 1));
        }
        assertThat(output(h)).containsExactlyInAnyOrderElementsOf(expected);
      }
      for (int i = 0; i < 1_000; i++) {
        h.processElement(new EventDelta(H10, "wx1", "c" + (i % 300), "expose", 1), 1);
      }
      h.prepareSnapshotPreBarrier(3);
      assertThat(output(h))
          .hasSize(300)
          .allSatisfy(d -> assertThat(((EventDelta) d).events()).isBetween(3, 4));
    }
  }
}
