package io.upbot.job.model.serial;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.EventDelta;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** {@link StringCache}: equal strings come back as one object, never a wrong one. */
class StringCacheTest {

  private static DataInputDeserializer utf8(String s) {
    return new DataInputDeserializer(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String read(StringCache cache, String s) throws Exception {
    return cache.read(utf8(s), s.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void shouldReadTheSameObjectWhenTheSameBytesComeAgain() throws Exception {
    StringCache cache = new StringCache();
    String first = read(cache, "wx1");
    assertThat(read(cache, "wx1")).isEqualTo("wx1").isSameAs(first);
    assertThat(read(cache, "é漢")).isEqualTo("é漢");
  }

  @Test
  void shouldGiveBackTheStringReadWhenTwoValuesShareASlot() throws Exception {
    // "Aa" and "BB" hash alike, as bytes and as Strings: they share a slot either way.
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    StringCache cache = new StringCache();
    for (String s : List.of("Aa", "BB", "Aa", "Aa", "BB")) {
      assertThat(read(cache, s)).isEqualTo(s);
      assertThat(cache.bytes(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void shouldReadAndWriteLongStringsWithoutTheCache() throws Exception {
    StringCache cache = new StringCache();
    String longer = "t".repeat(StringCache.MAX_BYTES + 1);
    assertThat(read(cache, longer)).isEqualTo(longer).isNotSameAs(read(cache, longer));
    assertThat(cache.bytes(longer)).hasSize(StringCache.MAX_BYTES + 1);
  }

  @Property(tries = 50)
  void shouldAlwaysReadAndWriteExactlyTheValueGiven(
      @ForAll @Size(max = 3_000) List<@StringLength(max = 70) String> values) throws Exception {
    // Thousands of values over 1024 slots: many collide, and each must still come back as itself.
    StringCache cache = new StringCache();
    for (String s : values) {
      assertThat(read(cache, s)).isEqualTo(s);
      assertThat(cache.bytes(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void shouldGiveEveryCallerItsOwnSerializerEqualToTheOthers() throws Exception {
    TypeSerializer<?> a = EdgeTypes.EVENT_DELTA.createSerializer(new SerializerConfigImpl());
    TypeSerializer<?> b = a.duplicate();
    assertThat(b).isNotSameAs(a).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(a.isImmutableType()).isTrue();
  }

  @Test
  void shouldReadRepeatedFieldsOfAnEdgeRecordAsOneObject() throws Exception {
    RecordSerializer<EventDelta> s = new EdgeTypes.EventDeltaSerializer();
    DataOutputSerializer out = new DataOutputSerializer(64);
    s.serialize(new EventDelta(1L, "wx1", "c1", "expose", 1), out);
    s.serialize(new EventDelta(2L, "wx1", "c1", "press", 1), out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    EventDelta a = s.deserialize(in);
    EventDelta b = s.deserialize(in);
    assertThat(b.appid()).isSameAs(a.appid());
    assertThat(b.code()).isSameAs(a.code());
    assertThat(b.eventId()).isEqualTo("press");
  }
}
