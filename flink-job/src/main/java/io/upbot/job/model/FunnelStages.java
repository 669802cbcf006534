package io.upbot.job.model;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which event ids make each funnel stage (docs/api.md's catalogue; configurable). Stage 1 is {@code
 * exposed}, 2 {@code long_pressed}, 3 {@code joined}.
 */
public record FunnelStages(Set<String> exposed, Set<String> longPressed, Set<String> joined)
    implements Serializable {

  public static final FunnelStages DEFAULT =
      new FunnelStages(Set.of("1110201"), Set.of("1110204"), Set.of("1110205"));

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
