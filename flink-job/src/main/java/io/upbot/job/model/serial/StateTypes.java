package io.upbot.job.model.serial;

import io.upbot.job.model.JourneyKey;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Key and state types whose serializers write Flink's own formats with one bulk write a value: same
 * bytes and same serializer snapshots as {@code Types.STRING} and {@code
 * TypeInformation.of(JourneyKey.class)}, so they replace them in existing savepoints.
 */
public final class StateTypes {

  private StateTypes() {}

  /** A string as Flink's {@code StringSerializer} writes it. */
  public static final TypeInformation<String> STRING =
      new StateTypeInfo<>(String.class, new BulkStringSerializer());

  /** A journey key as Flink's {@code PojoSerializer} writes it. */
  public static final TypeInformation<JourneyKey> JOURNEY_KEY =
      new StateTypeInfo<>(JourneyKey.class, new JourneyKeySerializer());
}
