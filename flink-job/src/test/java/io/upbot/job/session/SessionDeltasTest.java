package io.upbot.job.session;

import static io.upbot.job.session.SessionizerHarness.HEAP;
import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.JourneyEvent;
import io.upbot.job.model.JourneyKey;
import io.upbot.job.model.SessionDelta;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sessionizer's per-session deltas: a session takes the user and dimensions of its earliest
 * event (docs/semantics.md#a-sessions-user-and-dimensions), carries its convert times, and is
 * corrected by −1/+1 when an event changes what these tables see.
 */
class SessionDeltasTest {

  static final long G = Duration.ofMinutes(30).toMillis();
  static final long A = Duration.ofHours(24).toMillis();
  static final long MIN = 60_000L;
  static final long H10 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final long H11 = Instant.parse("2026-11-30T11:00:00Z").toEpochMilli();
  static final String JUMP = "1100102";
  static final String EXPOSED = "1110201";
  static final String LONG_PRESS = "1110204";
  static final String JOINED = "1110205";

  KeyedOneInputStreamOperatorTestHarness<JourneyKey, JourneyEvent, FunnelDelta> harness;

  @BeforeEach
  void open() throws Exception {
    harness = SessionizerHarness.open(HEAP, G, A, JourneySessionizer.DEFAULT_MAX_EVENTS);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  /** An event of user {@code openid} from device type {@code device}, media type 2. */
  static JourneyEvent ev(String eventId, long t, String openid, int device) {
    return new JourneyEvent(
        "app", "code1", "trace1", eventId, t, t, t + 1000, null, openid, 2, device, 2);
  }

  static SessionDelta delta(
      long bucket, String openid, int device, int depth, long pressMs, long joinMs, int sign) {
    return new SessionDelta(
        bucket, "app", "code1", openid, 2, device, 2, depth, pressMs, joinMs, sign, sign);
  }

  List<SessionDelta> deltas(JourneyEvent... events) throws Exception {
    for (JourneyEvent e : events) {
      harness.processElement(e, e.t());
    }
    var out = harness.getSideOutput(JourneySessionizer.SESSION_DELTAS);
    List<SessionDelta> list =
        out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    if (out != null) {
      out.clear();
    }
    return list;
  }

  @Test
  void shouldSendNothingWhenAnEventChangesNothingThePerSessionTablesSee() throws Exception {
    assertThat(deltas(ev(EXPOSED, H10 + MIN, "o1", 1)))
        .containsExactly(delta(H10, "o1", 1, 1, -1, -1, 1));

    assertThat(deltas(ev(JUMP, H10 + 2 * MIN, "o2", 2))).isEmpty();
  }

  @Test
  void shouldMoveTheSessionToTheUserAndDimensionsOfAnEarlierEvent() throws Exception {
    deltas(ev(EXPOSED, H10 + 10 * MIN, "o1", 1), ev(LONG_PRESS, H10 + 12 * MIN, "o1", 1));

    assertThat(deltas(ev(JUMP, H10 + 5 * MIN, "o2", 2)))
        .containsExactly(
            delta(H10, "o2", 2, 2, 2 * MIN, -1, 1), delta(H10, "o1", 1, 2, 2 * MIN, -1, -1));
  }

  @Test
  void shouldBreakATieOfTimeByTheSmallerEventIdWhateverTheOrderOfArrival() throws Exception {
    deltas(ev(LONG_PRESS, H10, "o1", 1));
    // 1110201 < 1110204: the exposure at the same time decides.
    assertThat(deltas(ev(EXPOSED, H10, "o2", 2)))
        .containsExactly(delta(H10, "o2", 2, 2, 0, -1, 1), delta(H10, "o1", 1, 0, -1, -1, -1));
    // 1110205 > 1110201: it joins the session and changes its depth, not its user.
    assertThat(deltas(ev(JOINED, H10, "o3", 1)))
        .containsExactly(delta(H10, "o2", 2, 3, 0, 0, 1), delta(H10, "o2", 2, 2, 0, -1, -1));
  }

  @Test
  void shouldGiveAMergedSessionTheEarlierSessionsUserAndItsConvertTimes() throws Exception {
    deltas(ev(EXPOSED, H10 + 50 * MIN, "o1", 1), ev(LONG_PRESS, H11 + 30 * MIN, "o2", 2));

    // The bridge merges them: one session of o1 from 10:50, exposed then long-pressed 40 min later.
    assertThat(deltas(ev(JUMP, H11 + 10 * MIN, "o3", 1)))
        .containsExactlyInAnyOrder(
            delta(H10, "o1", 1, 2, 40 * MIN, -1, 1),
            delta(H10, "o1", 1, 1, -1, -1, -1),
            delta(H11, "o2", 2, 0, -1, -1, -1));
    assertThat(deltas(ev(JUMP, H11 + 10 * MIN, "o3", 1)).size())
        .as("a copy changes nothing")
        .isZero();
  }

  @Test
  void shouldEndAFinishedSessionsLivenessUnderItsUserAndDimensions() throws Exception {
    deltas(ev(EXPOSED, H10 + MIN, "o1", 1));

    harness.processWatermark(H10 + MIN + G + A);

    assertThat(deltas())
        .containsExactly(new SessionDelta(H10, "app", "code1", "o1", 2, 1, 2, 1, -1, -1, 0, -1));
    assertThat(harness.numKeyedStateEntries()).isZero();
  }
}
