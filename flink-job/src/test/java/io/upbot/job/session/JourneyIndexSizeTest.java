package io.upbot.job.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.JourneyEvent;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The journey index is read and written on every event and kept for every active journey: each live
 * session's earliest event must stay small (docs/tables.md#code_funnel_breakdown_hourly).
 */
class JourneyIndexSizeTest {

  static int bytes(JourneyIndex index) throws Exception {
    TypeSerializer<JourneyIndex> s =
        JourneySessionizer.indexType().createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(256);
    s.serialize(index, out);
    return out.length();
  }

  static LiveSession session(FirstEvent first) {
    long t = 1_796_032_800_000L;
    return new LiveSession(0, t, t + 5000, 3, t + 1000, t, t + 5000, t + 9000, 0, 0, first);
  }

  @Test
  void shouldKeepAnIndexOfOneSessionWithItsEarliestEventSmall() throws Exception {
    // An openid of 28 characters, as WeChat's.
    FirstEvent first =
        new FirstEvent("1110201", 1_796_032_800_000L, "oAbCdEfGhIjKlMnOpQrStUvWxYz0", 2, 1, 2);
    int without = bytes(new JourneyIndex(new LiveSession[] {session(null)}, 1, false));
    int with = bytes(new JourneyIndex(new LiveSession[] {session(first)}, 1, false));

    System.out.printf(
        "journey index of one session: %d bytes, %d without its earliest event%n", with, without);
    assertThat(with - without).as("bytes of the earliest event").isLessThanOrEqualTo(80);
    assertThat(with).isLessThanOrEqualTo(200);
  }

  @Test
  void shouldStoreAbsentDimensionsAsZero() {
    assertThat(JourneyEvent.dimension(null)).isZero();
    assertThat(JourneyEvent.dimension(2)).isEqualTo(2);
  }
}
