package io.upbot.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The streaming decoder's own rules: what it decodes itself and what it leaves to the tree. */
class StreamingDecoderTest {

  private static final String FULL = Fixtures.text("stream/full.record.json").strip();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String treeMessage(byte[] bytes) {
    try {
      MediaEventCodec.decodeTree(bytes);
    } catch (MalformedEventException e) {
      return e.getMessage();
    }
    throw new AssertionError(
        "the tree decoder accepted " + new String(bytes, StandardCharsets.UTF_8));
  }

  @Test
  void shouldDecodeAnEncodedRecordItselfAsTheTreeDoes() throws Exception {
    byte[] bytes = utf8(FULL);
    MediaEvent fast = StreamingDecoder.decode(bytes);
    assertThat(fast).isNotNull().isEqualTo(MediaEventCodec.decodeTree(bytes));
    assertThat(MediaEventCodec.decode(bytes)).isEqualTo(fast);
  }

  @Test
  void shouldDecodeFieldsInAnyOrderWithWhiteSpaceAndEscapes() throws Exception {
    byte[] bytes =
        utf8(
            "{ \"source\" : \"wecom\" , \"\\u0076\":1,\"appid\":\"a\\u00e9\\\"\",\"openid\":\"o中\","
                + "\"account_type\":2,\"event_id\":\"e\",\"event_time\":1,\"received_at\":2 }\n");
    MediaEvent fast = StreamingDecoder.decode(bytes);
    assertThat(fast).isNotNull().isEqualTo(MediaEventCodec.decodeTree(bytes));
    assertThat(fast.appid()).isEqualTo("aé\"");
    assertThat(fast.source()).isEqualTo(MediaEvent.SOURCE_WECOM);
    assertThat(fast.deviceType()).isNull();
  }

  @Test
  void shouldRejectDuplicateKnownFieldLikeTheTreeDecoder() {
    assertRejectedLikeTheTree(
        FULL.replace("\"code\":", "\"code\":null,\"code\":"), "Duplicate field 'code'");
    // Also when the first of the two is where the writer puts it and the second elsewhere.
    assertRejectedLikeTheTree(
        FULL.replace("\"source\":", "\"v\":1,\"source\":"), "Duplicate field 'v'");
  }

  @Test
  void shouldRejectDuplicateUnknownFieldLikeTheTreeDecoder() {
    assertRejectedLikeTheTree(
        FULL.replace("{\"v\":1,", "{\"v\":1,\"x\":{\"a\":1,\"a\":2},"), "Duplicate field 'a'");
  }

  /** Both decoders reject the record with the same message, which contains {@code part}. */
  private static void assertRejectedLikeTheTree(String record, String part) {
    byte[] bytes = utf8(record);
    String expected = treeMessage(bytes);
    assertThat(expected).contains(part);
    assertThatThrownBy(() -> MediaEventCodec.decode(bytes)).hasMessage(expected);
  }

  @Test
  void shouldLeaveUnknownFieldsToTheTreeDecoder() throws Exception {
    byte[] bytes = utf8(FULL.replace("{\"v\":1,", "{\"v\":1,\"x\":[1,{\"y\":null}],"));
    assertThat(StreamingDecoder.decode(bytes)).isNull();
    assertThat(MediaEventCodec.decode(bytes)).isEqualTo(MediaEventCodec.decodeTree(utf8(FULL)));
  }

  @Test
  void shouldLeaveAByteOrderMarkToTheTreeDecoder() throws Exception {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] bytes = StreamingDecoderPropertyTest.concat(bom, utf8(FULL));
    assertThat(StreamingDecoder.decode(bytes)).isNull();
    assertThat(MediaEventCodec.decode(bytes)).isEqualTo(MediaEventCodec.decode(utf8(FULL)));
  }

  @Test
  void shouldLeaveUtf16ToTheTreeDecoder() throws Exception {
    byte[] bytes = FULL.getBytes(StandardCharsets.UTF_16LE);
    assertThat(StreamingDecoder.decode(bytes)).isNull();
    assertThat(MediaEventCodec.decode(bytes)).isEqualTo(MediaEventCodec.decode(utf8(FULL)));
  }

  @Test
  void shouldRejectAStringOverTheLengthLimitLikeTheTreeDecoder() throws Exception {
    // 64 Ki characters are allowed, one more is not.
    byte[] atLimit = utf8(FULL.replace("\"dev-9\"", "\"" + "é".repeat(64 * 1024) + "\""));
    assertThat(StreamingDecoder.decode(atLimit).uuid()).hasSize(64 * 1024);
    assertRejectedLikeTheTree(
        FULL.replace("\"dev-9\"", "\"" + "é".repeat(64 * 1024 + 1) + "\""),
        "not valid JSON: String value length");
  }

  @Test
  void shouldRejectANumberOutOfRangeLikeTheTreeDecoder() {
    assertRejectedLikeTheTree(
        FULL.replace("\"account_type\":2", "\"account_type\":2147483648"),
        "account_type: must be a 32-bit integer");
  }

  @Test
  void shouldRejectTrailingContentLikeTheTreeDecoder() {
    assertRejectedLikeTheTree(FULL + " {}", "trailing content after the JSON object");
  }

  @Test
  void shouldCheckValuesInTheTreeDecodersOrderWhenTheTypesAreRight() {
    String[][] cases = {
      {"\"v\":1", "\"v\":2", "v: unsupported version 2"},
      {"\"v\":1", "\"v\":null", "v: required"},
      {"\"appid\":\"wx-app-1\"", "\"appid\":\"\"", "appid: required"},
      {"\"account_type\":2", "\"account_type\":null", "account_type: required"},
      {"\"event_time\":1699274750000", "\"event_time\":0", "event_time: must be > 0"},
      {"\"received_at\":1699274751000", "\"received_at\":-1", "received_at: must be > 0"},
      {"\"source\":\"client\"", "\"source\":\"\"", "source: must not be empty"},
    };
    for (String[] c : cases) {
      // A later field broken too: the earlier one is named, as by the tree decoder.
      byte[] bytes =
          utf8(FULL.replace(c[0], c[1]).replace("\"source\":\"client\"", "\"source\":\"\""));
      assertThat(treeMessage(bytes)).isEqualTo(c[2]);
      assertThatThrownBy(() -> StreamingDecoder.decode(bytes)).hasMessage(c[2]);
    }
  }
}
