package io.upbot.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MediaEventCodecTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final MediaEvent API_EXAMPLE =
      new MediaEvent(
          1,
          "xxxx",
          "xxxx",
          2,
          1,
          "xxxx",
          "1002",
          1699274742000L,
          1699274742123L,
          2,
          "IsFXtWUZ3x3hywGl",
          "Fi6JoptoXX8EI3sttq3pcVGC2H1Nesy9",
          null);

  @Test
  void shouldEncodeExactlyTheGoldenRecord() throws Exception {
    assertThat(MediaEventCodec.encodeToString(API_EXAMPLE))
        .isEqualTo(Fixtures.text("stream/api-example.record.json").strip());
  }

  @Test
  void shouldEncodeEachRecordOfABatchExactlyAsAloneWhenEncodingThemTogether() throws Exception {
    List<MediaEvent> events = new ArrayList<>();
    for (String name : List.of("api-example", "full", "minimal", "wecom-join")) {
      events.add(MediaEventCodec.decode(Fixtures.bytes("stream/" + name + ".record.json")));
    }
    MediaEvent first = events.get(0);
    // Absent optional fields, escapes and non-ASCII text next to each other in one batch.
    events.add(
        new MediaEvent(
            1, "app\"é", "open\nid", 2, null, null, "e1", 1L, 2L, null, null, null, null));
    events.add(first);

    byte[][] together = MediaEventCodec.encodeAll(events);

    assertThat(together.length).isEqualTo(events.size());
    for (int i = 0; i < events.size(); i++) {
      assertThat(new String(together[i], StandardCharsets.UTF_8))
          .isEqualTo(MediaEventCodec.encodeToString(events.get(i)));
    }
    assertThat(MediaEventCodec.encodeAll(List.of()).length).isZero();
  }

  @Test
  void shouldWriteAbsentOptionalFieldsAsNull() throws Exception {
    MediaEvent minimal =
        new MediaEvent(1, "a", "o", 2, null, null, "1110201", 1L, 2L, null, null, null, null);
    var tree = JSON.readTree(MediaEventCodec.encode(minimal));
    assertThat(tree.get("device_type").isNull()).isTrue();
    assertThat(tree.get("trace_id").isNull()).isTrue();
    assertThat(tree.get("duration").isNull()).isTrue();
    assertThat(tree.get("unionid").isNull()).isTrue();
    assertThat(tree.get("source").textValue()).isEqualTo("client");
    assertThat(tree.size()).isEqualTo(15);
  }

  @ParameterizedTest
  @MethodSource("validRecords")
  void shouldRoundTripEveryValidFixture(String name) throws Exception {
    MediaEvent decoded = MediaEventCodec.decode(Fixtures.bytes("stream/" + name));
    assertThat(MediaEventCodec.decode(MediaEventCodec.encode(decoded))).isEqualTo(decoded);
    assertThat(JSON.readTree(MediaEventCodec.encode(decoded)))
        .isEqualTo(JSON.readTree(Fixtures.bytes("stream/" + name)));
  }

  static List<String> validRecords() {
    return Fixtures.list("stream").stream().filter(n -> n.endsWith(".record.json")).toList();
  }

  @ParameterizedTest
  @MethodSource("invalidRecords")
  void shouldRejectEveryInvalidFixture(String name) {
    assertThatThrownBy(() -> MediaEventCodec.decode(Fixtures.bytes("stream/invalid/" + name)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageNotContaining("\n");
  }

  static List<String> invalidRecords() {
    return Fixtures.list("stream/invalid");
  }

  @Test
  void shouldNameTheOffendingField() {
    assertThatThrownBy(
            () -> MediaEventCodec.decode(Fixtures.bytes("stream/invalid/missing-appid.json")))
        .hasMessage("appid: required");
    assertThatThrownBy(
            () -> MediaEventCodec.decode(Fixtures.bytes("stream/invalid/string-event-time.json")))
        .hasMessage("event_time: must be a 64-bit integer");
    assertThatThrownBy(
            () -> MediaEventCodec.decode(Fixtures.bytes("stream/invalid/empty-source.json")))
        .hasMessage("source: must not be empty");
    assertThatThrownBy(
            () -> MediaEventCodec.decode(Fixtures.bytes("stream/invalid/number-unionid.json")))
        .hasMessage("unionid: must be a string");
  }

  @Test
  void shouldIgnoreUnknownFieldsForForwardCompatibility() throws Exception {
    byte[] withExtra =
        Fixtures.text("stream/full.record.json")
            .replace("{\"v\":1,", "{\"v\":1,\"x\":[1],")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(MediaEventCodec.decode(withExtra))
        .isEqualTo(MediaEventCodec.decode(Fixtures.bytes("stream/full.record.json")));
  }

  @Test
  void shouldReadARecordWrittenBeforeUnionidAndSourceAsAClientRecordWithoutUnionid()
      throws Exception {
    byte[] old =
        Fixtures.text("stream/full.record.json")
            .replace(",\"unionid\":null,\"source\":\"client\"}", "}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(new String(old, java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("source");
    MediaEvent e = MediaEventCodec.decode(old);
    assertThat(e.unionid()).isNull();
    assertThat(e.source()).isEqualTo(MediaEvent.SOURCE_CLIENT);
    assertThat(e).isEqualTo(MediaEventCodec.decode(Fixtures.bytes("stream/full.record.json")));
  }

  @Test
  void shouldCarryUnionidAndSourceOfAWeComJoinRecord() throws Exception {
    MediaEvent join = MediaEventCodec.decode(Fixtures.bytes("stream/wecom-join.record.json"));
    assertThat(join.unionid()).isEqualTo("ozynqsulJFCZ2z1aYeS8h-nuasdAAA");
    assertThat(join.source()).isEqualTo(MediaEvent.SOURCE_WECOM);
    assertThat(join.eventId()).isEqualTo("1110205");
  }

  @Test
  void shouldDefaultTheSourceOfTheOldConstructorToClient() {
    assertThat(API_EXAMPLE.source()).isEqualTo(MediaEvent.SOURCE_CLIENT);
    assertThat(API_EXAMPLE.unionid()).isNull();
  }

  @Test
  void shouldKeyByAppidAndTraceOrOpenid() throws Exception {
    assertThat(API_EXAMPLE.kafkaKey()).isEqualTo("xxxx|Fi6JoptoXX8EI3sttq3pcVGC2H1Nesy9");
    MediaEvent noTrace = MediaEventCodec.decode(Fixtures.bytes("stream/minimal.record.json"));
    assertThat(noTrace.kafkaKey()).isEqualTo("wx-app-1|openid:o-123");
    assertThat(noTrace.trace()).isEqualTo("openid:o-123");
  }
}
