package io.upbot.job.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The row aggregators' state types are in every savepoint: a value's bytes and its serializer's
 * snapshot (class and field names) must stay as they are, whatever their code becomes, or a job
 * cannot restore. Pinned from the job before its aggregators shared their retention code.
 */
class AccumulatorStateFormatTest {

  static Stream<Arguments> states() {
    return Stream.of(
        Arguments.of(
            new FunnelAggregator.Acc(1, 2, 3, 4, 5, true, false),
            "0200010000000000000000020000000000000000040000000000000000050000000000000000030000000000000000000001",
            "1bc4b410128db699e7acc0c6da8a434ea5c528d5f7e55e2905e612cb8f5c9085"),
        Arguments.of(
            new BreakdownAggregator.Acc(1, 2, 3, 4, 5, true, false),
            "0200010000000000000000020000000000000000040000000000000000050000000000000000030000000000000000000001",
            "1f8ef3a378c2f7f0d9ed8d20209c85e0a9f3a6df4512a1e6a1fc49207f01b2b2"),
        Arguments.of(
            new UsersDailyAggregator.Acc(1, 2, 3, 4, 5, true, false),
            "0200010000000000000000020000000000000000040000000000000000050000000000000000030000000000000000000001",
            "8cc86ca426d7111f69edb5e89d13ed996dfd74b5e28de2801ca9501e4ed3a04f"),
        Arguments.of(
            new UsersDailyAggregator.UserSessions(1, 2, 3, 4),
            "020000000002000000000400000000030000000001",
            "4f90886fd006e4abcd1a405aabdf6ce401f8a314a8d14847eec7a348e97cc801"),
        Arguments.of(
            new ConvertTimeAggregator.Acc(1, 2, 3, true, false),
            "0200010000000000000000020000000000000000030000000000000000010000",
            "5bb34765f2523a079ec8378ddd92690c4362269a48e3b87be09e655adaa942ea"),
        Arguments.of(
            new DwellAggregator.Acc(1, 2, 3, true),
            "0200010000000000000000010000000003000000000000000002",
            "7971b9e1341c0e7f08e82d1be1f0b2019370abba6dcdbc420cdce6c6e98e3a0e"),
        Arguments.of(
            new JoinAggregator.Acc(1, 2, 3, true),
            "020000000000000000020001000000000000000001000000000000000003",
            "10d4ac929b25d8cae30013e11f4f18bc2b81711e1cd7db6556f1a21feacdbe15"),
        Arguments.of(
            new EventAggregator.Acc(1, true),
            "020001000000000000000001",
            "8236b3ad73ecf0ec3f8cac7a89d5a98416cfcba0a32cc9894fdc45649287c5fa"));
  }

  @ParameterizedTest
  @MethodSource("states")
  <T> void shouldKeepTheBytesOfAStateValueAndOfItsSerializersSnapshot(
      T value, String valueHex, String snapshotSha256) throws Exception {
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) value.getClass();
    TypeSerializer<T> serializer =
        TypeInformation.of(type).createSerializer(new SerializerConfigImpl());

    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(value, out);
    DataOutputSerializer snapshot = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(snapshot, serializer.snapshotConfiguration());

    assertThat(HexFormat.of().formatHex(out.getCopyOfBuffer())).isEqualTo(valueHex);
    assertThat(
            HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(snapshot.getCopyOfBuffer())))
        .as("the serializer snapshot (class, field names and serializers) of %s", type)
        .isEqualTo(snapshotSha256);
    assertThat(serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
        .isEqualTo(value);
  }
}
