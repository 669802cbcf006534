package io.upbot.wecom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingCallbackTest {

  @Test
  void shouldDecodeWhatItEncodes() throws Exception {
    for (PendingCallback c :
        List.of(
            new PendingCallback("k1", "corp", "chat", 17L, 3, 2, List.of("a", "b"), "v9", 99L),
            new PendingCallback("k2", "corp", "chat", 17L, null, null, List.of(), null, 99L))) {
      assertThat(PendingCallback.decode(c.encode())).isEqualTo(c);
    }
  }

  @Test
  void shouldRefuseWhatIsNotAPendingCallback() {
    for (String bad : List.of("{}", "[]", "{\"v\":2}", "{\"v\":1,\"key\":\"k\"}", "nope")) {
      assertThatThrownBy(() -> PendingCallback.decode(bad.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void shouldKeyTheSameChangeAlikeAndDifferentChangesApart() {
    String a = PendingCallback.dedupKey("c", "chat", "add_member", 3, 1, 100L, "v2", List.of("u"));
    assertThat(PendingCallback.dedupKey("c", "chat", "add_member", 3, 1, 100L, "v2", List.of("u")))
        .isEqualTo(a);
    assertThat(PendingCallback.dedupKey("c", "chat", "add_member", 3, 1, 101L, "v2", List.of("u")))
        .isNotEqualTo(a);
    assertThat(PendingCallback.dedupKey("c", "chat", "add_member", 3, 1, 100L, "v2", List.of("w")))
        .isNotEqualTo(a);
    assertThat(PendingCallback.dedupKey("c", "chat2", "add_member", 3, 1, 100L, "v2", List.of("u")))
        .isNotEqualTo(a);
  }
}
