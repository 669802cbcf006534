package io.upbot.job.model;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which event ids make each funnel stage (docs/api.md's catalogue; configurable). Stage 1 is {@code
 * exposed}, 2 {@code long_pressed}, 3 {@code joined}.
 *
 * @param wecomJoinsOnly whether only WeCom's joins make stage 3 ({@code --joins-from wecom},
 *     docs/semantics.md#wecom-joins): a client-reported join then counts as an event only
 */
public record FunnelStages(
    Set<String> exposed, Set<String> longPressed, Set<String> joined, boolean wecomJoinsOnly)
    implements Serializable {

  public static final FunnelStages DEFAULT =
      new FunnelStages(Set.of("1110201"), Set.of("1110204"), Set.of("1110205"));

  /** Stages where joins reported by clients and by WeCom both count (the default). */
  public FunnelStages(Set<String> exposed, Set<String> longPressed, Set<String> joined) {
    this(exposed, longPressed, joined, false);
  }

  /** These stages with joins counted from WeCom only, or from clients and WeCom. */
  public FunnelStages withWeComJoinsOnly(boolean only) {
    return new FunnelStages(exposed, longPressed, joined, only);
  }

  /**
   * The stage of an event: that of its id, except that a client's join is in no stage when {@link
   * #wecomJoinsOnly}.
   */
  public int stageOf(JourneyEvent e) {
    int stage = stageOf(e.eventId());
    return stage == 3 && wecomJoinsOnly && !e.fromWeCom() ? 0 : stage;
  }

  public FunnelStages {
    exposed = Set.copyOf(exposed);
    longPressed = Set.copyOf(longPressed);
    joined = Set.copyOf(joined);
    Set<String> seen = new HashSet<>();
    for (Set<String> stage : List.of(exposed, longPressed, joined)) {
      if (stage.isEmpty()) {
        throw new IllegalArgumentException("every funnel stage needs at least one event id");
      }
      for (String id : stage) {
        if (!seen.add(id)) {
          throw new IllegalArgumentException(
              "event id " + id + " is in more than one funnel stage");
        }
      }
    }
  }

  /** The stage of an event id: 1, 2 or 3, or 0 when it is in no stage. */
  public int stageOf(String eventId) {
    if (exposed.contains(eventId)) {
      return 1;
    }
    if (longPressed.contains(eventId)) {
      return 2;
    }
    if (joined.contains(eventId)) {
      return 3;
    }
    return 0;
  }
}
