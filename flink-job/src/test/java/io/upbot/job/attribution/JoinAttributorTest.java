package io.upbot.job.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.AttributionKey;
import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.HourBuckets;
import io.upbot.job.model.JoinDelta;
import io.upbot.job.model.JourneyEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // the harnesses' close() throws Exception, as Flink declares it
class JoinAttributorTest {

  static final long A = Duration.ofHours(24).toMillis();
  static final long G = Duration.ofMinutes(30).toMillis();
  static final long MIN = 60_000L;
  static final long T10 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final long H10 = HourBuckets.bucketStart(T10);
  static final String LONG_PRESS = "1110204";
  static final String JOINED = "1110205";

  static KeyedOneInputStreamOperatorTestHarness<AttributionKey, JourneyEvent, JourneyEvent>
      attributor() throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new JoinAttributor(FunnelStages.DEFAULT, G, A)),
            AttributionKey::of,
            TypeInformation.of(AttributionKey.class));
    h.setup();
    h.open();
    return h;
  }

  static JourneyEvent client(String trace, String eventId, long t, String unionid) {
    return new JourneyEvent(
        "wx1",
        "c1",
        trace,
        eventId,
        t,
        t,
        t + 1_000,
        null,
        "o-" + trace,
        2,
        1,
        2,
        unionid,
        "client");
  }

  static JourneyEvent join(long t, String unionid) {
    return new JourneyEvent(
        "wx1",
        "c1",
        "openid:wecom:wm-1",
        JOINED,
        t,
        t,
        t + 2_000,
        null,
        "wecom:wm-1",
        2,
        JourneyEvent.ABSENT,
        2,
        unionid,
        "wecom");
  }

  static List<JourneyEvent> send(
      KeyedOneInputStreamOperatorTestHarness<AttributionKey, JourneyEvent, JourneyEvent> h,
      JourneyEvent... events)
      throws Exception {
    int before = h.extractOutputValues().size();
    for (JourneyEvent e : events) {
      h.processElement(e, e.receivedAt());
    }
    List<JourneyEvent> all = h.extractOutputValues();
    return new ArrayList<>(all.subList(before, all.size()));
  }

  static List<JoinDelta> deltas(
      KeyedOneInputStreamOperatorTestHarness<AttributionKey, JourneyEvent, JourneyEvent> h) {
    List<JoinDelta> out = new ArrayList<>();
    var q = h.getSideOutput(JoinAttributor.JOIN_DELTAS);
    if (q != null) {
      for (StreamRecord<JoinDelta> r : q) {
        out.add(r.getValue());
      }
    }
    return out;
  }

  static JoinDelta delta(int joins, int attributed, int unattributed) {
    return new JoinDelta(H10, "wx1", "c1", joins, attributed, unattributed);
  }

  @Test
  void shouldMoveAJoinToTheTraceOfTheLatestLongPressAtOrBeforeItAsAStage3Event() throws Exception {
    try (var h = attributor()) {
      JourneyEvent lp1 = client("tr-1", LONG_PRESS, T10, "u-1");
      JourneyEvent lp2 = client("tr-2", LONG_PRESS, T10 + 10 * MIN, "u-1");
      JourneyEvent lp3 = client("tr-3", LONG_PRESS, T10 + 20 * MIN, "u-1");
      assertThat(send(h, lp1, lp2, lp3))
          .as("client events pass unchanged")
          .containsExactly(lp1, lp2, lp3);

      JourneyEvent j = join(T10 + 15 * MIN, "u-1");
      assertThat(send(h, j)).containsExactly(j.inTrace("tr-2", JOINED));
      assertThat(deltas(h)).containsExactly(delta(1, 1, 0));
    }
  }

  @Test
  void shouldAttributeAJoinOnTheLongPressesTimeItself() throws Exception {
    try (var h = attributor()) {
      send(h, client("tr-1", LONG_PRESS, T10, "u-1"));
      assertThat(send(h, join(T10, "u-1"))).extracting(JourneyEvent::trace).containsExactly("tr-1");
    }
  }

  @Test
  void shouldHoldAnEarlyJoinUntilItsLongPressArrivesThenAttributeIt() throws Exception {
    try (var h = attributor()) {
      JourneyEvent j = join(T10 + 5 * MIN, "u-1");
      assertThat(send(h, j)).isEmpty();
      assertThat(deltas(h)).containsExactly(delta(1, 0, 0));

      JourneyEvent lp = client("tr-1", LONG_PRESS, T10, "u-1");
      assertThat(send(h, lp)).containsExactly(lp, j.inTrace("tr-1", JOINED));
      assertThat(deltas(h)).containsExactly(delta(1, 0, 0), delta(0, 1, 0));
    }
  }

  @Test
  void shouldAttributeALongPressArrivingJustBeforeTheWatermarkPassesJoinTimePlusA()
      throws Exception {
    try (var h = attributor()) {
      JourneyEvent j = join(T10 + 5 * MIN, "u-1");
      send(h, j);
      h.processWatermark(j.t() + A - 1);
      JourneyEvent late = client("tr-late", LONG_PRESS, T10, "u-1");
      assertThat(send(h, late)).containsExactly(late, j.inTrace("tr-late", JOINED));
      h.processWatermark(j.t() + A);
      assertThat(deltas(h)).containsExactly(delta(1, 0, 0), delta(0, 1, 0));
    }
  }

  @Test
  void shouldCountAJoinUnattributableWhenNoLongPressCameByJoinTimePlusA() throws Exception {
    try (var h = attributor()) {
      JourneyEvent j = join(T10 + 5 * MIN, "u-1");
      send(h, j);
      h.processWatermark(j.t() + A - 1);
      assertThat(deltas(h)).containsExactly(delta(1, 0, 0));
      h.processWatermark(j.t() + A);
      assertThat(deltas(h)).containsExactly(delta(1, 0, 0), delta(0, 0, 1));
      assertThat(h.extractOutputValues()).as("never reaches the funnel").isEmpty();
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void shouldNotAttributeToALongPressAfterTheJoinOrGOrMoreBeforeIt() throws Exception {
    try (var h = attributor()) {
      JourneyEvent j = join(T10 + 40 * MIN, "u-1");
      JourneyEvent before = client("tr-old", LONG_PRESS, j.t() - G, "u-1");
      JourneyEvent after = client("tr-after", LONG_PRESS, j.t() + 1, "u-1");
      assertThat(send(h, before, after, j)).containsExactly(before, after);
      JourneyEvent justInside = client("tr-in", LONG_PRESS, j.t() - G + 1, "u-1");
      assertThat(send(h, justInside)).containsExactly(justInside, j.inTrace("tr-in", JOINED));
    }
  }

  @Test
  void shouldNotAttributeToAnotherUsersOrAnotherCodesLongPress() throws Exception {
    try (var h = attributor()) {
      JourneyEvent other = client("tr-x", LONG_PRESS, T10, "u-2");
      JourneyEvent otherCode =
          new JourneyEvent(
              "wx1", "c2", "tr-y", LONG_PRESS, T10, T10, T10, null, "o", 2, 1, 2, "u-1", "client");
      send(h, other, otherCode);
      assertThat(send(h, join(T10 + MIN, "u-1"))).isEmpty();
    }
  }

  @Test
  void shouldCountAJoinWithoutUnionidUnattributableAtOnceAndOnlyOnce() throws Exception {
    try (var h = attributor()) {
      assertThat(send(h, join(T10, null), join(T10, null))).isEmpty();
      assertThat(deltas(h)).containsExactly(delta(1, 0, 1));
      h.processWatermark(T10 + A);
      assertThat(deltas(h)).containsExactly(delta(1, 0, 1));
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void shouldCountACopyOfAJoinOnce() throws Exception {
    try (var h = attributor()) {
      JourneyEvent lp = client("tr-1", LONG_PRESS, T10, "u-1");
      JourneyEvent j = join(T10 + MIN, "u-1");
      JourneyEvent copy =
          new JourneyEvent(
              j.appid(),
              j.code(),
              j.trace(),
              j.eventId(),
              j.eventTime(),
              j.t(),
              j.receivedAt() + 5_000,
              null,
              j.openid(),
              2,
              0,
              2,
              "u-1",
              "wecom");
      assertThat(send(h, lp, j, copy)).containsExactly(lp, j.inTrace("tr-1", JOINED));
      assertThat(deltas(h)).containsExactly(delta(1, 1, 0));
    }
  }

  @Test
  void shouldPassEventsOtherThanLongPressesWithoutKeepingThem() throws Exception {
    try (var h = attributor()) {
      JourneyEvent exposure = client("tr-1", "1110201", T10, "u-1");
      JourneyEvent clientJoin = client("tr-1", JOINED, T10, "u-1");
      assertThat(send(h, exposure, clientJoin)).containsExactly(exposure, clientJoin);
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(send(h, join(T10 + MIN, "u-1"))).as("an exposure is no long-press").isEmpty();
    }
  }

  @Test
  void shouldClearEveryKeysStateOnceTheWatermarkPassesTheLastDeadline() throws Exception {
    try (var h = attributor()) {
      JourneyEvent lp = client("tr-1", LONG_PRESS, T10, "u-1");
      send(
          h,
          lp,
          join(T10 + MIN, "u-1"),
          join(T10 + 2 * MIN, "u-2"),
          join(T10 + 3 * MIN, null),
          client("tr-2", LONG_PRESS, T10 + 4 * MIN, "u-3"));
      assertThat(h.numKeyedStateEntries()).isPositive();
      h.processWatermark(T10 + 3 * MIN + A);
      assertThat(h.numKeyedStateEntries())
          .as("long-presses wait for joins up to t + G + A")
          .isPositive();
      h.processWatermark(T10 + 4 * MIN + G + A);
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(deltas(h))
          .containsExactlyInAnyOrder(
              delta(1, 1, 0), delta(1, 0, 0), delta(1, 0, 1), delta(0, 0, 1));
    }
  }

  @Test
  void shouldNotKeepALongPressThatNoOnTimeJoinCanReach() throws Exception {
    try (var h = attributor()) {
      h.processWatermark(T10 + G + A);
      JourneyEvent lp = client("tr-1", LONG_PRESS, T10, "u-1");
      assertThat(send(h, lp)).containsExactly(lp);
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }
}
