package io.upbot.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.JobSettings;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.JourneyEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class ServerClockWatermarksTest {

  static final long BOUND = 30_000;
  static final long R0 = 1_796_000_000_000L;

  final List<Long> emitted = new ArrayList<>();
  final WatermarkOutput out =
      new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark w) {
          emitted.add(w.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
      };

  static DecodedRecord event(long t, long receivedAt) {
    return DecodedRecord.ofEvent(new JourneyEvent("a", "", "tr", "1110201", t, receivedAt, null));
  }

  @Test
  void shouldFollowMaxReceivedAtMinusBoundNotClientTime() {
    ServerClockWatermarks g = new ServerClockWatermarks(BOUND);
    g.onPeriodicEmit(out);
    assertThat(emitted).as("nothing before the first record").isEmpty();

    g.onEvent(event(R0 + 300_000, R0), R0 + 300_000, out); // a phone clock far ahead
    g.onPeriodicEmit(out);
    g.onEvent(event(R0 - 5_000, R0 - 10_000), R0 - 5_000, out); // received out of order
    g.onPeriodicEmit(out);
    g.onEvent(event(R0, R0 + 1_000), R0, out);
    g.onPeriodicEmit(out);

    assertThat(emitted).containsExactly(R0 - BOUND, R0 + 1_000 - BOUND);
  }

  @Test
  void shouldIgnoreMalformedRecordsButCountLateOnes() {
    ServerClockWatermarks g = new ServerClockWatermarks(BOUND);
    g.onEvent(
        DecodedRecord.ofDeadLetter(DecodedRecord.NO_RECEIVED_AT, new DeadLetter("malformed", "", "t/0/0", 0)),
        0, out);
    g.onPeriodicEmit(out);
    assertThat(emitted).isEmpty();

    g.onEvent(DecodedRecord.ofDeadLetter(R0, new DeadLetter("late", "", "t/0/1", 0)), 0, out);
    g.onPeriodicEmit(out);
    assertThat(emitted).containsExactly(R0 - BOUND);
  }

  @Test
  void shouldNotUseIdlenessForABoundedBackfill() {
    JobSettings live = JobSettings.parse(new String[] {"--kafka-bootstrap", "k:1"}, Map.of());
    JobSettings backfill =
        JobSettings.parse(new String[] {"--kafka-bootstrap", "k:1", "--bounded"}, Map.of());

    assertThat(ServerClockWatermarks.strategy(live).getClass().getSimpleName()).contains("Idleness");
    assertThat(ServerClockWatermarks.strategy(backfill).getClass().getSimpleName())
        .doesNotContain("Idleness");
  }
}
