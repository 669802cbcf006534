package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
  @TempDir Path dir;

  private Path write(String json, Instant mtime) throws Exception {
    Path p = dir.resolve("tokens.json");
    Files.writeString(p, json);
    Files.setLastModifiedTime(p, FileTime.from(mtime));
    return p;
  }

  @Test
  void shouldFindPlainAndSha256TokensAndNothingElse() throws Exception {
    String hex = TestEndpoint.sha256Hex("s3cret");
    TokenStore s =
        TokenStore.load(
            write(
                "{\"tokens\":[{\"name\":\"p\",\"token\":\"plain\",\"appids\":[\"a\",\"b\"]},"
                    + "{\"name\":\"h\",\"sha256\":\""
                    + hex
                    + "\",\"appids\":\"*\",\"rate_limit\":5,\"burst\":50}]}",
                Instant.EPOCH));
    assertThat(s.lookup("plain").name()).isEqualTo("p");
    assertThat(s.lookup("plain").allows("a")).isTrue();
    assertThat(s.lookup("plain").allows("c")).isFalse();
    assertThat(s.lookup("plain").limited()).isFalse();
    TokenStore.Token h = s.lookup("s3cret");
    assertThat(h.name()).isEqualTo("h");
    assertThat(h.allows("anything")).isTrue();
    assertThat(h.ratePerSecond()).isEqualTo(5);
    assertThat(h.burst()).isEqualTo(50);
    assertThat(s.lookup(hex)).isNull();
    assertThat(s.lookup("plain ")).isNull();
    assertThat(s.lookup("")).isNull();
    assertThat(s.lookup(null)).isNull();
  }

  @Test
  void shouldListEveryProblemOfABadFile() {
    assertThatThrownBy(
            () ->
                TokenStore.parse(
                    ("{\"tokens\":[{\"appids\":\"*\"},"
                            + "{\"token\":\"a\",\"sha256\":\""
                            + "0".repeat(64)
                            + "\",\"appids\":\"*\"},"
                            + "{\"sha256\":\"xyz\",\"appids\":[]},{\"token\":\"t\",\"appids\":\"*\",\"rate_limit\":-1},"
                            + "{\"token\":\"t\",\"appids\":\"*\"}]}")
                        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(TokenStore.TokenFileException.class)
        .hasMessageContaining("tokens[0]: exactly one of")
        .hasMessageContaining("tokens[1]: exactly one of")
        .hasMessageContaining("tokens[2].sha256")
        .hasMessageContaining("tokens[2].appids")
        .hasMessageContaining("tokens[3].rate_limit")
        .hasMessageContaining("tokens[4]: the same token appears twice");
    assertThatThrownBy(
            () ->
                TokenStore.parse("{\"tokens\":[],\"tokens\":[]}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void shouldReloadAChangedFileAndKeepTheOldTokensWhenTheNewOneIsBroken() throws Exception {
    Path p = write("{\"tokens\":[{\"token\":\"one\",\"appids\":\"*\"}]}", Instant.EPOCH);
    TokenStore s = TokenStore.load(p);
    assertThat(s.reloadIfChanged()).isFalse();

    write("{\"tokens\":[{\"token\":\"two\",\"appids\":\"*\"}]}", Instant.EPOCH.plusSeconds(1));
    assertThat(s.reloadIfChanged()).isTrue();
    assertThat(s.lookup("one")).isNull();
    assertThat(s.lookup("two")).isNotNull();

    write("{\"tokens\":[{\"token\":", Instant.EPOCH.plusSeconds(2));
    assertThat(s.reloadIfChanged()).isFalse();
    assertThat(s.lookup("two")).isNotNull();

    Files.delete(p);
    assertThat(s.reloadIfChanged()).isFalse();
    assertThat(s.lookup("two")).isNotNull();

    write("{\"tokens\":[{\"token\":\"three\",\"appids\":\"*\"}]}", Instant.EPOCH.plusSeconds(3));
    assertThat(s.reloadIfChanged()).isTrue();
    assertThat(s.lookup("three")).isNotNull();
  }

  @Test
  void shouldRefuseToStartWithoutAUsableFile() {
    assertThatThrownBy(() -> TokenStore.load(dir.resolve("none.json")))
        .isInstanceOf(TokenStore.TokenFileException.class)
        .hasMessageContaining("cannot read");
  }
}
