package io.upbot.job.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.JourneyEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // the harnesses' close() throws Exception, as Flink declares it
class CardinalityGuardTest {

  static final long A = Duration.ofHours(24).toMillis();
  static final long HOUR = 3_600_000L;
  static final long H10 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final long H10_CLOSES = H10 + HOUR + A;
  static final String EXPOSED = "1110201";

  static KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent> guard(
      int maxCodes, int maxEventIds, OperatorSubtaskState restore) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new CardinalityGuard(maxCodes, maxEventIds, A)),
            CardinalityGuard::key,
            Types.STRING);
    h.setup();
    if (restore != null) {
      h.initializeState(restore);
    }
    h.open();
    h.setProcessingTime(1_000);
    return h;
  }

  static JourneyEvent ev(String appid, String code, String eventId, long t) {
    return new JourneyEvent(appid, code, "tr-" + code, eventId, t, t, t + 1_000, null);
  }

  /** Sends the events and returns those that passed, in order. */
  static List<JourneyEvent> send(
      KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent> h,
      JourneyEvent... events)
      throws Exception {
    int before = h.extractOutputValues().size();
    for (JourneyEvent e : events) {
      h.processElement(e, e.t());
    }
    List<JourneyEvent> all = h.extractOutputValues();
    return all.subList(before, all.size());
  }

  static List<DeadLetter> deadLetters(
      KeyedOneInputStreamOperatorTestHarness<String, JourneyEvent, JourneyEvent> h) {
    List<DeadLetter> out = new ArrayList<>();
    var q = h.getSideOutput(CardinalityGuard.DEAD_LETTERS);
    if (q != null) {
      for (StreamRecord<DeadLetter> r : q) {
        out.add(r.getValue());
      }
    }
    return out;
  }

  @Test
  void shouldDeadLetterNewCodesOnceTheAppidHourHoldsTheCapAndLetKnownCodesPass() throws Exception {
    try (var h = guard(3, 0, null)) {
      JourneyEvent c1 = ev("wx1", "c1", EXPOSED, H10 + 1_000);
      JourneyEvent c4 = ev("wx1", "c4", EXPOSED, H10 + 4_000);
      JourneyEvent c5 = ev("wx1", "c5", EXPOSED, H10 + 5_000);
      JourneyEvent c2again = ev("wx1", "c2", "1110204", H10 + 6_000);
      List<JourneyEvent> passed =
          send(
              h,
              c1,
              ev("wx1", "c2", EXPOSED, H10 + 2_000),
              ev("wx1", "c3", EXPOSED, H10 + 3_000),
              c4,
              c5,
              c2again);

      assertThat(passed).extracting(JourneyEvent::code).containsExactly("c1", "c2", "c3", "c2");
      assertThat(deadLetters(h))
          .containsExactly(
              new DeadLetter(CardinalityGuard.REASON, c4.toString(), c4.sourceName(), 1_000),
              new DeadLetter(CardinalityGuard.REASON, c5.toString(), c5.sourceName(), 1_000));
      // Other hours and other appids have caps of their own.
      assertThat(
              send(
                  h,
                  ev("wx1", "c4", EXPOSED, H10 + HOUR),
                  ev("wx2", "c4", EXPOSED, H10 + 7_000),
                  ev("wx1", "", EXPOSED, H10 - 1)))
          .hasSize(3);
    }
  }

  @Test
  void shouldDeadLetterNewEventIdsOnceTheAppidHourHoldsTheCapWhateverTheCode() throws Exception {
    try (var h = guard(0, 2, null)) {
      List<JourneyEvent> passed =
          send(
              h,
              ev("wx1", "c1", "e1", H10),
              ev("wx1", "c2", "e2", H10 + 1),
              ev("wx1", "c3", "e3", H10 + 2),
              ev("wx1", "c4", "e1", H10 + 3));

      assertThat(passed).extracting(JourneyEvent::eventId).containsExactly("e1", "e2", "e1");
      assertThat(deadLetters(h)).extracting(DeadLetter::reason).containsExactly("cardinality");
    }
  }

  @Test
  void shouldNotAdmitTheNewCodeOfAnEventRejectedForItsEventId() throws Exception {
    try (var h = guard(2, 1, null)) {
      send(h, ev("wx1", "c1", "e1", H10), ev("wx1", "c2", "e2", H10 + 1));
      // c2 came with a rejected event id: its slot is still free.
      List<JourneyEvent> passed =
          send(h, ev("wx1", "c3", "e1", H10 + 2), ev("wx1", "c2", "e1", H10 + 3));

      assertThat(passed).extracting(JourneyEvent::code).containsExactly("c3");
      assertThat(deadLetters(h)).hasSize(2);
    }
  }

  @Test
  void shouldClearAnHoursStateOnceNoOnTimeEventCanFallInIt() throws Exception {
    try (var h = guard(1, 1, null)) {
      send(h, ev("wx1", "c1", EXPOSED, H10), ev("wx1", "c2", EXPOSED, H10 + 1));
      assertThat(h.numKeyedStateEntries()).as("counts, codes, event ids").isEqualTo(3);

      // An on-time event of 10:00 can still come: t < 11:00 and received_at ≤ t + A.
      h.processWatermark(H10_CLOSES - 1);
      assertThat(h.numKeyedStateEntries()).isEqualTo(3);
      assertThat(send(h, ev("wx1", "c3", EXPOSED, H10 + HOUR - 1))).isEmpty();

      h.processWatermark(H10_CLOSES);
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
      // A straggler of the closed hour (a partition broke the watermark bound) creates no state;
      // the
      // sessionizer dead-letters it as behind the watermark.
      assertThat(send(h, ev("wx1", "c4", EXPOSED, H10 + 5))).hasSize(1);
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void shouldKeyEveryEventOfAnAppidAlikeSoAJourneyKeepsItsOrderWhateverTheHour() {
    // Copies of one event from a fast clock can have t in different hours; keyed by hour they could
    // take different subtasks and overtake each other, and the sessionizer keeps the first copy.
    assertThat(CardinalityGuard.key(ev("wx1", "c1", EXPOSED, H10)))
        .isEqualTo(CardinalityGuard.key(ev("wx1", "c1", EXPOSED, H10 + 3 * HOUR)));
  }

  @Test
  void shouldKeepNoStateWhenBothCapsAreOff() throws Exception {
    try (var h = guard(0, 0, null)) {
      for (int i = 0; i < 50; i++) {
        send(h, ev("wx1", "c" + i, "e" + i, H10 + i));
      }

      assertThat(h.extractOutputValues()).hasSize(50);
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void shouldDecideTheSameAfterARestoreAndStillClearTheHour() throws Exception {
    OperatorSubtaskState checkpoint;
    try (var h = guard(2, 0, null)) {
      send(
          h,
          ev("wx1", "c1", EXPOSED, H10),
          ev("wx1", "c2", EXPOSED, H10 + 1),
          ev("wx1", "c3", EXPOSED, H10 + 2));
      checkpoint = h.snapshot(1, 1_000);
    }
    try (var h = guard(2, 0, checkpoint)) {
      List<JourneyEvent> passed =
          send(
              h,
              ev("wx1", "c3", EXPOSED, H10 + 3),
              ev("wx1", "c4", EXPOSED, H10 + 4),
              ev("wx1", "c2", EXPOSED, H10 + 5));

      assertThat(passed).extracting(JourneyEvent::code).containsExactly("c2");
      assertThat(deadLetters(h))
          .extracting(DeadLetter::source)
          .containsExactly(
              ev("wx1", "c3", EXPOSED, H10 + 3).sourceName(),
              ev("wx1", "c4", EXPOSED, H10 + 4).sourceName());
      // The cleanup timer came back with the state.
      h.processWatermark(H10_CLOSES);
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void shouldNameEachDistinctEventInItsSourceEvenWithSeparatorsInItsParts() {
    JourneyEvent a = new JourneyEvent("wx1", "a/b", "t", "e", H10, H10, H10, null);
    JourneyEvent b = new JourneyEvent("wx1", "a", "b/t", "e", H10, H10, H10, null);
    JourneyEvent c = new JourneyEvent("wx1", "a", "b", "t/e", H10, H10, H10, null);

    assertThat(List.of(a.sourceName(), b.sourceName(), c.sourceName())).doesNotHaveDuplicates();
    assertThat(ev("wx1", "c1", EXPOSED, H10).sourceName())
        .isEqualTo("journey/wx1/c1/tr-c1/1110201@" + H10)
        .isEqualTo(ev("wx1", "c1", EXPOSED, H10).sourceName());
  }
}
