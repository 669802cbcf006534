package io.upbot.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.JourneyEvent;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {

  static final long A = Duration.ofHours(24).toMillis();
  static final long RECEIVED = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  static final long NOW = RECEIVED + 1234;
  final RecordDecoder decoder = new RecordDecoder(A);

  static MediaEvent media(long eventTime, String code, String traceId, Integer duration) {
    return new MediaEvent(
        1,
        "wxapp",
        "openid-1",
        2,
        1,
        null,
        "1110201",
        eventTime,
        RECEIVED,
        2,
        code,
        traceId,
        duration);
  }

  DecodedRecord decode(MediaEvent m) {
    return decoder.decode(MediaEventCodec.encode(m), "upbot.media-events/3/42", NOW);
  }

  @Test
  void shouldBuildJourneyEventWithTraceAndCode() {
    DecodedRecord d = decode(media(RECEIVED - 1000, "code1", "trace-9", 12));

    assertThat(d.deadLetter()).isNull();
    assertThat(d.receivedAt()).isEqualTo(RECEIVED);
    assertThat(d.event())
        .isEqualTo(
            new JourneyEvent(
                "wxapp",
                "code1",
                "trace-9",
                "1110201",
                RECEIVED - 1000,
                RECEIVED - 1000,
                RECEIVED,
                12,
                "openid-1",
                2,
                1,
                2));
  }

  @Test
  void shouldStoreAbsentDeviceAndMediaTypesAsZero() {
    JourneyEvent e =
        decode(
                new MediaEvent(
                    1, "wxapp", "o-7", 3, null, null, "1110201", RECEIVED, RECEIVED, null, "c",
                    null, null))
            .event();

    assertThat(e.openid()).isEqualTo("o-7");
    assertThat(e.accountType()).isEqualTo(3);
    assertThat(e.deviceType()).isEqualTo(JourneyEvent.ABSENT).isZero();
    assertThat(e.mediaType()).isZero();
  }

  @Test
  void shouldUseOpenidTraceAndEmptyCodeWhenAbsent() {
    JourneyEvent e = decode(media(RECEIVED, null, null, null)).event();

    assertThat(e.code()).isEmpty();
    assertThat(e.trace()).isEqualTo("openid:openid-1");
    assertThat(e.duration()).isNull();
  }

  @Test
  void shouldCapEventTimeFiveMinutesAfterReceiptAndKeepTheSentOne() {
    long sent = RECEIVED + Duration.ofHours(3).toMillis();
    JourneyEvent e = decode(media(sent, "c", "t", null)).event();

    assertThat(e.t()).isEqualTo(RECEIVED + 5 * 60_000);
    // The sent time names the event: a resend, with another receipt and so another t, is the same
    // one.
    assertThat(e.eventTime()).isEqualTo(sent);
  }

  @Test
  void shouldDeadLetterEventReceivedMoreThanAllowedLatenessAfterItsTime() {
    byte[] raw = MediaEventCodec.encode(media(RECEIVED - A - 1, "c", "t", null));
    DecodedRecord d = decoder.decode(raw, "upbot.media-events/3/42", NOW);

    assertThat(d.event()).isNull();
    assertThat(d.receivedAt()).as("late records still move the watermark").isEqualTo(RECEIVED);
    assertThat(d.deadLetter())
        .isEqualTo(
            new DeadLetter(
                "late", new String(raw, StandardCharsets.UTF_8), "upbot.media-events/3/42", NOW));
  }

  @Test
  void shouldKeepEventReceivedExactlyAllowedLatenessAfterItsTime() {
    assertThat(decode(media(RECEIVED - A, "c", "t", null)).event()).isNotNull();
  }

  @Test
  void shouldDeadLetterMalformedBytesWithoutThrowing() {
    byte[] raw = {'{', 'x', (byte) 0xC3, 0, '}'};
    DecodedRecord d = decoder.decode(raw, "upbot.media-events/0/7", NOW);

    assertThat(d.receivedAt()).isEqualTo(DecodedRecord.NO_RECEIVED_AT);
    assertThat(d.deadLetter().reason()).isEqualTo("malformed");
    assertThat(d.deadLetter().source()).isEqualTo("upbot.media-events/0/7");
    assertThat(d.deadLetter().payload()).doesNotContain("\u0000").startsWith("{x");
  }

  @Test
  void shouldDeadLetterTombstoneAndEmptyRecord() {
    assertThat(decoder.decode(null, "t/0/1", NOW).deadLetter().reason()).isEqualTo("malformed");
    assertThat(decoder.decode(new byte[0], "t/0/2", NOW).deadLetter().payload()).isEmpty();
  }

  @Test
  void shouldDeadLetterRecordWhoseKeyFieldsBreakTheApiLimits() {
    assertThat(decode(media(RECEIVED, "x".repeat(65), "t", null)).deadLetter().reason())
        .isEqualTo("malformed");
    assertThat(decode(media(RECEIVED, "a\u0000b", "t", null)).deadLetter().reason())
        .isEqualTo("malformed");
    assertThat(decode(media(RECEIVED, "c", "t", 86_401)).deadLetter().reason())
        .isEqualTo("malformed");
  }

  static final String EMOJI = "\ud83d\ude00"; // one character, two UTF-16 units

  DecodedRecord decode(String appid, String openid, String eventId, String code) {
    return decode(
        new MediaEvent(
            1, appid, openid, 2, null, null, eventId, RECEIVED, RECEIVED, null, code, null, null));
  }

  /**
   * The endpoint accepts 64 characters (code points); the job must count the same way, not UTF-16
   * units.
   */
  @Test
  void shouldCountAnAppidOf64NonBmpCharacters() {
    assertThat(decode(EMOJI.repeat(64), "o", "1110201", null).deadLetter()).isNull();
    assertThat(decode(EMOJI.repeat(65), "o", "1110201", null).deadLetter().reason())
        .isEqualTo("malformed");
  }

  @Test
  void shouldCountACodeOf64NonBmpCharacters() {
    assertThat(decode("a", "o", "1110201", EMOJI.repeat(64)).deadLetter()).isNull();
    assertThat(decode("a", "o", "1110201", EMOJI.repeat(65)).deadLetter().reason())
        .isEqualTo("malformed");
  }

  @Test
  void shouldCountAnEventIdOf32NonBmpCharacters() {
    assertThat(decode("a", "o", EMOJI.repeat(32), null).deadLetter()).isNull();
    assertThat(decode("a", "o", EMOJI.repeat(33), null).deadLetter().reason())
        .isEqualTo("malformed");
  }

  /**
   * The endpoint refuses U+0000; a record from any other writer is still kept out of the tables.
   */
  @Test
  void shouldDeadLetterNulInTheOpenidTraceOrEventId() {
    assertThat(decode("a", "o\u0000", "1110201", null).deadLetter().reason())
        .isEqualTo("malformed");
    assertThat(decode("a", "o", "11\u00001", null).deadLetter().reason()).isEqualTo("malformed");
  }

  @Test
  void shouldDeadLetterAnUnpairedSurrogateInAKeyField() {
    // c\ud800 and c\udc00 would both be stored as c\ufffd: one database row for two job rows.
    assertThat(decode("a", "o", "1110201", "c\ud800").deadLetter().reason()).isEqualTo("malformed");
    assertThat(decode("a\udc00", "o", "1110201", null).deadLetter().reason())
        .isEqualTo("malformed");
    assertThat(decode("a", "o", "1110201", "c\ud83d\ude00").deadLetter()).isNull();
  }

  @Test
  void shouldTrimTheCodeByUnicodeWhiteSpaceLikeTheEndpoint() {
    assertThat(decode("a", "o", "1110201", "\u00A0IsFX\u202F").event().code()).isEqualTo("IsFX");
    assertThat(decode("a", "o", "1110201", "\u001Fx").event().code()).isEqualTo("\u001Fx");
    // 64 characters plus no-break spaces: within the limit once trimmed.
    assertThat(decode("a", "o", "1110201", "\u00A0" + "c".repeat(64) + "\u2007").deadLetter())
        .isNull();
  }

  DecodedRecord decodeIdentity(String unionid, String source) {
    return decode(
        new MediaEvent(
            1, "a", "o", 2, null, null, "1110205", RECEIVED, RECEIVED, null, "c", null, null,
            unionid, source));
  }

  @Test
  void shouldCarryTheUnionidAndSourceIntoTheJourneyEvent() {
    JourneyEvent e = decodeIdentity("u-1", "wecom").event();
    assertThat(e.unionid()).isEqualTo("u-1");
    assertThat(e.source()).isEqualTo("wecom");
    assertThat(e.fromWeCom()).isTrue();
    JourneyEvent client = decodeIdentity(null, "client").event();
    assertThat(client.unionid()).isNull();
    assertThat(client.fromWeCom()).isFalse();
  }

  @Test
  void shouldReadARecordWithoutUnionidAndSourceAsAClientsWithoutUnionid() {
    String old =
        "{\"v\":1,\"appid\":\"a\",\"openid\":\"o\",\"account_type\":2,\"event_id\":\"1110201\","
            + "\"event_time\":"
            + RECEIVED
            + ",\"received_at\":"
            + RECEIVED
            + "}";
    JourneyEvent e = decoder.decode(old.getBytes(StandardCharsets.UTF_8), "t/0/1", NOW).event();
    assertThat(e.unionid()).isNull();
    assertThat(e.source()).isEqualTo("client");
  }

  @Test
  void shouldAcceptAUnionidOf128NonBmpCharacters() {
    assertThat(decodeIdentity(EMOJI.repeat(128), "client").event().unionid())
        .isEqualTo(EMOJI.repeat(128));
  }

  @Test
  void shouldDeadLetterAUnionidOver128CharactersAsInvalidUnionid() {
    DecodedRecord d = decodeIdentity("u".repeat(129), "client");
    assertThat(d.event()).isNull();
    assertThat(d.deadLetter().reason()).isEqualTo("invalid_unionid");
    assertThat(d.deadLetter().source()).isEqualTo("upbot.media-events/3/42");
    assertThat(d.receivedAt()).isEqualTo(RECEIVED);
  }

  @Test
  void shouldDeadLetterAUnionidWithNulOrAnUnpairedSurrogateOrEmptyAsInvalidUnionid() {
    assertThat(decodeIdentity("u\u0000x", "wecom").deadLetter().reason())
        .isEqualTo("invalid_unionid");
    assertThat(decodeIdentity("u\ud800", "client").deadLetter().reason())
        .isEqualTo("invalid_unionid");
    assertThat(decodeIdentity("\udc00u", "client").deadLetter().reason())
        .isEqualTo("invalid_unionid");
    assertThat(decodeIdentity("", "client").deadLetter().reason()).isEqualTo("invalid_unionid");
  }

  @Test
  void shouldDeadLetterAnUnknownSourceAsUnknownSource() {
    DecodedRecord d = decodeIdentity("u-1", "crm");
    assertThat(d.event()).isNull();
    assertThat(d.deadLetter().reason()).isEqualTo("unknown_source");
    assertThat(decodeIdentity(null, "Client").deadLetter().reason()).isEqualTo("unknown_source");
  }
}
