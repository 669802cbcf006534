package io.upbot.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.model.JoinDelta;
import io.upbot.job.model.JoinRow;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // the harnesses' close() throws Exception, as Flink declares it
class JoinAggregatorTest {

  static final long A = Duration.ofHours(24).toMillis();
  static final long FLUSH = 1000;
  static final long H10 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final long NOW = 1_000_000_500L;

  static KeyedOneInputStreamOperatorTestHarness<FunnelRowKey, JoinDelta, JoinRow> joins()
      throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new JoinAggregator(new RowTiming(FLUSH, A))),
            JoinDelta::rowKey,
            TypeInformation.of(FunnelRowKey.class));
    h.setup();
    h.open();
    h.setProcessingTime(NOW);
    return h;
  }

  static JoinDelta jd(int joins, int attributed, int unattributed) {
    return new JoinDelta(H10, "app", "c", joins, attributed, unattributed);
  }

  @Test
  void shouldWriteTheSumOfJoinDeltasOncePerFlushAndDropTheRowAfterHourEndPlusA() throws Exception {
    try (var h = joins()) {
      h.processElement(jd(1, 1, 0), 0);
      h.processElement(jd(1, 0, 0), 0);
      h.processElement(jd(1, 0, 1), 0);
      h.setProcessingTime(NOW + FLUSH);
      assertThat(h.extractOutputValues())
          .containsExactly(new JoinRow(H10, "app", "c", 3, 1, 1, NOW + FLUSH));

      h.processElement(jd(0, 0, 1), 0);
      h.processWatermark(H10 + 3_600_000L + A);
      assertThat(h.extractOutputValues())
          .last()
          .isEqualTo(new JoinRow(H10, "app", "c", 3, 1, 2, NOW + FLUSH));
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }
}
