package io.upbot.job.model.serial;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.JourneyKey;
import io.upbot.job.session.FirstEvent;
import io.upbot.job.session.JourneyIndex;
import io.upbot.job.session.JourneyIndexSerializer;
import io.upbot.job.session.JourneySessionizer;
import io.upbot.job.session.LiveSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;

/**
 * The state types of {@link StateTypes} and the sessionizer's index type replace Flink's in
 * existing savepoints: the same bytes (the lookup keys on RocksDB), each reading what the other
 * wrote, and the same serializer snapshots, compatible as is both ways.
 */
class StateTypesTest {

  static final TypeSerializer<String> FLINK_STRING = StringSerializer.INSTANCE;
  static final TypeSerializer<JourneyKey> FLINK_KEY =
      TypeInformation.of(JourneyKey.class).createSerializer(new SerializerConfigImpl());
  static final TypeSerializer<JourneyIndex> FLINK_INDEX =
      TypeInformation.of(JourneyIndex.class).createSerializer(new SerializerConfigImpl());

  @Provide
  Arbitrary<String> strings() {
    return Arbitraries.oneOf(
            Arbitraries.strings().ascii().ofMaxLength(200),
            Arbitraries.strings().all().ofMaxLength(200),
            // Surrogate pairs, and chars needing 2 and 3 varint bytes.
            Arbitraries.strings()
                .withCharRange('\u0080', '\u3fff')
                .withCharRange('\ud800', '\udfff')
                .withCharRange('\u4000', '\uffff')
                .ofMaxLength(300),
            // Lengths whose length + 1 takes 2 and 3 varint bytes.
            Arbitraries.strings().all().ofMinLength(126).ofMaxLength(130),
            Arbitraries.strings().ascii().ofMinLength(16_380).ofMaxLength(16_390),
            Arbitraries.strings().all().ofMinLength(20_000).ofMaxLength(30_000))
        .injectNull(0.05);
  }

  @Provide
  Arbitrary<JourneyKey> keys() {
    return Combinators.combine(strings(), strings(), strings()).as(JourneyKey::new);
  }

  @Property(tries = 300)
  void shouldWriteFlinksStringBytesWhenGivenAnyString(@ForAll("strings") String s)
      throws IOException {
    assertSameBytesAndReadable(new BulkStringSerializer(), FLINK_STRING, s);
  }

  @Property(tries = 300)
  void shouldWritePojoSerializersBytesWhenGivenAnyJourneyKey(@ForAll("keys") JourneyKey k)
      throws IOException {
    assertSameBytesAndReadable(new JourneyKeySerializer(), FLINK_KEY, k);
  }

  /**
   * Ours writes Flink's bytes, to a buffer and to a stream, and each reads what the other wrote.
   */
  static <T> void assertSameBytesAndReadable(
      TypeSerializer<T> ours, TypeSerializer<T> flinks, T value) throws IOException {
    byte[] expected = bytes(flinks, value);

    assertThat(bytes(ours, value)).isEqualTo(expected);
    assertThat(streamBytes(ours, value)).isEqualTo(expected);
    assertThat(ours.deserialize(new DataInputDeserializer(expected))).isEqualTo(value);
    assertThat(flinks.deserialize(new DataInputDeserializer(bytes(ours, value)))).isEqualTo(value);
  }

  @Provide
  Arbitrary<JourneyIndex> indexes() {
    Arbitrary<long[]> longs = Arbitraries.longs().array(long[].class).ofSize(7);
    Arbitrary<int[]> ints = Arbitraries.integers().array(int[].class).ofSize(3);
    Arbitrary<FirstEvent> first =
        Combinators.combine(strings(), Arbitraries.longs(), strings(), ints)
            .as((id, t, openid, i) -> new FirstEvent(id, t, openid, i[0], i[1], i[2]))
            .injectNull(0.2);
    Arbitrary<LiveSession> session =
        Combinators.combine(longs, ints, first)
            .as(
                (l, i, f) ->
                    new LiveSession(l[0], l[1], l[2], i[0], l[3], l[4], l[5], l[6], i[1], i[2], f));
    return Combinators.combine(
            session.injectNull(0.05).array(LiveSession[].class).ofMaxSize(6),
            Arbitraries.longs(),
            Arbitraries.of(true, false))
        .as(JourneyIndex::new)
        .injectNull(0.02);
  }

  @Property(tries = 300)
  void shouldWritePojoSerializersBytesWhenGivenAnyJourneyIndex(@ForAll("indexes") JourneyIndex x)
      throws IOException {
    assertSameBytesAndReadable(new JourneyIndexSerializer(), FLINK_INDEX, x);
  }

