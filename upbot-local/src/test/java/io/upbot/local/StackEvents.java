package io.upbot.local;

import io.upbot.schema.MalformedEventException;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import io.upbot.testkit.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the local stack's tests read back: the events in the topic; and a sink for its printed
 * lines.
 */
final class StackEvents {

  private StackEvents() {}

  /**
   * Every event the endpoint wrote to {@code topic}, decoded; an undecodable record fails the test.
   */
  static List<MediaEvent> inTopic(String bootstrap, String topic) {
    List<MediaEvent> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaBroker.readAll(bootstrap, topic)) {
      try {
        out.add(MediaEventCodec.decode(r.value()));
      } catch (MalformedEventException e) {
        throw new AssertionError("the endpoint wrote an undecodable record", e);
      }
    }
    return out;
  }

  /** A stream that drops what the stack prints. */
  static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
