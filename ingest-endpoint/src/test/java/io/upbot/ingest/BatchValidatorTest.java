package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.upbot.schema.Fixtures;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every field rule of CONTRACT §1, table-driven from the shared request fixtures. */
class BatchValidatorTest {
  static final long RECEIVED_AT = 1_699_274_742_123L;
  private final BatchValidator validator = new BatchValidator(500, 1024 * 1024);

  static Stream<String> validFixtures() {
    return Fixtures.list("requests/valid").stream();
  }

  static Stream<Arguments> invalidFixtures() throws Exception {
    JsonNode index = new ObjectMapper().readTree(Fixtures.bytes("requests/invalid.expected.json"));
    List<String> files = Fixtures.list("requests/invalid");
    assertThat(files).hasSize(index.size());
    return files.stream()
        .map(
            f -> {
              JsonNode e = index.get(f.replaceFirst("\\.json$", ""));
              assertThat(e).as("index entry for " + f).isNotNull();
              return Arguments.of(f, e.get("ret").intValue(), e.get("detail").textValue());
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFixtures")
  void shouldAcceptEveryValidFixture(String file) {
    BatchValidator.Result r = validator.validate(Fixtures.bytes("requests/valid/" + file), RECEIVED_AT);
    assertThat(r).isInstanceOf(BatchValidator.Accepted.class);
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @MethodSource("invalidFixtures")
  void shouldRejectEveryInvalidFixtureNamingTheFirstOffendingField(String file, int ret, String detail) {
    BatchValidator.Result r = validator.validate(Fixtures.bytes("requests/invalid/" + file), RECEIVED_AT);
    assertThat(r).isInstanceOf(BatchValidator.Rejected.class);
    Rejection rejection = ((BatchValidator.Rejected) r).rejection();
    assertThat(rejection.ret().code()).isEqualTo(ret);
    assertThat(rejection.detail()).isEqualTo(detail);
  }

  @Test
  void shouldTurnTheSeedExampleIntoTheGoldenRecord() throws Exception {
    BatchValidator.Accepted a =
        (BatchValidator.Accepted)
            validator.validate(Fixtures.bytes("requests/valid/seed-example.json"), RECEIVED_AT);
    assertThat(a.appid()).isEqualTo("xxxx");
    assertThat(a.events()).hasSize(1);
    MediaEvent golden = MediaEventCodec.decode(Fixtures.bytes("stream/seed-example.record.json"));
    assertThat(a.events().get(0)).isEqualTo(golden);
    assertThat(a.events().get(0).code()).isEqualTo("IsFXtWUZ3x3hywGl");
    assertThat(a.events().get(0).eventId()).isEqualTo("1002");
  }

  @Test
  void shouldKeepSecondsAsMillisAndMillisAsIs() {
    MediaEvent secs = only("requests/valid/full.json");
    assertThat(secs.eventTime()).isEqualTo(1_699_274_742_000L);
    MediaEvent millis = only("requests/valid/event-time-millis.json");
    assertThat(millis.eventTime()).isEqualTo(1_699_274_742_123L);
  }

  @Test
  void shouldTreatTheSecondsThresholdExactly() {
    String justBelow = body("\"event_time\":99999999999");
    String atThreshold = body("\"event_time\":100000000000");
    assertThat(events(justBelow).get(0).eventTime()).isEqualTo(99_999_999_999_000L);
    assertThat(events(atThreshold).get(0).eventTime()).isEqualTo(100_000_000_000L);
  }

  @Test
  void shouldCoerceAnIntegerEventIdToItsDecimalString() {
    assertThat(only("requests/valid/event-id-integer.json").eventId()).isEqualTo("1110204");
    assertThat(events(body("\"event_id\":-7,\"event_time\":1")).get(0).eventId()).isEqualTo("-7");
  }

  @Test
  void shouldTrimCodeAndTraceAndTreatBlankAsAbsent() {
    MediaEvent blank = only("requests/valid/blank-code-and-trace-mean-absent.json");
    assertThat(blank.code()).isNull();
    assertThat(blank.traceId()).isNull();
    assertThat(blank.kafkaKey()).isEqualTo("wx-app|openid:o-user-1");
    MediaEvent limits = only("requests/valid/limits-inclusive.json");
    assertThat(limits.code()).isEqualTo("c".repeat(64));
    MediaEvent ideographicSpace =
        events(body("\"event_id\":\"1\",\"event_time\":1,\"code\":\"\u3000abc\u3000\",\"trace_id\":\" t \""))
            .get(0);
    assertThat(ideographicSpace.code()).isEqualTo("abc");
    assertThat(ideographicSpace.traceId()).isEqualTo("t");
  }

  @Test
  void shouldTreatNullOptionalFieldsAsAbsent() {
    MediaEvent e = only("requests/valid/nulls-mean-absent.json");
    assertThat(e.deviceType()).isNull();
    assertThat(e.uuid()).isNull();
    assertThat(e.mediaType()).isNull();
    assertThat(e.code()).isNull();
    assertThat(e.traceId()).isNull();
    assertThat(e.duration()).isNull();
  }

  @Test
  void shouldAcceptTheItemAliasLikeItems() {
    assertThat(events(new String(Fixtures.bytes("requests/valid/item-alias.json"))))
        .isEqualTo(events(new String(Fixtures.bytes("requests/valid/full.json"))));
  }

  @Test
  void shouldGiveEveryRecordOfTheBatchTheSameReceivedAtAndKeepItemOrder() {
    List<MediaEvent> es = events(new String(Fixtures.bytes("requests/valid/three-items-mixed-traces.json")));
    assertThat(es).extracting(MediaEvent::receivedAt).containsOnly(RECEIVED_AT);
    assertThat(es).extracting(MediaEvent::eventTime)
        .containsExactly(1_699_274_742_000L, 1_699_274_743_000L, 1_699_274_744_000L);
    assertThat(es).extracting(MediaEvent::kafkaKey)
        .containsExactly("wx-app|trace-a", "wx-app|trace-b", "wx-app|openid:o-user-1");
  }

  @Test
  void shouldAcceptExactly500Items() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < 500; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"event_id\":\"1\",\"event_time\":").append(i + 1).append('}');
    }
    String json =
        "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"a\",\"openid\":\"o\"}},\"items\":" + sb + "]}";
    assertThat(events(json)).hasSize(500);
  }

  private MediaEvent only(String fixture) {
    List<MediaEvent> es = events(new String(Fixtures.bytes(fixture), java.nio.charset.StandardCharsets.UTF_8));
    assertThat(es).hasSize(1);
    return es.get(0);
  }

  private List<MediaEvent> events(String json) {
    BatchValidator.Result r = validator.validate(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), RECEIVED_AT);
    assertThat(r).as(String.valueOf(r)).isInstanceOf(BatchValidator.Accepted.class);
    return ((BatchValidator.Accepted) r).events();
  }

  /** A one-item body whose item is {@code itemFields}. */
  static String body(String itemFields) {
    if (!itemFields.contains("event_id")) {
      itemFields = "\"event_id\":\"1\"," + itemFields;
    }
    return "{\"head\":{\"account_info\":{\"account_type\":2,\"appid\":\"a\",\"openid\":\"o\"}},\"items\":[{"
        + itemFields + "}]}";
  }
}