  @Example
  void shouldWriteFlinksBytesWhenTheLengthOrACharCrossesAVarintByte() throws IOException {
    for (int n : new int[] {0, 1, 126, 127, 128, 16_382, 16_383, 16_384, 100_000}) {
      String s = "\u00e9\ud83d\ude00\uffff".repeat(n / 4 + 1).substring(0, n);
      assertThat(bytes(new BulkStringSerializer(), s)).isEqualTo(bytes(FLINK_STRING, s));
    }
    assertThat(bytes(new BulkStringSerializer(), null)).containsExactly(0);
    assertThat(bytes(new JourneyKeySerializer(), null)).isEqualTo(bytes(FLINK_KEY, null));
  }

  @Example
  void shouldWriteAStringAsOneBulkWriteWhenWritingToAStream() throws IOException {
    CountingStream counted = new CountingStream();
    new BulkStringSerializer()
        .serialize("wx1234567890\u00e9", new DataOutputViewStreamWrapper(counted));
    new JourneyKeySerializer()
        .serialize(new JourneyKey("wx1", "", "t"), new DataOutputViewStreamWrapper(counted));

    assertThat(counted.singleBytes).isZero();
    assertThat(counted.bulkWrites).isEqualTo(2);
  }

  @Example
  void shouldGiveEachThreadItsOwnScratchWhenDuplicatedOrCreated() {
    BulkStringSerializer s = new BulkStringSerializer();
    JourneyKeySerializer k = new JourneyKeySerializer();

    assertThat(s.duplicate()).isNotSameAs(s).isEqualTo(s);
    assertThat(k.duplicate()).isNotSameAs(k).isEqualTo(k);
    assertThat(JourneySessionizer.indexType().createSerializer(new SerializerConfigImpl()))
        .isNotSameAs(JourneySessionizer.indexType().createSerializer(new SerializerConfigImpl()));
    assertThat(StateTypes.STRING.createSerializer(new SerializerConfigImpl()))
        .isNotSameAs(StateTypes.STRING.createSerializer(new SerializerConfigImpl()));
  }

  @Example
  void shouldWriteFlinksOwnSnapshotsWhenSnapshotted() throws IOException {
    // So a checkpoint of this build is one a build without these classes restores.
    assertThat(versioned(new BulkStringSerializer())).isEqualTo(versioned(FLINK_STRING));
    assertThat(versioned(new JourneyKeySerializer())).isEqualTo(versioned(FLINK_KEY));
    assertThat(versioned(new JourneyIndexSerializer())).isEqualTo(versioned(FLINK_INDEX));
    assertThat(versioned(new MapSerializer<>(new BulkStringSerializer(), LongSerializer.INSTANCE)))
        .isEqualTo(versioned(new MapSerializer<>(FLINK_STRING, LongSerializer.INSTANCE)));
  }

  @Example
  void shouldBeCompatibleAsIsBothWaysWhenRestoringTheOtherSerializersSnapshot() throws IOException {
    assertCompatibleAsIs(new BulkStringSerializer(), FLINK_STRING);
    assertCompatibleAsIs(FLINK_STRING, new BulkStringSerializer());
    assertCompatibleAsIs(new JourneyKeySerializer(), FLINK_KEY);
    assertCompatibleAsIs(FLINK_KEY, new JourneyKeySerializer());
    assertCompatibleAsIs(new JourneyIndexSerializer(), FLINK_INDEX);
    assertCompatibleAsIs(FLINK_INDEX, new JourneyIndexSerializer());
  }

  /** Flink's rule: the new serializer's snapshot resolves the restored one. */
  static <T> void assertCompatibleAsIs(TypeSerializer<T> newer, TypeSerializer<T> older)
      throws IOException {
    TypeSerializerSnapshot<T> restored =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(versioned(older)), StateTypesTest.class.getClassLoader());
    TypeSerializerSchemaCompatibility<T> c =
        newer.snapshotConfiguration().resolveSchemaCompatibility(restored);
    assertThat(c.isCompatibleAsIs()).as("%s restoring %s: %s", newer, older, c).isTrue();
  }

  static byte[] versioned(TypeSerializer<?> s) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, s.snapshotConfiguration());
    return out.getCopyOfBuffer();
  }

  static <T> byte[] bytes(TypeSerializer<T> s, T value) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    s.serialize(value, out);
    return out.getCopyOfBuffer();
  }

  /** Through the stream a heap snapshot writes to. */
  static <T> byte[] streamBytes(TypeSerializer<T> s, T value) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.serialize(value, new DataOutputViewStreamWrapper(out));
    return out.toByteArray();
  }

  /** Counts the single-byte and the bulk writes it is given. */
  static final class CountingStream extends ByteArrayOutputStream {
    int singleBytes;
    int bulkWrites;

    @Override
    public synchronized void write(int b) {
      singleBytes++;
      super.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bulkWrites++;
      super.write(b, off, len);
    }
  }
}
