package io.upbot.job.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FunnelStagesTest {

  static JourneyEvent event(String eventId, String source) {
    return new JourneyEvent(
        "wx1", "c", "tr", eventId, 1_000L, 1_000L, 1_000L, null, "o", 2, 0, 0, "u", source);
  }

  @Test
  void shouldCountClientAndWeComJoinsAsStage3ByDefault() {
    assertThat(FunnelStages.DEFAULT.stageOf(event("1110205", "client"))).isEqualTo(3);
    assertThat(FunnelStages.DEFAULT.stageOf(event("1110205", "wecom"))).isEqualTo(3);
  }

  @Test
  void shouldPutAClientsJoinInNoStageWhenJoinsComeFromWeComOnly() {
    FunnelStages wecomOnly = FunnelStages.DEFAULT.withWeComJoinsOnly(true);
    assertThat(wecomOnly.stageOf(event("1110205", "client"))).isZero();
    assertThat(wecomOnly.stageOf(event("1110205", "wecom"))).isEqualTo(3);
    assertThat(wecomOnly.stageOf(event("1110204", "client"))).isEqualTo(2);
    assertThat(wecomOnly.stageOf(event("1110201", "client"))).isEqualTo(1);
  }
}
