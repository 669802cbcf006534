package io.upbot.job.attribution;

import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JourneyEvent;
import org.apache.flink.api.common.functions.FilterFunction;

/**
 * Picks the events that go through the {@link JoinAttributor} (WeCom joins and long-presses with a
 * unionid), or, inverted, those that go straight to the sessionizer: the rest need no attribution
 * state, so they are spared the extra exchange.
 */
public final class AttributionRoute implements FilterFunction<JourneyEvent> {
  private static final long serialVersionUID = 1L;

  private final FunnelStages stages;
  private final boolean toAttribution;

  /**
   * @param toAttribution true to keep the attribution's events, false to keep the others
   */
  public AttributionRoute(FunnelStages stages, boolean toAttribution) {
    this.stages = stages;
    this.toAttribution = toAttribution;
  }

  @Override
  public boolean filter(JourneyEvent e) {
    return JoinAttributor.concerns(e, stages) == toAttribution;
  }
}
