package io.upbot.local;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;

/** The keys (fallback keys included) of the Flink options the deployment files may set. */
final class FlinkOptionKeys {

  private FlinkOptionKeys() {}

  static Set<String> known() throws IllegalAccessException {
    Set<String> known = new HashSet<>();
    for (Class<?> c :
        List.of(
            CoreOptions.class,
            JobManagerOptions.class,
            TaskManagerOptions.class,
            CheckpointingOptions.class,
            PipelineOptions.class,
            RestOptions.class,
            StateBackendOptions.class,
            HighAvailabilityOptions.class,
            RestartStrategyOptions.class)) {
      for (Field f : c.getFields()) {
        if (Modifier.isStatic(f.getModifiers())
            && ConfigOption.class.isAssignableFrom(f.getType())) {
          ConfigOption<?> o = (ConfigOption<?>) f.get(null);
          known.add(o.key());
          for (FallbackKey k : o.fallbackKeys()) {
            known.add(k.getKey());
          }
        }
      }
    }
    return known;
  }
}
