package io.upbot.job.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.EventRowKey;
import io.upbot.job.model.FunnelRowKey;
import io.upbot.job.model.FunnelStages;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference's own rules where they are easy to get wrong, since the job's tests and
 * upbot-local's end-to-end test trust it.
 */
class ReferenceTest {

  static final long G = 30 * 60_000L;
  static final long A = 24 * 3_600_000L;
  static final long MIN = 60_000L;
  static final long H10 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final long H11 = H10 + 60 * MIN;

  @Test
  void shouldCountAResendFromAFastClockOnceAtTheFirstCopysTime() {
    // Sent at 11:50 by a clock running ahead: received at 10:50 (t 10:55), resent at 11:20 (t
    // 11:25).
    Tables t =
        Reference.compute(
            List.of(
                Scenario.event("app", "o", "c", "tr", "1110201", H11 + 50 * MIN, H10 + 50 * MIN, 4),
                Scenario.event(
                    "app", "o", "c", "tr", "1110201", H11 + 50 * MIN, H11 + 20 * MIN, 9)),
            G,
            A,
            FunnelStages.DEFAULT);

    assertThat(t.events())
        .containsExactly(Map.entry(new EventRowKey(H10, "app", "c", "1110201"), 1L));
    assertThat(t.funnel())
        .containsExactly(Map.entry(new FunnelRowKey(H10, "app", "c"), List.of(1L, 1L, 0L, 0L)));
    assertThat(t.dwell().get(new FunnelRowKey(H10, "app", "c"))).startsWith(1L, 4L);
  }

  @Test
  void shouldStartANewSessionAtAGapOfExactlyG() {
    Tables t =
        Reference.compute(
            List.of(
                Scenario.event("app", "o", "c", "tr", "1110201", H10, H10, null),
                Scenario.event("app", "o", "c", "tr", "1110204", H10 + G, H10 + G, null)),
            G,
            A,
            FunnelStages.DEFAULT);

    assertThat(t.funnel())
        .containsExactly(Map.entry(new FunnelRowKey(H10, "app", "c"), List.of(2L, 1L, 0L, 0L)));
  }

  @Test
  void shouldCountAClientsJoinAsAnEventInNoStageWhenOnlyWeComsJoinsCount() {
    FunnelStages wecomOnly = FunnelStages.DEFAULT.withWeComJoinsOnly(true);
    List<io.upbot.schema.MediaEvent> clientJoin =
        List.of(
            Scenario.event("app", "o", "c", "tr", "1110201", H10, H10, null),
            Scenario.event("app", "o", "c", "tr", "1110204", H10 + MIN, H10 + MIN, null),
            Scenario.event("app", "o", "c", "tr", "1110205", H10 + 2 * MIN, H10 + 2 * MIN, null));

    Tables all = Reference.compute(clientJoin, G, A, FunnelStages.DEFAULT);
    Tables wecom = Reference.compute(clientJoin, G, A, wecomOnly);

    assertThat(all.funnel())
        .containsExactly(Map.entry(new FunnelRowKey(H10, "app", "c"), List.of(1L, 1L, 1L, 1L)));
    assertThat(wecom.funnel())
        .containsExactly(Map.entry(new FunnelRowKey(H10, "app", "c"), List.of(1L, 1L, 1L, 0L)));
    assertThat(wecom.events()).isEqualTo(all.events());
    assertThat(wecom.events()).containsEntry(new EventRowKey(H10, "app", "c", "1110205"), 1L);
    assertThat(wecom.convertTime().get(new FunnelRowKey(H10, "app", "c")).get(4))
        .as("joined_sessions")
        .isZero();
  }
}
