package io.upbot.wecom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.upbot.wecom.WeComCrypto.CryptoException;
import io.upbot.wecom.WeComCrypto.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known answers from {@code vectors/make-vectors.sh} (OpenSSL and coreutils, no Java): the Java
 * code must produce and accept exactly what the independent implementation made.
 */
class WeComCryptoTest {

  static final JsonNode VECTORS = load();
  static final String CORPID = VECTORS.get("corpid").textValue();
  static final WeComCrypto CRYPTO =
      new WeComCrypto(
          VECTORS.get("token").textValue(), VECTORS.get("encoding_aes_key").textValue(), CORPID);

  static JsonNode load() {
    try (InputStream in = WeComCryptoTest.class.getResourceAsStream("/vectors/vectors.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<String> forThisCorp() {
    List<String> names = new ArrayList<>();
    VECTORS
        .get("vectors")
        .forEach(
            v -> {
              if (v.get("receiveid").textValue().equals(CORPID)) {
                names.add(v.get("name").textValue());
              }
            });
    return names.stream();
  }

  static JsonNode vector(String name) {
    for (JsonNode v : VECTORS.get("vectors")) {
      if (v.get("name").textValue().equals(name)) {
        return v;
      }
    }
    throw new IllegalArgumentException(name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forThisCorp")
  void shouldSignExactlyAsTheIndependentImplementation(String name) {
    JsonNode v = vector(name);
    assertThat(CRYPTO.signature(text(v, "timestamp"), text(v, "nonce"), text(v, "encrypt")))
        .isEqualTo(text(v, "msg_signature"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forThisCorp")
  void shouldEncryptExactlyAsTheIndependentImplementationGivenTheSameRandomBytes(String name) {
    JsonNode v = vector(name);
    byte[] random = HexFormat.of().parseHex(text(v, "random_hex"));
    assertThat(CRYPTO.encrypt(text(v, "msg"), random)).isEqualTo(text(v, "encrypt"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forThisCorp")
  void shouldDecryptWhatTheIndependentImplementationEncrypted(String name) throws Exception {
    JsonNode v = vector(name);
    assertThat(
            CRYPTO.decryptSigned(
                text(v, "msg_signature"),
                text(v, "timestamp"),
                text(v, "nonce"),
                text(v, "encrypt")))
        .isEqualTo(text(v, "msg"));
  }

  @Test
  void shouldMatchWhatTheCommittedScriptMakesWhereItsToolsExist() throws Exception {
    java.nio.file.Path script = java.nio.file.Path.of("src/test/resources/vectors/make-vectors.sh");
    for (String tool : List.of("bash", "openssl", "xxd", "jq", "sha1sum", "base64")) {
      Process which = new ProcessBuilder("sh", "-c", "command -v " + tool).start();
      org.junit.jupiter.api.Assumptions.assumeTrue(
          which.waitFor() == 0, tool + " is not installed here");
    }
    Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).as(new String(out, java.nio.charset.StandardCharsets.UTF_8)).isZero();
    assertThat(new ObjectMapper().readTree(out)).isEqualTo(VECTORS);
  }

  @Test
  void shouldAnswerTheUrlVerificationWithTheDecryptedEchostr() throws Exception {
    JsonNode v = vector("echostr");
    assertThat(
            CRYPTO.verifyUrl(
                text(v, "msg_signature"),
                text(v, "timestamp"),
                text(v, "nonce"),
                text(v, "encrypt")))
        .isEqualTo("1288432023294567890");
  }

  @Test
  void shouldRefuseAMessageForAnotherReceiveidEvenWithAGoodSignature() {
    JsonNode v = vector("other-receiveid");
    assertThat(
            CRYPTO.verifySignature(
                text(v, "msg_signature"),
                text(v, "timestamp"),
                text(v, "nonce"),
                text(v, "encrypt")))
        .isTrue();
    assertThatThrownBy(
            () ->
                CRYPTO.decryptSigned(
                    text(v, "msg_signature"),
                    text(v, "timestamp"),
                    text(v, "nonce"),
                    text(v, "encrypt")))
        .isInstanceOfSatisfying(
            CryptoException.class, e -> assertThat(e.failure()).isEqualTo(Failure.WRONG_RECEIVEID));
  }

  @Test
  void shouldRefuseAWrongSignatureBeforeDecrypting() {
    JsonNode v = vector("add-member-event");
    String sig = text(v, "msg_signature");
    String wrong = (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1);
    assertThatThrownBy(
            () ->
                CRYPTO.decryptSigned(
                    wrong, text(v, "timestamp"), text(v, "nonce"), text(v, "encrypt")))
        .isInstanceOfSatisfying(
            CryptoException.class, e -> assertThat(e.failure()).isEqualTo(Failure.BAD_SIGNATURE));
    // Another timestamp or nonce under the same signature is just as wrong.
    assertThat(CRYPTO.verifySignature(sig, "1699274762", text(v, "nonce"), text(v, "encrypt")))
        .isFalse();
    assertThat(CRYPTO.verifySignature(sig, text(v, "timestamp"), "1", text(v, "encrypt")))
        .isFalse();
    assertThat(CRYPTO.verifySignature(null, text(v, "timestamp"), "1", text(v, "encrypt")))
        .isFalse();
  }

  @Test
  void shouldRefuseAnotherTokenOrKey() {
    JsonNode v = vector("add-member-event");
    WeComCrypto otherToken =
        new WeComCrypto("other", VECTORS.get("encoding_aes_key").textValue(), CORPID);
    assertThat(
            otherToken.verifySignature(
                text(v, "msg_signature"),
                text(v, "timestamp"),
                text(v, "nonce"),
                text(v, "encrypt")))
        .isFalse();
    WeComCrypto otherKey =
        new WeComCrypto(VECTORS.get("token").textValue(), "a".repeat(43), CORPID);
    assertThatThrownBy(() -> otherKey.decrypt(text(v, "encrypt")))
        .isInstanceOf(CryptoException.class);
  }

  @Test
  void shouldRefuseMalformedCipherTextWithoutAStackTraceFailure() {
    for (String bad :
        List.of(
            "not base64 !",
            "",
            Base64.getEncoder().encodeToString(new byte[16]),
            Base64.getEncoder().encodeToString(new byte[33]))) {
      assertThatThrownBy(() -> CRYPTO.decrypt(bad))
          .isInstanceOfSatisfying(
              CryptoException.class,
              e -> assertThat(e.failure()).isEqualTo(Failure.BAD_CIPHERTEXT));
    }
    // A flipped bit in the last block spoils the padding or the receiveid; never a crash.
    byte[] c = Base64.getDecoder().decode(text(vector("whole-pad-block"), "encrypt"));
    c[c.length - 1] ^= 1;
    assertThatThrownBy(() -> CRYPTO.decrypt(Base64.getEncoder().encodeToString(c)))
        .isInstanceOf(CryptoException.class);
  }

  @Test
  void shouldRefuseAKeyThatIsNot43Base64Characters() {
    assertThatThrownBy(() -> new WeComCrypto("t", "short", CORPID))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("EncodingAESKey");
    assertThatThrownBy(() -> new WeComCrypto("t", "a".repeat(42) + "=", CORPID))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WeComCrypto("", "a".repeat(43), CORPID))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 200)
  void shouldDecryptWhatItEncrypts(@ForAll @StringLength(max = 300) String msg) throws Exception {
    String clean = msg.codePoints().allMatch(Character::isValidCodePoint) ? msg : "x";
    String sealed = CRYPTO.encrypt(clean);
    assertThat(Base64.getDecoder().decode(sealed).length % 32).isZero();
    String wellFormed =
        new String(
            clean.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(CRYPTO.decrypt(sealed)).isEqualTo(wellFormed);
  }

  private static String text(JsonNode v, String field) {
    return v.get(field).textValue();
  }
}
